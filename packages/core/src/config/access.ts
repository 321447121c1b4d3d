/**
 * Per-share access control, resolved on the workstation: basic-auth credentials become
 * one htpasswd line hashed here, allowlist entries are checked before any connection.
 */
import { createHash, randomBytes } from 'node:crypto'
import { isIP } from 'node:net'
import type { GangwayErrorCode } from '../errors.js'
import type { TunnelOptions } from '../types.js'

export interface ResolvedAccess {
  /** `user:{SSHA}…` for nginx's auth_basic_user_file; the plaintext is not kept. */
  authLine: string | undefined
  allow: string[]
  noindex: boolean
}

const AUTH_USER = /^[A-Za-z0-9._-]{1,64}$/

/**
 * `{SSHA}` = base64(sha1(password + salt) + salt): nginx reads it natively, and it is
 * salted so two shares with one password get different lines. Not a slow hash: basic auth
 * for a dev share keeps casual visitors out, it does not guard a password store.
 */
export function sshaHash(password: string): string {
  const salt = randomBytes(8)
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest()
  return '{SSHA}' + Buffer.concat([digest, salt]).toString('base64')
}

/** An IPv4/IPv6 address, optionally with a prefix length that fits its family. */
export function isCidr(value: string): boolean {
  const [address, prefix, extra] = value.split('/')
  const family = isIP(address ?? '')
  if (!family || extra !== undefined) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}

export function resolveAccess(options: TunnelOptions, env: NodeJS.ProcessEnv, problems: { code: GangwayErrorCode; text: string }[]): ResolvedAccess {
  let authLine: string | undefined
  if (options.auth) {
    const { user } = options.auth
    const password = options.auth.password ?? (env.GANGWAY_AUTH_PASSWORD || undefined)
    if (!AUTH_USER.test(user)) problems.push({ code: 'CONFIG_INVALID', text: `auth user "${user}" must be 1-64 of A-Z a-z 0-9 . _ -` })
    else if (!password) problems.push({ code: 'CONFIG_INVALID', text: `basic auth for "${user}" needs a password (auth.password or GANGWAY_AUTH_PASSWORD)` })
    else authLine = `${user}:${sshaHash(password)}`
  }
  const allow = options.allow ?? []
  for (const entry of allow) {
    if (!isCidr(entry)) problems.push({ code: 'CONFIG_INVALID', text: `allow entry "${entry}" is not an IP address or CIDR network like 203.0.113.0/24` })
  }
  if (allow.length > 32) problems.push({ code: 'CONFIG_INVALID', text: 'at most 32 allow entries' })
  return { authLine, allow, noindex: options.noindex ?? true }
}
