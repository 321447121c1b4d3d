import { createHmac, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { describe, expect, it } from 'vitest'
import { addKnownHost, checkHostKey, fingerprint, knownHostsName } from '../src/ssh/known-hosts.js'

function newKeyBlob(): { blob: Buffer; line: string } {
  const { public: pub } = ssh2.utils.generateKeyPairSync('ed25519')
  const blob = Buffer.from(pub.split(' ')[1]!, 'base64')
  return { blob, line: `ssh-ed25519 ${blob.toString('base64')}` }
}

function hashed(name: string): string {
  const salt = randomBytes(20)
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`
}

describe('known_hosts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-kh-'))
  const a = newKeyBlob()
  const b = newKeyBlob()

  it('uses [host]:port for non-22 ports, like OpenSSH', () => {
    expect(knownHostsName('proxy.example.com', 22)).toBe('proxy.example.com')
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222')
  })

  it('matches plain, listed, wildcard and hashed entries', () => {
    const file = join(dir, 'kh1')
    writeFileSync(file, [`# comment`, `other.example,[127.0.0.1]:2222 ${a.line}`, `*.example.org ${a.line}`, `${hashed('[h.example]:2200')} ${a.line}`].join('\n'))
    expect(checkHostKey([file], ['[127.0.0.1]:2222'], a.blob).result).toBe('known')
    expect(checkHostKey([file], ['x.example.org'], a.blob).result).toBe('known')
    expect(checkHostKey([file], ['[h.example]:2200'], a.blob).result).toBe('known')
    expect(checkHostKey([file], ['127.0.0.1'], a.blob).result).toBe('unknown')
    expect(checkHostKey([file], ['[h.example]:2201'], a.blob).result).toBe('unknown')
  })

  it('reports a changed key with the fingerprints on file and where', () => {
    const file = join(dir, 'kh2')
    writeFileSync(file, `${hashed('proxy')} ${a.line}\n`)
    const check = checkHostKey([file], ['proxy'], b.blob)
    expect(check.result).toBe('changed')
    expect(check.knownFingerprints).toEqual([fingerprint(a.blob)])
    expect(check.locations).toEqual([`${file}:1`])
  })

  it('refuses a @revoked key even when it is also listed', () => {
    const file = join(dir, 'kh3')
    writeFileSync(file, `proxy ${a.line}\n@revoked * ${a.line}\n`)
    expect(checkHostKey([file], ['proxy'], a.blob).result).toBe('revoked')
  })

  it('accept-new appends an entry that then matches', () => {
    const file = join(dir, 'sub', 'kh4')
    addKnownHost(file, '[127.0.0.1]:2022', a.blob)
    expect(readFileSync(file, 'utf8')).toContain('[127.0.0.1]:2022 ssh-ed25519 ')
    expect(checkHostKey([file], ['[127.0.0.1]:2022'], a.blob).result).toBe('known')
  })

  it('prints SHA256 fingerprints without padding', () => {
    expect(fingerprint(a.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
  })
})
