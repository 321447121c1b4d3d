/**
 * The workstation's side of setup: the tunnel key (made here; the private key never
 * leaves this machine), the proxy's host keys in Gangway's own known_hosts, and the
 * user-config profile that lets adapters run with no options.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname, userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import ssh2 from 'ssh2'
import { readUserConfig, writeProfile, type Profile } from '../config/user-config.js'
import { checkHostKey } from '../ssh/known-hosts.js'

export interface TunnelKey {
  file: string
  /** `ssh-ed25519 AAAA…` */
  publicKey: string
  comment: string
  created: boolean
}

/** Next to the config file, one key per profile: `keys/<profile>_ed25519`. */
export function tunnelKeyFile(configFile: string, profile: string): string {
  return join(dirname(configFile), 'keys', `${profile.replace(/[^A-Za-z0-9._-]/g, '_')}_ed25519`)
}

export function ensureTunnelKey(file: string): TunnelKey {
  const comment = `gangway-tunnel ${userInfo().username}@${hostname()}`
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment })
    writeFileSync(file, pair.private, { mode: 0o600 })
    writeFileSync(`${file}.pub`, `${pair.public}\n`, { mode: 0o644 })
    return { file, publicKey: pair.public.split(' ').slice(0, 2).join(' '), comment, created: true }
  }
  const parsed = ssh2.utils.parseKey(readFileSync(file))
  if (parsed instanceof Error) throw parsed
  const key = Array.isArray(parsed) ? parsed[0]! : parsed
  return { file, publicKey: `${key.type} ${key.getPublicSSH().toString('base64')}`, comment, created: false }
}

/** Adds the host keys under `name` when missing; true when the file changed. */
export function trustHostKeys(file: string, name: string, publicKeys: string[]): boolean {
  let added = false
  for (const line of publicKeys) {
    const [type, blob] = line.trim().split(/\s+/)
    if (!type || !blob) continue
    if (existsSync(file) && checkHostKey([file], [name], Buffer.from(blob, 'base64')).result === 'known') continue
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    const old = existsSync(file) ? readFileSync(file, 'utf8') : ''
    writeFileSync(file, `${old}${old && !old.endsWith('\n') ? '\n' : ''}${name} ${type} ${blob}\n`, { mode: 0o644 })
    added = true
  }
  return added
}

/** Writes the profile (and makes it the default); true when it changed. */
export function saveProfile(configFile: string, name: string, profile: Profile): boolean {
  const config = readUserConfig(configFile)
  if (JSON.stringify(config.profiles[name]) === JSON.stringify(profile) && config.default === name) return false
  writeProfile(configFile, name, profile, { makeDefault: true })
  return true
}
