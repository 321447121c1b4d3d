/**
 * Waiting for a state change, for code that runs outside vitest too (the bench): in a test
 * prefer `expect.poll` / `vi.waitFor`, which report what the last value was.
 */

export interface PollOptions {
  /** @default 30_000 */
  timeoutMs?: number
  /** @default 200 */
  everyMs?: number
  /** Names the wait in the timeout error, e.g. 'the share to answer 200'. */
  what?: string
}

/**
 * Calls `probe` until `want` holds for its value and returns that value. A probe that
 * throws counts as not yet (its error is reported if the time runs out).
 */
export async function pollUntil<T>(probe: () => T | Promise<T>, want: (value: T) => boolean, options: PollOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, everyMs = 200, what = 'the condition' } = options
  const deadline = Date.now() + timeoutMs
  let last: { value: T } | { error: unknown } | undefined
  for (;;) {
    try {
      const value = await probe()
      if (want(value)) return value
      last = { value }
    } catch (error) {
      last = { error }
    }
    if (Date.now() >= deadline) {
      const seen = !last ? 'nothing' : 'error' in last ? String((last.error as Error)?.message ?? last.error) : describe(last.value)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${seen}`)
    }
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

function describe(value: unknown): string {
  if (value && typeof value === 'object' && 'status' in value) {
    const v = value as { status: unknown; text?: string }
    return `${v.status}${typeof v.text === 'string' ? ` ${v.text.slice(0, 200)}` : ''}`
  }
  return JSON.stringify(value)?.slice(0, 200) ?? String(value)
}
