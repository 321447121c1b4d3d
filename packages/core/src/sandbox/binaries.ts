/**
 * Absolute paths of the programs the sandbox runs. Absolute, because nginx and sshd live
 * in /usr/sbin, which is not on a normal user's PATH, nor on the PATH sshd gives the
 * agent when it runs as a forced command.
 */
import { accessSync, constants, existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { GangwayError } from '../errors.js'

export const REQUIRED_PROGRAMS = [
  'sshd',
  'ssh-keygen',
  'nginx',
  'certbot',
  'pebble',
  'pebble-challtestsrv',
  'openssl',
  'python3',
] as const
/** What `sandbox up --wildcard` needs on top: BIND's named as the zone's DNS server. */
export const WILDCARD_PROGRAMS = ['named'] as const
export type Program = (typeof REQUIRED_PROGRAMS)[number] | (typeof WILDCARD_PROGRAMS)[number]

/** certbot's rfc2136 plugin (python3-certbot-dns-rfc2136), for Debian's certbot. */
const RFC2136_PLUGIN = '/usr/lib/python3/dist-packages/certbot_dns_rfc2136'

/** Fixed paths where the forced command or Debian's layout pins the program. */
const PINNED: Partial<Record<Program, string>> = {
  sshd: '/usr/sbin/sshd', // sshd must be run by absolute path (it re-executes itself)
  python3: '/usr/bin/python3', // the interpreter named in authorized_keys; certbot's own
}

const cache = new Map<Program, string | undefined>()

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function find(program: Program): string | undefined {
  const pinned = PINNED[program]
  if (pinned) return executable(pinned) ? pinned : undefined
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']
  return dirs.filter(Boolean).map((d) => join(d, program)).find(executable)
}

/** Absolute path of `program`; throws SANDBOX_MISSING_PACKAGES when it is not installed. */
export function bin(program: Program): string {
  if (!cache.has(program)) cache.set(program, find(program))
  const path = cache.get(program)
  if (!path) throw missing([program])
  return path
}

/** Checks every program at once, so one error lists everything to install. */
export function checkPrograms(options: { wildcard?: boolean } = {}): void {
  const wanted: Program[] = [...REQUIRED_PROGRAMS, ...(options.wildcard ? WILDCARD_PROGRAMS : [])]
  const absent: string[] = wanted.filter((p) => {
    if (!cache.has(p)) cache.set(p, find(p))
    return !cache.get(p)
  })
  if (options.wildcard && !existsSync(RFC2136_PLUGIN)) absent.push("certbot's rfc2136 plugin")
  if (absent.length) throw missing(absent, options.wildcard)
}

function missing(programs: readonly string[], wildcard = false): GangwayError {
  return new GangwayError('SANDBOX_MISSING_PACKAGES', `missing: ${programs.join(', ')}`, {
    hint: `sudo apt-get install -y openssh-server nginx certbot pebble${wildcard ? ' bind9 python3-certbot-dns-rfc2136' : ''}`,
  })
}
