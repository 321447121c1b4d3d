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

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/
const PLAIN_DIR = /^\/[A-Za-z0-9._/@+=,:-]*$/
const HOLD_RULE = /^(GET|POST|PUT|PATCH|DELETE|\*):\/[A-Za-z0-9/_.~-]{0,200}$/

interface Problem {
  code: GangwayErrorCode
  text: string
}

function envNumber(value: string | undefined): number | undefined {
  return value === undefined || value === '' ? undefined : Number(value)
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

function shareFrom(options: ShareOptions, env: NodeJS.ProcessEnv, profile: Profile, problems?: Problem[]): ResolvedShare {
  const own = problems ?? []
  const exact = (options.host ?? (env.GANGWAY_HOST || undefined))?.toLowerCase()
  const explicitName = options.name ?? (env.GANGWAY_NAME || undefined)
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
  const proxy = options.proxy ?? (env.GANGWAY_PROXY || undefined) ?? profile.proxy
  if (!proxy) own.push({ code: 'CONFIG_MISSING', text: 'no proxy is configured (proxy option, GANGWAY_PROXY, or a profile in the user config)' })
  const domain = exact ? exact.slice(name.length + 1) : (options.domain ?? (env.GANGWAY_DOMAIN || undefined) ?? profile.domain)?.toLowerCase()
  if (!domain && !exact) own.push({ code: 'CONFIG_MISSING', text: 'no domain is configured (domain option, GANGWAY_DOMAIN, or a profile)' })
  else if (domain && !exact && !DOMAIN.test(domain)) own.push({ code: 'CONFIG_INVALID', text: `domain "${domain}" is not a DNS name like example.com` })
  const publicPort = options.publicPort ?? envNumber(env.GANGWAY_PUBLIC_PORT) ?? profile.publicPort ?? 443
  if (!Number.isInteger(publicPort) || publicPort < 1 || publicPort > 65535) {
    own.push({ code: 'CONFIG_INVALID', text: `publicPort ${String(publicPort)} is not a port (expected 1-65535)` })
  }
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
    caFile: options.caFile ?? (env.GANGWAY_CA_FILE || undefined) ?? profile.caFile,
    resolveTo: options.resolveTo ?? (env.GANGWAY_RESOLVE_TO || undefined) ?? profile.resolveTo,
  }
}

export function resolveOptions(options: TunnelOptions, env: NodeJS.ProcessEnv = process.env): ResolvedTunnelOptions {
  const problems: Problem[] = []
  const profile = pickProfile(options, env)
  const share = shareFrom(options, env, profile, problems)
  const port = options.port
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push({ code: 'INVALID_PORT', text: `local port ${String(port)} is not a port (expected an integer 1-65535)` })
  }
  const maxBodySize = options.maxBodySize ?? (env.GANGWAY_MAX_BODY || undefined) ?? profile.maxBodySize ?? '100m'
  if (!/^[0-9]{1,6}[kmg]?$/.test(maxBodySize)) {
    problems.push({ code: 'CONFIG_INVALID', text: `maxBodySize "${maxBodySize}" is not a size like 100m, 512k or 1g` })
  }
  const keepaliveInterval = options.keepaliveInterval ?? 3
  const keepaliveCountMax = options.keepaliveCountMax ?? 3
  if (!(keepaliveInterval > 0)) problems.push({ code: 'CONFIG_INVALID', text: 'keepaliveInterval must be a positive number of seconds' })
  if (!(Number.isInteger(keepaliveCountMax) && keepaliveCountMax > 0)) problems.push({ code: 'CONFIG_INVALID', text: 'keepaliveCountMax must be a positive integer' })
  const access = resolveAccess(options, share.hostname, env, problems)
  const socketDir = options.socketDir ?? profile.socketDir
  if (socketDir !== undefined && !PLAIN_DIR.test(socketDir)) problems.push({ code: 'CONFIG_INVALID', text: `socketDir "${socketDir}" is not an absolute path of plain characters` })
  const healIntervalMs = options.healIntervalMs
  if (healIntervalMs !== undefined && !(healIntervalMs >= 100)) problems.push({ code: 'CONFIG_INVALID', text: 'healIntervalMs must be at least 100' })
  const hold = options.hold ?? (env.GANGWAY_HOLD ? env.GANGWAY_HOLD.split(',').map((r) => r.trim()).filter(Boolean) : undefined) ?? profile.hold ?? []
  for (const rule of hold) if (!HOLD_RULE.test(rule)) problems.push({ code: 'CONFIG_INVALID', text: `hold rule "${rule}" is not METHOD:/path-prefix (e.g. POST:/slack/events; METHOD may be *)` })
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
    identityFile: options.identityFile ?? (env.GANGWAY_IDENTITY_FILE || undefined) ?? profile.identityFile,
    passphrase: options.passphrase ?? (env.GANGWAY_KEY_PASSPHRASE || undefined),
    knownHostsFile: options.knownHostsFile ?? (env.GANGWAY_KNOWN_HOSTS || undefined) ?? profile.knownHostsFile,
    acceptNewHostKey: options.acceptNewHostKey ?? false,
    maxBodySize,
    keepaliveInterval,
    keepaliveCountMax,
    clientId: options.clientId ?? (env.GANGWAY_CLIENT_ID || undefined) ?? defaultClientId(),
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
  const proxy = options.proxy ?? (env.GANGWAY_PROXY || undefined) ?? profile.proxy
  if (!proxy) throw toError([{ code: 'CONFIG_MISSING', text: 'no proxy is configured (proxy option, GANGWAY_PROXY, or a profile in the user config)' }])
  return {
    proxy,
    profile,
    domain: options.domain ?? (env.GANGWAY_DOMAIN || undefined) ?? profile.domain,
    identityFile: options.identityFile ?? (env.GANGWAY_IDENTITY_FILE || undefined) ?? profile.identityFile,
    passphrase: options.passphrase ?? (env.GANGWAY_KEY_PASSPHRASE || undefined),
    knownHostsFile: options.knownHostsFile ?? (env.GANGWAY_KNOWN_HOSTS || undefined) ?? profile.knownHostsFile,
    acceptNewHostKey: options.acceptNewHostKey ?? false,
  }
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
