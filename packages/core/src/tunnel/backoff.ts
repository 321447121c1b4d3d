/**
 * Reconnect delays: a restarted proxy is usually back within seconds, so the first five
 * attempts come 0.5–1 s apart (spread so that every client of a proxy does not arrive at
 * once); then like autossh/frp, doubling from 2 s to 20 s with ±20 % jitter.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  if (attempt <= 5) return Math.round(500 + 500 * random())
  const base = Math.min(20_000, 1_000 * 2 ** (attempt - 5))
  return Math.round(base * (0.8 + 0.4 * random()))
}

/** Waits `ms`, or less when the signal aborts. Never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
