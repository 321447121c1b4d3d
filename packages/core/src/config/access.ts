/**
 * Per-share access control, resolved on the workstation: basic-auth credentials become
 * one htpasswd line hashed here, allowlist entries are checked before any connection.
 */
import { createHmac } from 'node:crypto'
import bcrypt from 'bcryptjs'
import { isIP } from 'node:net'
import type { GangwayErrorCode } from '../errors.js'
import type { TunnelOptions } from '../types.js'

export interface ResolvedAccess {
  /** `user:$2b$…` for nginx's auth_basic_user_file; the plaintext is not kept. */
  authLine: string | undefined
  allow: string[]
  noindex: boolean
}

const AUTH_USER = /^[A-Za-z0-9._-]{1,64}$/

/** bcrypt's cost: ~50 ms per check on the proxy, paid once per visitor (a session cookie follows). */
export const BCRYPT_COST = 10

/**
 * `USER:$2b$10$…`, which nginx checks with the system's crypt(3). The salt comes from the
 * password, the host and the user (HMAC): the same password gives the same line, so a
 * reconnect changes nothing on the proxy, while two shares or two users never share a
 * hash. The plaintext never leaves this machine.
 */
export function bcryptLine(user: string, password: string, host: string): string {
  const seed = createHmac('sha256', password).update(`gangway basic auth salt\n${host}\n${user}`).digest()
  const salt = `$2b$${BCRYPT_COST}$${bcrypt.encodeBase64(seed.subarray(0, 16), 16)}`
  return `${user}:${bcrypt.hashSync(password, salt)}`
}

/** An IPv4/IPv6 address, optionally with a prefix length that fits its family. */
export function isCidr(value: string): boolean {
  const [address, prefix, extra] = value.split('/')
  const family = isIP(address ?? '')
  if (!family || extra !== undefined) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}

export function resolveAccess(options: TunnelOptions, host: string, env: NodeJS.ProcessEnv, problems: { code: GangwayErrorCode; text: string }[]): ResolvedAccess {
  let authLine: string | undefined
  if (options.auth) {
    const { user } = options.auth
    const password = options.auth.password ?? (env.GANGWAY_AUTH_PASSWORD || undefined)
    if (!AUTH_USER.test(user)) problems.push({ code: 'CONFIG_INVALID', text: `auth user "${user}" must be 1-64 of A-Z a-z 0-9 . _ -` })
    else if (!password) problems.push({ code: 'CONFIG_INVALID', text: `basic auth for "${user}" needs a password (auth.password or GANGWAY_AUTH_PASSWORD)` })
    else authLine = bcryptLine(user, password, host)
  }
  const allow = options.allow ?? []
  for (const entry of allow) {
    if (!isCidr(entry)) problems.push({ code: 'CONFIG_INVALID', text: `allow entry "${entry}" is not an IP address or CIDR network like 203.0.113.0/24` })
  }
  if (allow.length > 32) problems.push({ code: 'CONFIG_INVALID', text: 'at most 32 allow entries' })
  return { authLine, allow, noindex: options.noindex ?? true }
}
