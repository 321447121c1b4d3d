/** The CLI owns the process: Ctrl-C and SIGTERM end the command cleanly. */
export function untilSignal(stop: AbortController): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done)
      process.off('SIGTERM', done)
      process.off('SIGHUP', done)
      resolve()
    }
    process.once('SIGINT', done)
    process.once('SIGTERM', done)
    process.once('SIGHUP', done)
    stop.signal.addEventListener('abort', done, { once: true })
  })
}
