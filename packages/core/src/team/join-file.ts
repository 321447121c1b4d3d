/**
 * The join file `gangway invite` writes and `gangway join` reads: everything a teammate's
 * workstation needs to use the proxy with its own key — where the proxy is, the host keys
 * to trust, the zones and port, and (only when the admin made the key) the private key.
 */
import { readFileSync } from 'node:fs'
import { GangwayError } from '../errors.js'
import { LABEL } from '../proxy/agent-config.js'

export interface JoinFile {
  gangway: 'join'
  version: 1
  /** The key's label on the proxy: the owner of its shares. */
  label: string
  /** ssh target of the tunnel account, `user@host[:port]`. */
  proxy: string
  /** The name the host keys are trusted under (`host` or `[host]:port`). */
  knownHostsName: string
  /** `type base64` of each host key of the proxy. */
  hostKeys: string[]
  /** The default zone; `zones` lists every zone the proxy serves. */
  domain: string
  zones: string[]
  publicPort: number
  socketDir: string
  /** OpenSSH private key, when the invitation made the key (no --pubkey). */
  privateKey?: string
  /** SHA256 fingerprint of the key's public half. */
  fingerprint: string
  /** A private CA that signs the proxy's certificates (a sandbox's pebble root). */
  caPem?: string
  /** Where the share hosts resolve when DNS does not know them (a sandbox: 127.0.0.1). */
  resolveTo?: string
}

const KEY = /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,2}$/
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{1,63}$/
const TARGET = /^[a-z_][a-z0-9_-]{0,31}@[A-Za-z0-9.:[\]-]+$/
const DIR = /^\/[A-Za-z0-9._/@+=,:-]*$/

export function readJoinFile(path: string): JoinFile {
  let data: Partial<JoinFile>
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as Partial<JoinFile>
  } catch (err) {
    throw new GangwayError('JOIN_FILE_INVALID', `cannot read the join file ${path}: ${(err as Error).message}`, {
      hint: 'Use the file that gangway invite wrote, unchanged.',
    })
  }
  const problems: string[] = []
  if (data.gangway !== 'join' || data.version !== 1) problems.push('it is not a Gangway join file (version 1)')
  if (typeof data.label !== 'string' || !LABEL.test(data.label)) problems.push('label')
  if (typeof data.proxy !== 'string' || !TARGET.test(data.proxy)) problems.push('proxy')
  if (typeof data.knownHostsName !== 'string' || /\s/.test(data.knownHostsName)) problems.push('knownHostsName')
  if (!Array.isArray(data.hostKeys) || !data.hostKeys.length || !data.hostKeys.every((k) => typeof k === 'string' && KEY.test(k))) problems.push('hostKeys')
  if (typeof data.domain !== 'string' || !DOMAIN.test(data.domain)) problems.push('domain')
  if (!Array.isArray(data.zones) || !data.zones.every((z) => typeof z === 'string' && DOMAIN.test(z))) problems.push('zones')
  if (!Number.isInteger(data.publicPort) || data.publicPort! < 1 || data.publicPort! > 65535) problems.push('publicPort')
  if (typeof data.socketDir !== 'string' || !DIR.test(data.socketDir)) problems.push('socketDir')
  if (data.privateKey !== undefined && (typeof data.privateKey !== 'string' || !data.privateKey.includes('PRIVATE KEY'))) problems.push('privateKey')
  if (typeof data.fingerprint !== 'string' || !data.fingerprint.startsWith('SHA256:')) problems.push('fingerprint')
  if (data.caPem !== undefined && (typeof data.caPem !== 'string' || !data.caPem.includes('BEGIN CERTIFICATE'))) problems.push('caPem')
  if (data.resolveTo !== undefined && (typeof data.resolveTo !== 'string' || !/^[0-9a-fA-F.:]+$/.test(data.resolveTo))) problems.push('resolveTo')
  if (problems.length) {
    throw new GangwayError('JOIN_FILE_INVALID', `${path} is not a valid join file (${problems.join(', ')})`, {
      hint: 'Ask the proxy admin for a new one: gangway invite LABEL --out FILE.',
    })
  }
  return data as JoinFile
}
