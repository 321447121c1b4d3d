/**
 * The one place where options get their defaults and are validated. Order of
 * precedence: explicit options (flags), then GANGWAY_* environment variables, then the
 * user config profile. Every bad field is listed in one error.
 */
import { hostname, userInfo } from 'node:os'
import { GangwayError, type GangwayErrorCode } from '../errors.js'
import type { Logger, ResolvedShare, TapFactory, ShareOptions, TunnelOptions } from '../types.js'
import { SHARE_NAME, defaultShareName, toDnsLabel } from './default-name.js'
import { defaultConfigFile, readUserConfig, type Profile } from './user-config.js'
import { resolveAccess, type ResolvedAccess } from './access.js'
import { resignerFor, type Resigner } from '../hold/resign.js'
import { checkField, normalizeKeys, OPTION_KEYS, PATTERNS, pick, type FieldName } from './fields.js'

export interface ResolvedTunnelOptions {
  share: ResolvedShare
  port: number
  localHost: string
  identityFile: string | undefined
  passphrase: string | undefined
  knownHostsFile: string | undefined
  acceptNewHostKey: boolean
  maxBodySize: string
  keepaliveInterval: number
  keepaliveCountMax: number
  clientId: string
  takeover: boolean
  socketDir: string | undefined
  healIntervalMs: number | undefined
  /** `METHOD:/prefix` rules the proxy holds while the share is offline. */
  hold: string[]
  holdStatus: number
  resigner: Resigner | undefined
  /** Basic auth (hashed), allowlist, noindex: sent with every share-up. */
  access: ResolvedAccess
  logger: Logger | undefined
  tap: TapFactory | undefined
  signal: AbortSignal | undefined
}

const DOMAIN = PATTERNS.domain

interface Problem {
  code: GangwayErrorCode
  text: string
}

/** A stable id for this workstation, shown by `gangway ls` as the share's holder. */
export function defaultClientId(): string {
  const id = `${userInfo().username}.${hostname()}`.replace(/[^A-Za-z0-9._-]/g, '-')
  return id.slice(0, 64)
}

function pickProfile(options: ShareOptions, env: NodeJS.ProcessEnv): Profile {
  const file = options.configFile ?? defaultConfigFile(env)
  const config = readUserConfig(file)
  const wanted = options.profile ?? env.GANGWAY_PROFILE ?? config.default
  if (!wanted) return {}
  const profile = config.profiles[wanted]
  if (!profile) {
    const known = Object.keys(config.profiles)
    throw new GangwayError('CONFIG_INVALID', `profile "${wanted}" is not in ${file}`, {
      hint: known.length ? `Known profiles: ${known.join(', ')}.` : 'Run gangway setup (a real proxy) or gangway sandbox up (a local one) to create one.',
    })
  }
  return profile
}

