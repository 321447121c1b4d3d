/**
 * Errors of the hugo wrapper. Same shape as core's GangwayError (code, hint, format()),
 * plus the exit code the bin should end with — hugo's own when hugo decided it.
 */
export type HugoErrorCode =
  /** hugo is not installed (exit 127, like a shell). */
  | 'HUGO_NOT_FOUND'
  /** hugo exited before its web server was ready; the message ends with its last output. */
  | 'HUGO_EXITED'
  /** The run was stopped (Ctrl-C, abort signal) before it was up. */
  | 'ABORTED'

export class HugoError extends Error {
  override name = 'HugoError'
  readonly code: HugoErrorCode
  readonly hint: string | undefined
  /** What the process should exit with. */
  readonly exitCode: number
  /** The last lines hugo printed, when hugo was involved. */
  readonly output: string[]

  constructor(code: HugoErrorCode, message: string, options: { hint?: string; exitCode?: number; output?: string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.hint = options.hint
    this.exitCode = options.exitCode ?? 1
    this.output = options.output ?? []
  }

  format(): string {
    const tail = this.output.length ? `\n${this.output.map((l) => `  │ ${l}`).join('\n')}` : ''
    return `${this.message}${tail}${this.hint ? `\n  → ${this.hint}` : ''}`
  }
}

export function isHugoError(value: unknown): value is HugoError {
  return value instanceof HugoError
}
