/**
 * Issue 2's proof: the whole chain on real parts — ssh2 tunnel → sandbox sshd →
 * nginx vhost → pebble certificate → https://NAME.gangway.test — as a visitor sees it.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import https from 'node:https'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { openTunnel, type Tunnel } from '@gangway/core'
import { echoHandler, expectedSha256, listen, publicRequest, sandboxAgent, type LocalServer } from '#test-utils'

const sb = inject('sandbox')

describe('core chain: a public HTTPS URL for a local port', () => {
  let local: LocalServer
  let tunnel: Tunnel

  beforeAll(async () => {
    local = await listen(echoHandler())
    tunnel = await openTunnel({ port: local.port, name: 'chain' })
  })
  afterAll(async () => {
    await tunnel?.close()
    await local?.close()
  })

  it('returns the public URL and serves the local server through it, chain verified by the sandbox CA', async () => {
    expect(tunnel.url).toBe(`https://chain.${sb.domain}:${sb.httpsPort}/`)
    expect(tunnel.state).toBe('online')
    const authorized = await new Promise<boolean>((resolve, reject) => {
      https
        .get(new URL('hello', tunnel.url), { agent: sandboxAgent() }, (res) => {
          res.resume()
          resolve((res.socket as TLSSocket).authorized)
        })
        .on('error', reject)
    })
    expect(authorized).toBe(true)
    const res = await publicRequest(new URL('hello', tunnel.url).href)
    expect(res.status).toBe(200)
    expect(res.text).toBe('hello from local')
  })

  it('passes Host with the public port and the forwarding headers', async () => {
    const res = await publicRequest(new URL('headers', tunnel.url).href)
    const { headers } = JSON.parse(res.text) as { headers: Record<string, string> }
    expect(headers.host).toBe(`chain.${sb.domain}:${sb.httpsPort}`)
    expect(headers['x-forwarded-for']).toBe('127.0.0.1')
    expect(headers['x-forwarded-proto']).toBe('https')
    expect(headers['x-forwarded-host']).toBe(`chain.${sb.domain}:${sb.httpsPort}`)
  })

  it('carries 100 MiB up and 100 MiB down byte-for-byte', async () => {
    const size = 100 * 1024 * 1024
    const down = await publicRequest(new URL(`bytes/${size}`, tunnel.url).href, { timeoutMs: 120_000 })
    expect(down.status).toBe(200)
    expect(down.body.length).toBe(size)
    expect(createHash('sha256').update(down.body).digest('hex')).toBe(expectedSha256(size))

    const body = randomBytes(size)
    const up = await publicRequest(new URL('sha256', tunnel.url).href, { method: 'POST', body, timeoutMs: 120_000 })
    expect(up.status).toBe(200)
    expect(JSON.parse(up.text)).toEqual({ size, sha256: createHash('sha256').update(body).digest('hex') })
  }, 180_000)

  it('completes 200 concurrent connections', async () => {
    const agent = sandboxAgent({ maxSockets: 200, keepAlive: false })
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => publicRequest(new URL(`hello?i=${i}`, tunnel.url).href, { agent, timeoutMs: 60_000 })),
    )
    expect(results.filter((r) => r.status === 200 && r.text === 'hello from local')).toHaveLength(200)
  }, 90_000)
})

describe('core chain: websockets and server-sent events', () => {
  let local: LocalServer
  let tunnel: Tunnel
  let wss: WebSocketServer

  beforeAll(async () => {
    local = await listen((req, res) => {
      if (req.url === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
        res.write('data: first\n\n')
        setTimeout(() => res.end('data: second\n\n'), 1500)
        return
      }
      res.end('ok')
    })
    wss = new WebSocketServer({ server: local.server })
    wss.on('connection', (ws) => ws.on('message', (m, binary) => ws.send(m, { binary })))
    tunnel = await openTunnel({ port: local.port, name: 'chain-ws' })
  })
  afterAll(async () => {
    await tunnel?.close()
    wss?.close()
    await local?.close()
  })

  it('echoes over a websocket through the public URL', async () => {
    const url = tunnel.url.replace('https:', 'wss:') + 'echo'
    const ws = new WebSocket(url, { agent: sandboxAgent() })
    const payload = randomBytes(256 * 1024)
    const echoed = await new Promise<Buffer>((resolve, reject) => {
      ws.on('open', () => ws.send(payload))
      ws.on('message', (data) => resolve(data as Buffer))
      ws.on('error', reject)
    })
    ws.close()
    expect(Buffer.compare(echoed, payload)).toBe(0)
  })

  it('streams server-sent events unbuffered', async () => {
    const got: { text: string; at: number }[] = []
    const start = Date.now()
    await new Promise<void>((resolve, reject) => {
      https
        .get(new URL('events', tunnel.url), { agent: sandboxAgent() }, (res) => {
          expect(res.headers['content-type']).toBe('text/event-stream')
          res.setEncoding('utf8')
          res.on('data', (d: string) => got.push({ text: d, at: Date.now() - start }))
          res.on('end', resolve)
        })
        .on('error', reject)
    })
    const first = got.find((g) => g.text.includes('first'))!
    const second = got.find((g) => g.text.includes('second'))!
    // The first event must arrive while the server still holds the second back (1.5 s).
    expect(first).toBeDefined()
    expect(second.at - first.at).toBeGreaterThan(1000)
  })
})

describe('core chain: when something is down', () => {
  it('answers 502 saying the dev server is not answering, then 503 offline once the tunnel is closed', async () => {
    const local = await listen(echoHandler())
    const port = local.port
    await local.close() // nothing listens on this port any more
    const tunnel = await openTunnel({ port, name: 'chain-down' })
    const res = await publicRequest(tunnel.url)
    expect(res.status).toBe(502)
    expect(res.text).toContain(`localhost:${port}`)
    expect(res.text).toContain('not answering')

    await tunnel.close()
    expect(tunnel.state).toBe('closed')
    const off = await publicRequest(tunnel.url)
    expect(off.status).toBe(503)
    expect(off.headers['retry-after']).toBeDefined()
    expect(off.text).toMatch(/http-equiv="refresh"/)
    await tunnel.close() // idempotent
  })
})
