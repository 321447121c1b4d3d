/**
 * The one table of Gangway's user-facing settings: for each, its option name, its
 * environment variable, its profile key, its default and its check. Resolution (flags,
 * then the environment, then the profile, then the default) and validation both read it,
 * apart from each other, as frp does; the profile file's types are checked against it.
 * Old spellings stay as aliases that warn once.
 */
import { closest } from './closest.js'

export const PATTERNS = {
  /** A DNS name of at least two labels, lowercase. */
  domain: /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/,
  /** An absolute path of characters safe in authorized_keys options and nginx files. */
  plainPath: /^\/[A-Za-z0-9._/@+=,:-]*$/,
  size: /^[0-9]{1,6}[kmg]?$/,
  holdRule: /^(GET|POST|PUT|PATCH|DELETE|\*):\/[A-Za-z0-9/_.~-]{0,200}$/,
} as const

export const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535

type Kind = 'string' | 'number' | 'strings'

export interface Field {
  /** The environment variable (flags win over it, it wins over the profile). */
  env?: string
  /** Whether the profile file may set it (same key as the option). */
  profile?: boolean
  kind: Kind
  /** A problem with the value, said for the user, or undefined when it is fine. */
  check?: (value: never) => string | undefined
}

const string: Kind = 'string'

/** Settings that come from options, the environment or the profile, in that order. */
export const FIELDS = {
  proxy: { env: 'GANGWAY_PROXY', profile: true, kind: string },
  domain: { env: 'GANGWAY_DOMAIN', profile: true, kind: string, check: (v: string) => (PATTERNS.domain.test(v.toLowerCase()) ? undefined : `domain "${v}" is not a DNS name like example.com`) },
  name: { env: 'GANGWAY_NAME', kind: string },
  host: { env: 'GANGWAY_HOST', kind: string },
  publicPort: { env: 'GANGWAY_PUBLIC_PORT', profile: true, kind: 'number', check: (v: number) => (isPort(v) ? undefined : `publicPort ${String(v)} is not a port (expected 1-65535)`) },
  identityFile: { env: 'GANGWAY_IDENTITY_FILE', profile: true, kind: string },
  passphrase: { env: 'GANGWAY_KEY_PASSPHRASE', kind: string },
  knownHostsFile: { env: 'GANGWAY_KNOWN_HOSTS', profile: true, kind: string },
  caFile: { env: 'GANGWAY_CA_FILE', profile: true, kind: string },
  resolveTo: { env: 'GANGWAY_RESOLVE_TO', profile: true, kind: string },
  maxBodySize: { env: 'GANGWAY_MAX_BODY', profile: true, kind: string, check: (v: string) => (PATTERNS.size.test(v) ? undefined : `maxBodySize "${v}" is not a size like 100m, 512k or 1g`) },
  clientId: { env: 'GANGWAY_CLIENT_ID', kind: string },
  socketDir: { profile: true, kind: string, check: (v: string) => (PATTERNS.plainPath.test(v) ? undefined : `socketDir "${v}" is not an absolute path of plain characters`) },
  hold: {
    env: 'GANGWAY_HOLD',
    profile: true,
    kind: 'strings',
    check: (v: string[]) => v.filter((r) => !PATTERNS.holdRule.test(r)).map((r) => `hold rule "${r}" is not METHOD:/path-prefix (e.g. POST:/slack/events; METHOD may be *)`)[0],
  },
} satisfies Record<string, Field>

export type FieldName = keyof typeof FIELDS

/** Profile keys that no option names: written by setup, join and the sandbox. */
export const PROFILE_ONLY: Record<string, Kind> = { admin: 'string', sandboxDir: 'string' }

/** Old spellings, kept working: each warns once per process. */
export const ALIASES: Record<string, string> = {
  subdomain: 'name',
  httpsPort: 'publicPort',
  publicHttpsPort: 'publicPort',
  target: 'proxy',
  maxBody: 'maxBodySize',
}

/** Every option openTunnel takes (the fields above and the rest); anything else is a typo. */
export const OPTION_KEYS: readonly string[] = [
  ...Object.keys(FIELDS),
  'port', 'localHost', 'acceptNewHostKey', 'profile', 'configFile', 'logger', 'keepaliveInterval', 'keepaliveCountMax',
  'takeover', 'healIntervalMs', 'auth', 'allow', 'noindex', 'holdStatus', 'resign', 'inspect', 'tap', 'signal',
]

function fromEnv(kind: Kind, value: string | undefined): unknown {
  if (value === undefined || value === '') return undefined
  if (kind === 'number') return Number(value)
  if (kind === 'strings') return value.split(',').map((v) => v.trim()).filter(Boolean)
  return value
}

/** A field's value: the option, else its environment variable, else the profile's. */
export function pick<K extends FieldName>(name: K, options: Record<string, unknown>, env: NodeJS.ProcessEnv, profile: Record<string, unknown>): unknown {
  const field: Field = FIELDS[name]
  return options[name] ?? fromEnv(field.kind, field.env ? env[field.env] : undefined) ?? (field.profile ? profile[name] : undefined)
}

/** The problem with a field's value, if any. */
export function checkField(name: FieldName, value: unknown): string | undefined {
  const field: Field = FIELDS[name]
  return value === undefined || !field.check ? undefined : (field.check as (v: unknown) => string | undefined)(value)
}

const warned = new Set<string>()

/**
 * Maps old spellings to today's (warning once each) and names every unknown key with the
 * closest known one. Returns the options to resolve and the problems found.
 */
export function normalizeKeys<T extends object>(options: T, known: readonly string[], warn: ((m: string) => void) | undefined, where: string): { options: T; problems: string[] } {
  const out: Record<string, unknown> = {}
  const problems: string[] = []
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue
    const alias = ALIASES[key]
    if (alias && known.includes(alias)) {
      if (!warned.has(`${where}.${key}`)) {
        warned.add(`${where}.${key}`)
        warn?.(`${where}: "${key}" is now called "${alias}"; "${key}" still works for now.`)
      }
      out[alias] ??= value
    } else if (known.includes(key)) {
      out[key] = value
    } else {
      const near = closest(key, [...known, ...Object.keys(ALIASES)])
      problems.push(`${where} has no option "${key}"${near ? ` (did you mean "${ALIASES[near] ?? near}"?)` : ''}`)
    }
  }
  return { options: out as T, problems }
}

/** Type of a profile key's value as the file must hold it, for readUserConfig. */
export function profileKind(key: string): Kind | undefined {
  const field = (FIELDS as Record<string, Field>)[key]
  return field?.profile ? field.kind : PROFILE_ONLY[key]
}
