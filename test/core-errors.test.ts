/**
 * Bad inputs against the real sandbox: each is a clear GangwayError with a fix, none
 * is retried, and nothing is written on the proxy.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { GangwayError, openTunnel, type TunnelOptions } from '@gangway/core'
import { echoHandler, listen, publicRequest, type LocalServer } from '#test-utils'

const sb = inject('sandbox')
const tmp = mkdtempSync(join(tmpdir(), 'gw-errors-'))
const sharesDir = (JSON.parse(readFileSync(sb.agentConfig, 'utf8')) as { sharesDir: string }).sharesDir

async function failure(options: Partial<TunnelOptions>): Promise<GangwayError> {
  try {
    const t = await openTunnel({ port: local.port, name: 'errors', ...options })
    await t.close()
  } catch (err) {
    expect(err).toBeInstanceOf(GangwayError)
    return err as GangwayError
  }
  throw new Error('openTunnel did not fail')
}

function shareFiles(): string[] {
  return readdirSync(sharesDir).sort()
}

let local: LocalServer
let before: string[]
beforeAll(async () => {
  local = await listen(echoHandler())
  before = shareFiles()
})
afterAll(async () => {
  await local?.close()
})

describe('bad inputs fail clearly and write nothing on the proxy', () => {
  it('a changed host key is fatal and shows both fingerprints', async () => {
    const { public: pub } = ssh2.utils.generateKeyPairSync('ed25519')
    const kh = join(tmp, 'kh-changed')
    writeFileSync(kh, `[127.0.0.1]:${sb.sshPort} ${pub}\n`)
    const err = await failure({ knownHostsFile: kh })
    expect(err.code).toBe('HOST_KEY_CHANGED')
    const offered = execFileSync('ssh-keygen', ['-lf', sb.knownHostsFile], { encoding: 'utf8' }).split(' ')[1]!
    const onFile = execFileSync('ssh-keygen', ['-lf', kh], { encoding: 'utf8' }).split(' ')[1]!
    expect(err.message).toContain(offered)
    expect(err.message).toContain(onFile)
    expect(err.hint).toContain('ssh-keygen -R')
  })

  it('an unknown host fails with the command that trusts it; accept-new records it', async () => {
    const kh = join(tmp, 'kh-empty')
    writeFileSync(kh, '')
    const err = await failure({ knownHostsFile: kh })
    expect(err.code).toBe('HOST_KEY_UNKNOWN')
    expect(err.hint).toContain(`ssh-keyscan -p ${sb.sshPort} 127.0.0.1`)
    expect(readFileSync(kh, 'utf8')).toBe('')

    const t = await openTunnel({ port: local.port, name: 'errors-accept', knownHostsFile: kh, acceptNewHostKey: true })
    expect((await publicRequest(t.url)).text).toBe('hello from local')
    await t.close()
    expect(readFileSync(kh, 'utf8')).toContain(`[127.0.0.1]:${sb.sshPort} ssh-ed25519 `)
  })

  it('a key the proxy does not know is refused, naming the key tried', async () => {
    const key = join(tmp, 'wrong_key')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])
    const err = await failure({ identityFile: key })
    expect(err.code).toBe('AUTH_FAILED')
    expect(err.message).toContain(key)
  })

  it('an encrypted key without passphrase says so; a wrong passphrase says so', async () => {
    const key = join(tmp, 'enc_key')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret-pass', '-f', key])
    const err = await failure({ identityFile: key })
    expect(err.code).toBe('KEY_PASSPHRASE_REQUIRED')
    expect(err.hint).toContain('GANGWAY_KEY_PASSPHRASE')
    const wrong = await failure({ identityFile: key, passphrase: 'nope' })
    expect(wrong.code).toBe('KEY_PASSPHRASE_WRONG')
    expect(wrong.message).not.toContain('nope')
  })

  it('an unreadable key file is named', async () => {
    const err = await failure({ identityFile: join(tmp, 'does-not-exist') })
    expect(err.code).toBe('KEY_UNREADABLE')
  })

  it('an unreachable proxy fails at once', async () => {
    const err = await failure({ proxy: `${sb.user}@127.0.0.1:1` })
    expect(err.code).toBe('PROXY_UNREACHABLE')
    expect(err.message).toContain('refused')
  })

  it.each(['a;b', '../x', 'x'.repeat(64), 'Upper', 'ünï', 'x\nserver{'])('the share name %j is refused before connecting', async (name) => {
    const err = await failure({ name })
    expect(err.code).toBe('INVALID_NAME')
  })

  it('a local port out of range is refused', async () => {
    const err = await failure({ port: 70000 })
    expect(err.code).toBe('INVALID_PORT')
  })

  it('left no file behind on the proxy', () => {
    expect(shareFiles().filter((f) => !f.startsWith('errors-accept'))).toEqual(before)
  })
})
