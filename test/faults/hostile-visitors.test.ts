/**
 * Bad input from visitors: a 1 MiB header, a slowloris client and bytes that are not HTTP.
 * nginx turns each away (or holds it) without bothering the dev server; the tunnel and
 * every other connection keep working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import net from 'node:net'
import { openTunnel, type Tunnel } from '@gangway/core'
import { echoHandler, expectedSha256, listen, publicRequest, type LocalServer } from '#test-utils'
import { openBystander, rawTls, readAll, sha256, type Bystander } from './helpers.js'

describe('bad input: hostile visitors', () => {
  let local: LocalServer
  let tunnel: Tunnel
  let bystander: Bystander
  let host: string
  const reached: string[] = []
  const states: string[] = []

  beforeAll(async () => {
    const echo = echoHandler()
    local = await listen((req, res) => {
      reached.push(req.url ?? '')
      echo(req, res)
    })
    tunnel = await openTunnel({ port: local.port, name: 'fault-hostile', localHost: '127.0.0.1' })
    tunnel.on('status', (s) => states.push(s.state))
    host = new URL(tunnel.url).host
    bystander = await openBystander('fault-hostile-bystander')
  })
  afterAll(async () => {
    await tunnel?.close()
    await local?.close()
    await bystander?.close()
  })

  async function stillFine(): Promise<void> {
    const r = await publicRequest(new URL('/bytes/1048576', tunnel.url).href)
    expect(r.status).toBe(200)
    expect(sha256(r.body)).toBe(expectedSha256(1048576))
    expect(states).toEqual([])
    await bystander.check()
  }

  it('a request with a 1 MiB header gets a 4xx from nginx and never reaches the dev server', async () => {
    const s = await rawTls(tunnel.url)
    const reply = readAll(s)
    s.write(`GET /big-header HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(1024 * 1024)}\r\n\r\n`, () => {})
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(await reply)?.[1])
    expect([400, 413, 414, 431, 494]).toContain(status)
    expect(reached).not.toContain('/big-header')
    await stillFine()
  }, 30_000)

  it('slowloris clients (a header byte every 200 ms) do not slow other visitors down', async () => {
    const slow = await Promise.all(Array.from({ length: 20 }, () => rawTls(tunnel.url)))
    const head = `GET /slowloris HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `
    let i = 0
    const drip = setInterval(() => {
      for (const s of slow) s.write(head[i % head.length] ?? 'a')
      i++
    }, 200)
    try {
      for (let k = 0; k < 5; k++) {
        const t0 = Date.now()
        expect((await publicRequest(tunnel.url)).text).toBe('hello from local')
        expect(Date.now() - t0).toBeLessThan(2_000)
        await new Promise((r) => setTimeout(r, 300))
      }
    } finally {
      clearInterval(drip)
      for (const s of slow) s.destroy()
    }
    expect(reached).not.toContain('/slowloris')
    await stillFine()
  }, 30_000)

  it('garbage instead of HTTP, inside TLS and in plain TCP, is turned away by nginx', async () => {
    const before = reached.length
    const s = await rawTls(tunnel.url)
    const reply = readAll(s)
    s.write(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256)))
    expect(await reply).toMatch(/^(HTTP\/1\.1 400|$)/)
    const port = Number(new URL(tunnel.url).port)
    const plain = net.connect(port, '127.0.0.1')
    const plainReply = readAll(plain, 5_000)
    plain.write('\x00\x01garbage\r\n\r\n')
    await plainReply // nginx's TLS layer refuses it; all that matters is what follows
    expect(reached.length).toBe(before)
    await stillFine()
  }, 30_000)
})