/** Resolves what is known about a share before connecting (name, host, URL). */
export function resolveShare(options: ShareOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedShare {
  return shareFrom(options, env, pickProfile(options, env))
}

/** A field's value by the table (option, env, profile), its problem (if any) recorded. */
function field<T>(name: FieldName, options: object, env: NodeJS.ProcessEnv, profile: Profile, problems: Problem[]): T | undefined {
  const value = pick(name, options as Record<string, unknown>, env, profile as Record<string, unknown>) as T | undefined
  const problem = checkField(name, value)
  if (problem) problems.push({ code: 'CONFIG_INVALID', text: problem })
  return value
}

function shareFrom(options: ShareOptions, env: NodeJS.ProcessEnv, profile: Profile, problems?: Problem[]): ResolvedShare {
  const own = problems ?? []
  const exact = field<string>('host', options, env, profile, own)?.toLowerCase()
  const explicitName = field<string>('name', options, env, profile, own)
  const name = exact ? exact.split('.')[0]! : (explicitName ?? defaultShareName())
  if (exact !== undefined && !DOMAIN.test(exact)) {
    own.push({ code: 'INVALID_HOST', text: `host "${exact}" is not a DNS name like drafts.example.com` })
  } else if (!exact && !SHARE_NAME.test(name)) {
    const suggestion = toDnsLabel(name)
    own.push({
      code: 'INVALID_NAME',
      text: `share name "${name}" is not a DNS label (lowercase a-z, 0-9 and "-", 1 to 63 characters, not starting or ending with "-")${suggestion && suggestion !== name ? `; try "${suggestion}"` : ''}`,
    })
  }
  const proxy = field<string>('proxy', options, env, profile, own)
  if (!proxy) own.push({ code: 'CONFIG_MISSING', text: 'no proxy is configured (proxy option, GANGWAY_PROXY, or a profile in the user config)' })
  const domain = exact ? exact.slice(name.length + 1) : field<string>('domain', options, env, profile, own)?.toLowerCase()
  if (!domain && !exact) own.push({ code: 'CONFIG_MISSING', text: 'no domain is configured (domain option, GANGWAY_DOMAIN, or a profile)' })
  const publicPort = field<number>('publicPort', options, env, profile, own) ?? 443
  if (!problems && own.length) throw toError(own)
  const hostnameStr = exact ?? `${name}.${domain ?? ''}`
  const host = publicPort === 443 ? hostnameStr : `${hostnameStr}:${publicPort}`
  return {
    name,
    domain: domain ?? '',
    hostname: hostnameStr,
    publicPort,
    host,
    url: `https://${host}/`,
    proxy: proxy ?? '',
    caFile: field<string>('caFile', options, env, profile, own),
    resolveTo: field<string>('resolveTo', options, env, profile, own),
  }
}

export function resolveOptions(given: TunnelOptions, env: NodeJS.ProcessEnv = process.env): ResolvedTunnelOptions {
  const { options, problems: unknown } = normalizeKeys(given, OPTION_KEYS, given.logger?.warn.bind(given.logger), 'openTunnel()')
  const problems: Problem[] = unknown.map((text) => ({ code: 'CONFIG_INVALID', text }))
  const profile = pickProfile(options, env)
  const share = shareFrom(options, env, profile, problems)
  const port = options.port
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push({ code: 'INVALID_PORT', text: `local port ${String(port)} is not a port (expected an integer 1-65535)` })
  }
  const maxBodySize = field<string>('maxBodySize', options, env, profile, problems) ?? '100m'
  const keepaliveInterval = options.keepaliveInterval ?? 3
  const keepaliveCountMax = options.keepaliveCountMax ?? 3
  if (!(keepaliveInterval > 0)) problems.push({ code: 'CONFIG_INVALID', text: 'keepaliveInterval must be a positive number of seconds' })
  if (!(Number.isInteger(keepaliveCountMax) && keepaliveCountMax > 0)) problems.push({ code: 'CONFIG_INVALID', text: 'keepaliveCountMax must be a positive integer' })
  const access = resolveAccess(options, share.hostname, env, problems)
  const socketDir = field<string>('socketDir', options, env, profile, problems)
  const healIntervalMs = options.healIntervalMs
  if (healIntervalMs !== undefined && !(healIntervalMs >= 100)) problems.push({ code: 'CONFIG_INVALID', text: 'healIntervalMs must be at least 100' })
  const hold = field<string[]>('hold', options, env, profile, problems) ?? []
  const holdStatus = options.holdStatus ?? 200
  if (!Number.isInteger(holdStatus) || holdStatus < 200 || holdStatus > 299) problems.push({ code: 'CONFIG_INVALID', text: `holdStatus ${String(holdStatus)} is not a 2xx status` })
  let resigner: Resigner | undefined
  if (options.resign !== undefined) {
    try {
      resigner = resignerFor(options.resign, env)
    } catch (err) {
      const e = err as GangwayError
      problems.push({ code: 'CONFIG_INVALID', text: `${e.message}: ${e.hint}` })
    }
  }
  if (problems.length) throw toError(problems)
  return {
    share,
    hold,
    holdStatus,
    resigner,
    port,
    localHost: options.localHost ?? 'localhost',
    identityFile: field<string>('identityFile', options, env, profile, problems),
    passphrase: field<string>('passphrase', options, env, profile, problems),
    knownHostsFile: field<string>('knownHostsFile', options, env, profile, problems),
    acceptNewHostKey: options.acceptNewHostKey ?? false,
    maxBodySize,
    keepaliveInterval,
    keepaliveCountMax,
    clientId: field<string>('clientId', options, env, profile, problems) ?? defaultClientId(),
    takeover: options.takeover ?? false,
    socketDir,
    healIntervalMs,
    access,
    logger: options.logger,
    tap: options.tap,
    signal: options.signal,
  }
}

/** How to reach the proxy with the tunnel key, for commands that need no share (ls, rm). */
export function resolveProxyAccess(options: ShareOptions = {}, env: NodeJS.ProcessEnv = process.env) {
  const profile = pickProfile(options, env)
  const problems: Problem[] = []
  const proxy = field<string>('proxy', options, env, profile, problems)
  if (!proxy) problems.push({ code: 'CONFIG_MISSING', text: 'no proxy is configured (proxy option, GANGWAY_PROXY, or a profile in the user config)' })
  const access = {
    proxy: proxy ?? '',
    profile,
    domain: field<string>('domain', options, env, profile, problems),
    identityFile: field<string>('identityFile', options, env, profile, problems),
    passphrase: field<string>('passphrase', options, env, profile, problems),
    knownHostsFile: field<string>('knownHostsFile', options, env, profile, problems),
    acceptNewHostKey: options.acceptNewHostKey ?? false,
  }
  if (problems.length) throw toError(problems)
  return access
}

const HINTS: Partial<Record<GangwayErrorCode, string>> = {
  CONFIG_MISSING: 'Run gangway setup <user@proxy> --domain <zone> (or gangway sandbox up, or gangway join FILE), or set GANGWAY_PROXY and GANGWAY_DOMAIN.',
  INVALID_NAME: 'Pick a name with lowercase letters, digits and dashes, e.g. --subdomain my-blog.',
  INVALID_HOST: "Give a host under one of the proxy's zones, e.g. --host drafts.example.com.",
  INVALID_PORT: 'Pass the port your dev server listens on, e.g. gangway http 5173.',
}

function toError(problems: Problem[]): GangwayError {
  const code = problems.find((p) => p.code !== 'CONFIG_MISSING')?.code ?? 'CONFIG_MISSING'
  return new GangwayError(code, problems.map((p) => p.text).join('; '), { hint: HINTS[code] ?? 'Fix the values listed above.' })
}
