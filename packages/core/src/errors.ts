/**
 * The one error type of Gangway. Every failure a user can meet carries a stable
 * `code` (for programs and tests) and a `hint` that says what to do about it.
 */
export type GangwayErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_MISSING'
  | 'INVALID_NAME'
  | 'INVALID_PORT'
  | 'HOST_KEY_UNKNOWN'
  | 'HOST_KEY_CHANGED'
  | 'AUTH_FAILED'
  | 'KEY_UNREADABLE'
  | 'KEY_PASSPHRASE_REQUIRED'
  | 'KEY_PASSPHRASE_WRONG'
  | 'PROXY_UNREACHABLE'
  | 'PROXY_REFUSED'
  | 'FORWARD_REFUSED'
  | 'PROXY_COMMAND_FAILED'
  | 'NAME_TAKEN'
  | 'TAKEN_OVER'
  | 'NAME_IN_USE'
  | 'INVALID_HOST'
  | 'LIMIT_REACHED'
  | 'FORBIDDEN'
  | 'KEY_UNLABELED'
  | 'KEY_EXISTS'
  | 'LABEL_EXISTS'
  | 'NO_SUCH_LABEL'
  | 'NO_LISTENER'
  | 'CLIENT_OUTDATED'
  | 'PROXY_DISK_FULL'
  | 'JOIN_FILE_INVALID'
  | 'NGINX_CONFIG_REJECTED'
  | 'CERTIFICATE_FAILED'
  | 'DNS_AUTH_FAILED'
  | 'DNS_ZONE_REFUSED'
  | 'DNS_PROPAGATION_TIMEOUT'
  | 'SANDBOX_MISSING_PACKAGES'
  | 'SANDBOX_FAILED'
  | 'SETUP_FAILED'
  | 'CLOSED'

/** Errors of these codes can never succeed by trying again: reconnect loops stop on them. */
const FATAL: ReadonlySet<GangwayErrorCode> = new Set<GangwayErrorCode>([
  'CONFIG_INVALID',
  'CONFIG_MISSING',
  'INVALID_NAME',
  'INVALID_PORT',
  'HOST_KEY_UNKNOWN',
  'HOST_KEY_CHANGED',
  'AUTH_FAILED',
  'KEY_UNREADABLE',
  'KEY_PASSPHRASE_REQUIRED',
  'KEY_PASSPHRASE_WRONG',
  'FORWARD_REFUSED',
  'NAME_TAKEN',
  'TAKEN_OVER',
  'INVALID_HOST',
  'LIMIT_REACHED',
  'FORBIDDEN',
  'KEY_UNLABELED',
  'CLIENT_OUTDATED',
  'JOIN_FILE_INVALID',
  'NGINX_CONFIG_REJECTED',
  'DNS_AUTH_FAILED',
  'DNS_ZONE_REFUSED',
  'CLOSED',
])

export class GangwayError extends Error {
  override name = 'GangwayError'
  readonly code: GangwayErrorCode
  /** What the user should do about it, one or two sentences. */
  readonly hint: string | undefined

  constructor(code: GangwayErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.hint = options.hint
  }

  /** True when retrying cannot help (bad config, auth, host key, a refused name). */
  get fatal(): boolean {
    return FATAL.has(this.code)
  }

  /** Message and hint together, as a CLI prints them. */
  format(): string {
    return this.hint ? `${this.message}\n  → ${this.hint}` : this.message
  }
}

export function isGangwayError(value: unknown): value is GangwayError {
  return value instanceof GangwayError
}
