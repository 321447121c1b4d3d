/**
 * Host key checking against OpenSSH known_hosts files: plain names, `[host]:port`,
 * comma lists, wildcards, hashed entries (`|1|salt|hmac`), and the @revoked marker.
 * The answer is 'known', 'changed' (the host is listed with other keys) or 'unknown'.
 */
import { createHash, createHmac } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { hostMatches } from './config.js'

export interface HostKeyCheck {
  result: 'known' | 'changed' | 'unknown' | 'revoked'
  /** Fingerprints of the keys on file for this host, when it is 'changed'. */
  knownFingerprints: string[]
  /** Where the offending entries are, `file:line`. */
  locations: string[]
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

/** `SHA256:…` as OpenSSH prints it. */
export function fingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')
}

/** The key type named inside an SSH public key blob (`ssh-ed25519`, …). */
export function keyType(keyBlob: Buffer): string {
  const len = keyBlob.readUInt32BE(0)
  return keyBlob.subarray(4, 4 + len).toString('latin1')
}

function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|')
    if (!salt || !hash) return false
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64')
    return mac === hash
  }
  return hostMatches(field.split(','), name)
}

export function checkHostKey(files: string[], names: string[], keyBlob: Buffer): HostKeyCheck {
  const presented = keyBlob.toString('base64')
  let known = false
  const others: string[] = []
  const locations: string[] = []
  for (const file of files) {
    if (!existsSync(file)) continue
    let lines: string[]
    try {
      lines = readFileSync(file, 'utf8').split(/\r?\n/)
    } catch {
      continue
    }
    lines.forEach((raw, i) => {
      const line = raw.trim()
      if (!line || line.startsWith('#')) return
      const parts = line.split(/\s+/)
      let marker: string | undefined
      if (parts[0]!.startsWith('@')) marker = parts.shift()
      const [hosts, , blob] = parts
      if (!hosts || !blob) return
      if (marker === '@cert-authority') return
      if (!names.some((n) => hostFieldMatches(hosts, n))) return
      if (marker === '@revoked') {
        if (blob === presented) {
          known = false
          locations.push(`${file}:${i + 1}`)
          others.push('revoked')
        }
        return
      }
      if (blob === presented) known = true
      else {
        try {
          others.push(fingerprint(Buffer.from(blob, 'base64')))
        } catch {
          others.push('(unreadable key)')
        }
        locations.push(`${file}:${i + 1}`)
      }
    })
  }
  if (others.includes('revoked')) return { result: 'revoked', knownFingerprints: [], locations }
  if (known) return { result: 'known', knownFingerprints: [], locations: [] }
  if (others.length) return { result: 'changed', knownFingerprints: others, locations }
  return { result: 'unknown', knownFingerprints: [], locations: [] }
}

/** Records a newly trusted key (accept-new), creating the file if needed. */
export function addKnownHost(file: string, name: string, keyBlob: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  appendFileSync(file, `${name} ${keyType(keyBlob)} ${keyBlob.toString('base64')}\n`, { mode: 0o600 })
}

/** The trusted host keys of `names` (`type base64`), for handing on to another machine. */
export function trustedHostKeys(files: string[], names: string[]): string[] {
  const keys = new Set<string>()
  for (const file of files) {
    if (!existsSync(file)) continue
    for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
      const parts = raw.trim().split(/\s+/)
      if (!parts[0] || parts[0].startsWith('#') || parts[0].startsWith('@')) continue
      const [hosts, type, blob] = parts
      if (hosts && type && blob && names.some((n) => hostFieldMatches(hosts, n))) keys.add(`${type} ${blob}`)
    }
  }
  return [...keys]
}
