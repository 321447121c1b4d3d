/**
 * `gangway join FILE`: a teammate's workstation takes an invitation — its key, the proxy's
 * host keys and a profile (the default one when there is none yet) — and can share at once.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join as joinPath } from 'node:path'
import ssh2 from 'ssh2'
import { GangwayError } from '../errors.js'
import { defaultConfigFile, readUserConfig, writeProfile, type Profile } from '../config/user-config.js'
import { fingerprint } from '../ssh/known-hosts.js'
import { trustHostKeys, tunnelKeyFile } from '../setup/workstation.js'
import { readJoinFile } from './join-file.js'

export interface JoinOptions {
  /** Profile to write. @default the join file's domain */
  profile?: string
  /** @default env GANGWAY_CONFIG, else ~/.config/gangway/config.json */
  configFile?: string
  /** The private key whose public half the admin registered (invitations made with --pubkey). */
  identityFile?: string
}

export interface JoinResult {
  profile: string
  configFile: string
  label: string
  domain: string
  identityFile: string
  /** The profile became the default (there was none). */
  isDefault: boolean
}

function keyFingerprint(privateKey: string | Buffer): string | undefined {
  const parsed = ssh2.utils.parseKey(privateKey)
  if (parsed instanceof Error) return undefined
  const key = Array.isArray(parsed) ? parsed[0]! : parsed
  return fingerprint(key.getPublicSSH())
}

export function joinProxy(file: string, options: JoinOptions = {}): JoinResult {
  const invitation = readJoinFile(file)
  const configFile = options.configFile ?? defaultConfigFile()
  const profile = options.profile ?? invitation.domain
  const dir = dirname(configFile)

  let identityFile = options.identityFile
  if (invitation.privateKey) {
    identityFile ??= tunnelKeyFile(configFile, profile)
    if (existsSync(identityFile) && readFileSync(identityFile, 'utf8') !== invitation.privateKey) {
      throw new GangwayError('CONFIG_INVALID', `${identityFile} already holds another key`, { hint: 'Pass --profile NAME to join under another profile name.' })
    }
    mkdirSync(dirname(identityFile), { recursive: true, mode: 0o700 })
    writeFileSync(identityFile, invitation.privateKey, { mode: 0o600 })
  }
  if (!identityFile) {
    throw new GangwayError('CONFIG_MISSING', `the invitation for ${invitation.label} carries no key: it was made for your public key`, {
      hint: 'Pass --identity-file with the private key whose .pub you gave the proxy admin.',
    })
  }
  const actual = keyFingerprint(readFileSync(identityFile))
  if (actual !== invitation.fingerprint) {
    throw new GangwayError('CONFIG_INVALID', `${identityFile} is not the key the proxy knows as ${invitation.label} (${invitation.fingerprint}, this one is ${actual ?? 'unreadable'})`, {
      hint: 'Pass the private key whose .pub you gave the proxy admin (an encrypted key: use ssh-agent, or decrypt it first).',
    })
  }

  const knownHostsFile = joinPath(dir, 'known_hosts')
  trustHostKeys(knownHostsFile, invitation.knownHostsName, invitation.hostKeys)
  let caFile: string | undefined
  if (invitation.caPem) {
    caFile = joinPath(dir, 'ca', `${profile.replace(/[^A-Za-z0-9._-]/g, '_')}.pem`)
    mkdirSync(dirname(caFile), { recursive: true, mode: 0o700 })
    writeFileSync(caFile, invitation.caPem, { mode: 0o644 })
  }
  const entry: Profile = {
    proxy: invitation.proxy,
    domain: invitation.domain,
    ...(invitation.publicPort === 443 ? {} : { publicPort: invitation.publicPort }),
    identityFile,
    knownHostsFile,
    socketDir: invitation.socketDir,
    ...(caFile ? { caFile } : {}),
    ...(invitation.resolveTo ? { resolveTo: invitation.resolveTo } : {}),
  }
  const hadDefault = Boolean(readUserConfig(configFile).default)
  writeProfile(configFile, profile, entry)
  return { profile, configFile, label: invitation.label, domain: invitation.domain, identityFile, isDefault: !hadDefault }
}
