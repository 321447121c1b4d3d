/**
 * The user config file: named profiles of proxy settings, written by
 * `gangway setup` / `gangway sandbox up` so that adapters need no options.
 *
 *   { "default": "sandbox", "profiles": { "sandbox": { "proxy": "…", "domain": "…" } } }
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { GangwayError } from '../errors.js'
import { closest } from './closest.js'
import { FIELDS, PROFILE_ONLY, profileKind } from './fields.js'

export interface Profile {
  proxy?: string
  domain?: string
  publicPort?: number
  identityFile?: string
  knownHostsFile?: string
  caFile?: string
  resolveTo?: string
  maxBodySize?: string
  /** Where the proxy's sessions bind their sockets (written by setup, join, sandbox). */
  socketDir?: string
  /** The admin's ssh target (`gangway setup` used it): invite, keys and revoke go there. */
  admin?: string
  /** A local sandbox's directory: its admin commands run on this machine. */
  sandboxDir?: string
  /** Hold rules for every share of this profile (`METHOD:/path-prefix`). */
  hold?: string[]
}

export interface UserConfig {
  default?: string
  profiles: Record<string, Profile>
}

/** The profile's keys: the settings of config/fields.ts a profile may hold, and setup's own. */
export const PROFILE_KEYS = [
  ...Object.entries(FIELDS).filter(([, f]) => 'profile' in f && f.profile).map(([k]) => k),
  ...Object.keys(PROFILE_ONLY),
] as ReadonlyArray<keyof Profile>

export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GANGWAY_CONFIG) return env.GANGWAY_CONFIG
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config')
  return join(base, 'gangway', 'config.json')
}

export function readUserConfig(file: string): UserConfig {
  if (!existsSync(file)) return { profiles: {} }
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new GangwayError('CONFIG_INVALID', `${file} is not valid JSON: ${(err as Error).message}`, {
      hint: 'Fix the file or delete it and run gangway setup (or gangway sandbox up) again.',
    })
  }
  const problems: string[] = []
  if (typeof data !== 'object' || data === null || Array.isArray(data)) problems.push('the top level must be an object')
  const obj = (data ?? {}) as Record<string, unknown>
  for (const k of Object.keys(obj)) if (k !== 'default' && k !== 'profiles') problems.push(`unknown key "${k}" (expected "default" and "profiles")`)
  if (obj.default !== undefined && typeof obj.default !== 'string') problems.push('"default" must be a profile name (string)')
  const profiles = (obj.profiles ?? {}) as Record<string, unknown>
  if (typeof profiles !== 'object' || Array.isArray(profiles)) problems.push('"profiles" must be an object of profiles')
  for (const [name, p] of Object.entries(profiles)) {
    if (typeof p !== 'object' || p === null) {
      problems.push(`profiles.${name} must be an object`)
      continue
    }
    for (const [k, v] of Object.entries(p as Record<string, unknown>)) {
      const kind = profileKind(k)
      if (!kind) {
        const near = closest(k, PROFILE_KEYS)
        problems.push(`profiles.${name}.${k} is not a setting${near ? ` (did you mean ${near}?)` : ''} (known: ${PROFILE_KEYS.join(', ')})`)
      } else if (kind === 'strings' ? !(Array.isArray(v) && v.every((x) => typeof x === 'string')) : typeof v !== kind) {
        problems.push(`profiles.${name}.${k} must be ${kind === 'strings' ? 'a list of strings' : `a ${kind}`} (it is ${JSON.stringify(v)})`)
      }
    }
  }
  if (problems.length) {
    throw new GangwayError('CONFIG_INVALID', `${file}: ${problems.join('; ')}`, { hint: 'Fix these keys in the config file.' })
  }
  return { default: obj.default as string | undefined, profiles: profiles as Record<string, Profile> }
}

/** Adds or replaces one profile; makes it the default when there is none yet (or when asked). */
export function writeProfile(file: string, name: string, profile: Profile, options: { makeDefault?: boolean } = {}): void {
  const config = readUserConfig(file)
  config.profiles[name] = profile
  if (!config.default || options.makeDefault) config.default = name
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 })
  renameSync(tmp, file)
}

export function removeProfile(file: string, name: string): void {
  const config = readUserConfig(file)
  if (!config.profiles[name]) return
  delete config.profiles[name]
  if (config.default === name) config.default = Object.keys(config.profiles)[0]
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 })
  renameSync(tmp, file)
}
