/**
 * Command-line arguments: the few flags that belong to gangway-hugo are taken out, the
 * rest go to hugo untouched — except, for `hugo server`, the flags that decide where the
 * site is served, which Gangway must own (port, bind, baseURL, appendPort, liveReloadPort).
 */

import { UsageError } from '@gangway/core'

/** A bad wrapper flag (missing value, bad port) is core's UsageError: the bin prints it with exit code 2. */
export { UsageError }

/** Flags of gangway-hugo itself. Hugo never sees them. */
export interface WrapperFlags {
  /** `--subdomain NAME` (no short form: hugo's `-s` is `--source`). */
  subdomain?: string
  proxy?: string
  domain?: string
  profile?: string
  /** `--auth user:pass`: basic auth for the share (needs proxy support, see run-hugo). */
  auth?: string
  qr: boolean
  verbose: boolean
  /** `--gangway-help`: the wrapper's usage (`--help` goes to hugo). */
  help: boolean
}

const WRAPPER_VALUE_FLAGS = ['subdomain', 'proxy', 'domain', 'profile', 'auth'] as const
const WRAPPER_BOOLEAN_FLAGS: Record<string, 'qr' | 'verbose' | 'help'> = {
  qr: 'qr',
  'gangway-verbose': 'verbose',
  'gangway-help': 'help',
}

/** Takes gangway-hugo's own flags out of argv; everything after `--` is left alone. */
export function splitArgs(argv: readonly string[]): { flags: WrapperFlags; hugoArgs: string[] } {
  const flags: WrapperFlags = { qr: false, verbose: false, help: false }
  const hugoArgs: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      hugoArgs.push(...argv.slice(i))
      break
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg)
    const name = m?.[1]
    if (name && (WRAPPER_VALUE_FLAGS as readonly string[]).includes(name)) {
      let value = m[2]
      if (value === undefined) {
        value = argv[i + 1]
        if (value === undefined || value.startsWith('-')) throw new UsageError(`--${name} needs a value`)
        i++
      }
      if (value === '') throw new UsageError(`--${name} needs a value`)
      flags[name as (typeof WRAPPER_VALUE_FLAGS)[number]] = value
    } else if (name && name in WRAPPER_BOOLEAN_FLAGS && m[2] === undefined) {
      flags[WRAPPER_BOOLEAN_FLAGS[name]!] = true
    } else {
      hugoArgs.push(arg)
    }
  }
  return { flags, hugoArgs }
}

// ── Hugo's own flags ─────────────────────────────────────────────────────────
// Hugo's flags that take a value as the next argument (0.111 and newer), so that
// `hugo -s site server` finds the command `server`, not `site`.
const HUGO_VALUE_FLAGS = new Set([
  '-b', '--baseURL', '--bind', '--cacheDir', '--clock', '-c', '--contentDir', '-d', '--destination',
  '--disableKinds', '-e', '--environment', '--ignoreVendorPaths', '-l', '--layoutDir', '--liveReloadPort',
  '--meminterval', '--memstats', '--poll', '-p', '--port', '-s', '--source', '-t', '--theme', '--themesDir',
  '--trace', '--config', '--configDir', '--logFile', '--logLevel', '--renderSegments', '--tlsCertFile',
  '--tlsKeyFile', '--format', '--kind', '--editor',
])

const SERVER_ALIASES = new Set(['server', 'serve', 's'])

/** The hugo sub-command in args (first positional), and where it is. */
export function hugoCommand(args: readonly string[]): { name: string | undefined; index: number } {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--') break
    if (arg.startsWith('-')) {
      if (!arg.includes('=') && HUGO_VALUE_FLAGS.has(arg)) i++
      continue
    }
    return { name: arg, index: i }
  }
  return { name: undefined, index: -1 }
}

export function isServerCommand(name: string | undefined): boolean {
  return name !== undefined && SERVER_ALIASES.has(name)
}

/** One flag and its spellings: `--long V`, `--long=V`, and for a short `-x V`, `-x=V`, `-xV`. */
interface FlagSpec {
  long: string
  short?: string
  /** false for booleans (`--appendPort`, `--appendPort=false`). */
  value: boolean
}

