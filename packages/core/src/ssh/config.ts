/**
 * Resolves an ssh target the way OpenSSH does, without running ssh: `user@host:port`,
 * `ssh://user@host:port` or a Host alias looked up in ~/.ssh/config and
 * /etc/ssh/ssh_config (first value wins, Host patterns with * ? and !, Include).
 * Match blocks are skipped (they need ssh's evaluation rules); their keys do not apply.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { GangwayError } from '../errors.js'

export interface SshTarget {
  /** What the user wrote, for messages. */
  target: string
  /** The alias the config was matched against. */
  alias: string
  hostName: string
  port: number
  user: string
  identityFiles: string[]
  knownHostsFiles: string[]
  /** `user@host:port` of a jump host, when ProxyJump is set. */
  proxyJump: string | undefined
  /** HostKeyAlias, when set: the name looked up in known_hosts. */
  hostKeyAlias: string | undefined
}

interface ParsedTarget {
  user?: string
  host: string
  port?: number
}

export function parseTarget(target: string): ParsedTarget {
  let rest = target.trim().replace(/^ssh:\/\//, '').replace(/\/$/, '')
  let user: string | undefined
  const at = rest.lastIndexOf('@')
  if (at >= 0) {
    user = rest.slice(0, at)
    rest = rest.slice(at + 1)
  }
  let host = rest
  let port: number | undefined
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest)
  if (bracket) {
    host = bracket[1]!
    if (bracket[2]) port = Number(bracket[2])
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const [h, p] = rest.split(':')
    host = h!
    port = Number(p)
  }
  if (!host || /[\s/'"`$;&|<>]/.test(host) || (user !== undefined && !/^[A-Za-z0-9._-]+$/.test(user))) {
    throw new GangwayError('CONFIG_INVALID', `proxy "${target}" is not an ssh target`, {
      hint: 'Use user@host, user@host:port or a Host alias from ~/.ssh/config.',
    })
  }
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new GangwayError('CONFIG_INVALID', `proxy "${target}" has an invalid port`, {
      hint: 'The port after ":" must be 1-65535.',
    })
  }
  return { user, host, port }
}

/** Matches OpenSSH Host patterns: comma/space separated, * and ?, leading ! negates. */
export function hostMatches(patterns: string[], host: string): boolean {
  let matched = false
  for (const raw of patterns) {
    const negate = raw.startsWith('!')
    const pattern = negate ? raw.slice(1) : raw
    const re = new RegExp(
      '^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$',
      'i',
    )
    if (re.test(host)) {
      if (negate) return false
      matched = true
    }
  }
  return matched
}

type Directives = Map<string, string[]>

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path
}

/** Reads one config file into `out`, keeping the first value of each key (OpenSSH rule). */
function readConfig(file: string, host: string, out: Directives, depth = 0): void {
  if (depth > 8 || !existsSync(file)) return
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return
  }
  let active = true
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (!line || line.startsWith('#')) continue
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line)
    if (!m) continue
    const key = m[1]!.toLowerCase()
    const args = splitArgs(m[2]!)
    if (key === 'host') {
      active = hostMatches(args, host)
      continue
    }
    if (key === 'match') {
      active = args.length === 1 && args[0]!.toLowerCase() === 'all'
      continue
    }
    if (!active) continue
    if (key === 'include') {
      for (const pattern of args) {
        const base = isAbsolute(expandHome(pattern)) ? expandHome(pattern) : join(dirname(file), pattern)
        for (const f of globFiles(base)) readConfig(f, host, out, depth + 1)
      }
      continue
    }
    if (key === 'identityfile' || key === 'userknownhostsfile') {
      const list = out.get(key) ?? []
      // IdentityFile accumulates; UserKnownHostsFile takes the first line's list.
      if (key === 'identityfile' || list.length === 0) out.set(key, [...list, ...args])
      continue
    }
    if (!out.has(key)) out.set(key, args)
  }
}

function splitArgs(value: string): string[] {
  const out: string[] = []
  const re = /"([^"]*)"|(\S+)/g
  let m: RegExpExecArray | null
  while ((m = re.exec(value))) out.push(m[1] ?? m[2]!)
  return out
}

/** Minimal glob for Include: `*` in the last path segment only. */
function globFiles(pattern: string): string[] {
  if (!pattern.includes('*') && !pattern.includes('?')) return [pattern]
  const dir = dirname(pattern)
  const name = pattern.slice(dir.length + 1)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => hostMatches([name], f))
    .sort()
    .map((f) => join(dir, f))
}

function expandTokens(value: string, t: { host: string; hostName: string; port: number; user: string }): string {
  const local = userInfo().username
  return expandHome(
    value.replace(/%([%hpruidnCLl])/g, (_, c: string) => {
      switch (c) {
        case '%': return '%'
        case 'h': return t.hostName
        case 'n': return t.host
        case 'p': return String(t.port)
        case 'r': return t.user
        case 'u': return local
        case 'i': return String(userInfo().uid)
        case 'd': return homedir()
        default: return ''
      }
    }),
  )
}

export interface ResolveTargetOptions {
  /** Config files to read, first wins. @default ~/.ssh/config, /etc/ssh/ssh_config */
  configFiles?: string[]
}

export function resolveTarget(target: string, options: ResolveTargetOptions = {}): SshTarget {
  const parsed = parseTarget(target)
  const files = options.configFiles ?? [join(homedir(), '.ssh', 'config'), '/etc/ssh/ssh_config']
  const d: Directives = new Map()
  for (const f of files) readConfig(f, parsed.host, d)
  const first = (k: string) => d.get(k)?.[0]

  const hostName = first('hostname')?.replace(/%h/g, parsed.host) ?? parsed.host
  const port = parsed.port ?? (first('port') ? Number(first('port')) : 22)
  const user = parsed.user ?? first('user') ?? userInfo().username
  const tokens = { host: parsed.host, hostName, port, user }
  const identityFiles = (d.get('identityfile') ?? []).map((f) => resolve(expandTokens(f, tokens)))
  const knownHostsFiles = (d.get('userknownhostsfile') ?? [])
    .filter((f) => f.toLowerCase() !== 'none')
    .map((f) => resolve(expandTokens(f, tokens)))
  const jump = first('proxyjump')
  return {
    target,
    alias: parsed.host,
    hostName,
    port,
    user,
    identityFiles,
    knownHostsFiles,
    proxyJump: jump && jump.toLowerCase() !== 'none' ? jump.split(',')[0] : undefined,
    hostKeyAlias: first('hostkeyalias'),
  }
}
