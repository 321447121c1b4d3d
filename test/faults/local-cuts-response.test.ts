/**
 * Fault: the local server drops a connection in the middle of a response. The visitor of
 * that request sees a cut response (never a complete-looking one); the tunnel, a parallel
 * download and later requests are unaffected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTunnel, type Tunnel } from '@gangway/core'
import { echoHandler, expectedSha256, listen, publicRequest, type LocalServer } from '#test-utils'
import { openBystander, sha256, type Bystander } from './helpers.js'

const BIG = 32 * 1024 * 1024

describe('fault: local server closes a connection mid-response', () => {
  let local: LocalServer
  let tunnel: Tunnel
  let bystander: Bystander
  const states: string[] = []

  beforeAll(async () => {
    const echo = echoHandler()
    local = await listen((req, res) => {
      if (req.url !== '/cut') return echo(req, res)
      res.writeHead(200, { 'content-length': 10 * 1024 * 1024 })
      res.write(Buffer.alloc(1024 * 1024, 'x'), () => req.socket.destroy())
    })
    tunnel = await openTunnel({ port: local.port, name: 'fault-cut', localHost: '127.0.0.1' })
    tunnel.on('status', (s) => states.push(s.state))
    bystander = await openBystander('fault-cut-bystander')
  })
  afterAll(async () => {
    await tunnel?.close()
    await local?.close()
    await bystander?.close()
  })

  it('the cut response is visibly incomplete; everything else carries on', async () => {
    const parallel = publicRequest(new URL(`/bytes/${BIG}`, tunnel.url).href, { timeoutMs: 60_000 })
    for (let i = 0; i < 3; i++) {
      const cut = await publicRequest(new URL('/cut', tunnel.url).href).then(
        (r) => `complete ${r.status} with ${r.body.length} bytes`,
        (err: Error) => `cut: ${err.message}`,
      )
      expect(cut).toMatch(/^cut: /)
    }
    const whole = await parallel
    expect(whole.status).toBe(200)
    expect(sha256(whole.body)).toBe(expectedSha256(BIG))
    expect((await publicRequest(tunnel.url)).text).toBe('hello from local')
    expect(states).toEqual([])
    await bystander.check()
  }, 60_000)
})