/** Removes every occurrence of a flag; returns the args left and the values it had. */
export function takeFlag(args: readonly string[], spec: FlagSpec): { rest: string[]; values: string[] } {
  const rest: string[] = []
  const values: string[] = []
  const long = `--${spec.long}`
  const short = spec.short ? `-${spec.short}` : undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--') {
      rest.push(...args.slice(i))
      break
    }
    if (arg === long || (short && arg === short)) {
      if (spec.value) {
        values.push(args[i + 1] ?? '')
        i++
      } else values.push('true')
    } else if (arg.startsWith(`${long}=`)) {
      values.push(arg.slice(long.length + 1))
    } else if (short && spec.value && arg.startsWith(short) && !arg.startsWith('--')) {
      values.push(arg.slice(short.length).replace(/^=/, ''))
    } else {
      rest.push(arg)
    }
  }
  return { rest, values }
}

/** The site directory hugo reads (`-s/--source`), if given. */
export function sourceDir(args: readonly string[]): string | undefined {
  return takeFlag(args, { long: 'source', short: 's', value: true }).values.at(-1)
}

/** The port the user asked for with `-p/--port`, if any. */
export function userPort(args: readonly string[]): number | undefined {
  const raw = takeFlag(args, { long: 'port', short: 'p', value: true }).values.at(-1)
  if (raw === undefined) return undefined
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`--port ${raw} is not a port (expected 1-65535)`)
  return port
}

export interface ServeAt {
  /** Local loopback port hugo listens on. */
  port: number
  /** The share's public URL, `https://NAME.DOMAIN[:PORT]/`. */
  baseURL: string
  /** The share's public port (443 on a real proxy). */
  liveReloadPort: number
}

/**
 * `hugo server …` args rewritten to serve on loopback at `at.port` with every link and the
 * live-reload socket pointing at the public URL. A user's own values for these flags are
 * replaced; `warnings` says which ones differed.
 */
export function serverArgs(args: readonly string[], at: ServeAt): { args: string[]; warnings: string[] } {
  const warnings: string[] = []
  const wanted: Array<[FlagSpec, string, (value: string) => boolean]> = [
    [{ long: 'port', short: 'p', value: true }, String(at.port), () => true],
    [{ long: 'bind', value: true }, '127.0.0.1', (v) => v === '127.0.0.1'],
    [{ long: 'baseURL', short: 'b', value: true }, at.baseURL, (v) => v === at.baseURL],
    [{ long: 'appendPort', value: false }, 'false', (v) => v === 'false'],
    [{ long: 'liveReloadPort', value: true }, String(at.liveReloadPort), (v) => v === String(at.liveReloadPort)],
  ]
  let rest = [...args]
  const own: string[] = []
  for (const [spec, value, same] of wanted) {
    const taken = takeFlag(rest, spec)
    rest = taken.rest
    const user = taken.values.at(-1)
    if (user !== undefined && !same(user)) {
      warnings.push(`--${spec.long} ${user} replaced by ${value}: ${reason(spec.long)}`)
    }
    own.push(spec.value ? `--${spec.long}` : `--${spec.long}=${value}`)
    if (spec.value) own.push(value)
  }
  const { index } = hugoCommand(rest)
  if (index >= 0 && rest[index] === 's') rest[index] = 'server' // `s` is an alias only in newer hugo
  // Our flags go right after the command so that anything after a `--` stays last.
  const at_ = index >= 0 ? index + 1 : rest.length
  return { args: [...rest.slice(0, at_), ...own, ...rest.slice(at_)], warnings }
}

function reason(flag: string): string {
  switch (flag) {
    case 'baseURL':
      return 'links must point at the public URL'
    case 'bind':
      return 'the tunnel reaches hugo on loopback only'
    case 'appendPort':
      return 'the public URL has no local port'
    case 'liveReloadPort':
      return 'the browser reaches live reload through the public port'
    default:
      return 'set by gangway-hugo'
  }
}
