/**
 * What every fault row checks besides its own outcome: another share on the same proxy
 * still serves byte-identical bodies, and no sshd session or listener is left behind.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import tls from 'node:tls'
import { expect, inject } from 'vitest'
import { openTunnel, type Tunnel } from '@gangway/core'
import { sshdSessionPids } from '@gangway/core/testing'
import { echoHandler, expectedSha256, listen, publicRequest, type LocalServer } from '#test-utils'

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

export interface Bystander {
  tunnel: Tunnel
  local: LocalServer
  /** 1 MiB through the bystander share, sha256-identical. */
  check(): Promise<void>
  close(): Promise<void>
}

export async function openBystander(name: string): Promise<Bystander> {
  const local = await listen(echoHandler())
  const tunnel = await openTunnel({ port: local.port, name, localHost: '127.0.0.1' })
  return {
    tunnel,
    local,
    async check() {
      const res = await publicRequest(new URL('/bytes/1048576', tunnel.url).href)
      expect(res.status).toBe(200)
      expect(sha256(res.body)).toBe(expectedSha256(1048576))
      expect(tunnel.state).toBe('online')
    },
    async close() {
      await tunnel.close()
      await local.close()
    },
  }
}

/** Waits until the sandbox has no more sshd sessions than `before` (dead ones end in ~3 s). */
export async function expectSessionsBackTo(before: number, timeoutMs = 15_000): Promise<void> {
  const sb = inject('sandbox')
  await expect.poll(() => sshdSessionPids(sb).length, { timeout: timeoutMs, interval: 200 }).toBeLessThanOrEqual(before)
}

/** A TLS connection to the share's public host, for visitors no HTTP client would send. */
export function rawTls(url: string): Promise<tls.TLSSocket> {
  const sb = inject('sandbox')
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: sb.resolveTo, port: Number(u.port), servername: u.hostname, ca: readFileSync(sb.caFile) }, () => resolve(s))
    s.once('error', reject)
  })
}

/** Everything the server sends until it closes (or `timeoutMs`). */
export function readAll(s: tls.TLSSocket | import('node:net').Socket, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    let out = ''
    const done = () => resolve(out)
    s.on('data', (d: Buffer) => (out += d.toString('latin1')))
    s.once('close', done)
    s.once('error', done)
    setTimeout(() => {
      s.destroy()
      done()
    }, timeoutMs)
  })
}
