/**
 * The inspector's server with a synthetic tap and a real local server: API, live
 * updates, replay, and who may talk to it (loopback, own Host, own Origin, no CORS).
 */
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isLoopbackAddress } from '../src/inspect/guard.js'
import { startInspector, type Inspector } from '../src/inspect/inspector.js'

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
}

/** The token of the inspector under test: `call` sends it unless told not to. */
let token = ''

function call(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string; anonymous?: boolean } = {}): Promise<Answer> {
  const headers = { ...(options.anonymous ? {} : { authorization: `Bearer ${token}` }), ...options.headers }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers, agent: false }, (res) => {
      let text = ''
      res.on('data', (c: Buffer) => (text += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

const SIGNED = '{"type":"event_callback","event":{"type":"app_mention","text":"hi"}}'

describe('inspector server', () => {
  let inspector: Inspector
  let local: http.Server
  let localPort: number
  const received: { method: string; url: string; headers: string[]; body: string }[] = []

  beforeAll(async () => {
    local = http.createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, headers: req.rawHeaders, body })
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ ok: true, n: received.length }))
      })
    })
    await new Promise<void>((r) => local.listen(0, '127.0.0.1', () => r()))
    localPort = (local.address() as AddressInfo).port
    inspector = await startInspector({ localPort, localHost: '127.0.0.1', port: 0, maxBodyBytes: 256 })
    token = inspector.token
    const tap = inspector.tap()!
    tap.visitor(Buffer.from(`POST /slack/events HTTP/1.1\r\nHost: bot.gangway.test\r\nX-Slack-Signature: v0=abc\r\nContent-Type: application/json\r\nContent-Length: ${SIGNED.length}\r\n\r\n${SIGNED}`))
    tap.local(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'))
    tap.visitor(Buffer.from(`POST /big HTTP/1.1\r\nHost: bot.gangway.test\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(1000)}`))
    tap.local(Buffer.from('HTTP/1.1 413 Too Big\r\nContent-Length: 0\r\n\r\n'))
    tap.close()
  })
  afterAll(async () => {
    await inspector.close()
    await inspector.close() // safe twice
    await new Promise((r) => local.close(r))
  })

  it('listens on 127.0.0.1 only', () => {
    expect(inspector.url).toBe(`http://127.0.0.1:${inspector.port}/?token=${inspector.token}`)
    expect(inspector.token).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(isLoopbackAddress('127.0.0.1') && isLoopbackAddress('::ffff:127.0.0.5') && isLoopbackAddress('::1')).toBe(true)
    expect(isLoopbackAddress('192.0.2.2') || isLoopbackAddress('::ffff:10.0.0.1') || isLoopbackAddress('fe80::1')).toBe(false)
  })

  it('lists requests and shows one with headers and pretty JSON', async () => {
    const list = JSON.parse((await call(inspector.port, '/api/requests')).text)
    expect(list.requests.map((r: { path: string }) => r.path)).toEqual(['/big', '/slack/events'])
    const one = JSON.parse((await call(inspector.port, `/api/requests/${list.requests[1].id}`)).text)
    expect(one.request.headers).toContainEqual(['X-Slack-Signature', 'v0=abc'])
    expect(one.request.body.kind).toBe('json')
    expect(one.request.body.text).toContain('"type": "event_callback"')
    const big = JSON.parse((await call(inspector.port, `/api/requests/${list.requests[0].id}`)).text)
    expect(big.request.body).toMatchObject({ truncated: true, size: 1000, storedSize: 256 })
  })

  it('replays a request to the local server byte-for-byte and records it beside the original', async () => {
    const before = received.length
    const res = await call(inspector.port, '/api/requests/1/replay', { method: 'POST' })
    expect(res.status).toBe(201)
    const ex = JSON.parse(res.text)
    expect(ex).toMatchObject({ replayOf: 1, source: 'replay', status: 200, state: 'complete' })
    expect(received.length).toBe(before + 1)
    const got = received.at(-1)!
    expect(got.body).toBe(SIGNED)
    expect(got.headers).toEqual(expect.arrayContaining(['Host', 'bot.gangway.test', 'X-Slack-Signature', 'v0=abc']))
    expect(JSON.parse((await call(inspector.port, `/api/requests/${ex.id}`)).text).response.body.kind).toBe('json')
  })

  it('replays with edits, and refuses a truncated body unless a new one is given', async () => {
    const edits = { method: 'PUT', path: '/edited?x=1', headers: [['Host', 'bot.gangway.test'], ['X-Edit', 'yes']], body: 'new body' }
    const res = await call(inspector.port, '/api/requests/1/replay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(edits) })
    expect(res.status).toBe(201)
    expect(received.at(-1)).toMatchObject({ method: 'PUT', url: '/edited?x=1', body: 'new body' })
    expect(received.at(-1)!.headers).toEqual(expect.arrayContaining(['X-Edit', 'yes', 'Content-Length', '8']))
    expect((await call(inspector.port, '/api/requests/2/replay', { method: 'POST' })).status).toBe(409)
    const bad = await call(inspector.port, '/api/requests/1/replay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"headers":[["Bad Name","x"]]}' })
    expect(bad.status).toBe(400)
  })

  it('sends live updates over server-sent events', async () => {
    const events: string[] = []
    const req = http.get({ host: '127.0.0.1', port: inspector.port, path: '/api/events', agent: false, headers: { authorization: `Bearer ${token}` } })
    const res = await new Promise<http.IncomingMessage>((r) => req.on('response', r))
    expect(res.headers['content-type']).toMatch(/text\/event-stream/)
    const got = new Promise<void>((resolve) =>
      res.on('data', (c: Buffer) => {
        events.push(c.toString())
        if (events.join('').includes('"/live"')) resolve()
      }),
    )
    const tap = inspector.tap()!
    tap.visitor(Buffer.from('GET /live HTTP/1.1\r\nHost: a\r\n\r\n'))
    tap.local(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'))
    await got
    expect(events.join('')).toMatch(/event: added\ndata: \{[^\n]*"path":"\/live"/)
    req.destroy()
  })

  it('refuses a foreign Host (DNS rebinding) and other origins, with no CORS headers', async () => {
    const rebind = await call(inspector.port, '/api/requests', { headers: { host: `evil.example:${inspector.port}` } })
    expect(rebind.status).toBe(403)
    expect(rebind.text).not.toContain('slack')
    const cross = await call(inspector.port, '/api/requests', { headers: { origin: 'http://evil.example' } })
    expect(cross.status).toBe(403)
    expect(cross.headers['access-control-allow-origin']).toBeUndefined()
    const preflight = await call(inspector.port, '/api/requests/1/replay', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } })
    expect(preflight.status).toBe(403)
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
    expect((await call(inspector.port, '/api/requests', { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403)
    const form = await call(inspector.port, '/api/requests/1/replay', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })
    expect(form.status).toBe(415)
    const own = await call(inspector.port, '/api/requests', { headers: { origin: `http://localhost:${inspector.port}` } })
    expect(own.status).toBe(200)
    expect(own.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('serves the page under a strict CSP', async () => {
    const page = await call(inspector.port, '/')
    expect(page.status).toBe(200)
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'nonce-[^']+'/)
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.text).toContain('<title>Gangway inspector</title>')
  })

  it('answers 401 to the page, the API, live updates and replay without its token', async () => {
    for (const [method, path] of [['GET', '/'], ['GET', '/api/requests'], ['GET', '/api/requests/1'], ['GET', '/api/events'], ['GET', '/api/status'], ['POST', '/api/requests/1/replay'], ['DELETE', '/api/requests']]) {
      const res = await call(inspector.port, path!, { method, anonymous: true, headers: { 'content-type': 'application/json' } })
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 })
      expect(res.text).not.toContain('event_callback')
    }
    const wrong = await call(inspector.port, '/api/requests', { anonymous: true, headers: { authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
    // Another inspector's token is not this one's.
    const other = await startInspector({ localPort, port: 0 })
    expect((await call(inspector.port, '/api/requests', { anonymous: true, headers: { authorization: `Bearer ${other.token}` } })).status).toBe(401)
    await other.close()
  })

  it('serves the page at the printed address without setting a cookie; the API takes the token as Bearer, the live stream in its query', async () => {
    const page = await call(inspector.port, `/?token=${token}`, { anonymous: true })
    expect(page.status).toBe(200)
    // No cookie: a browser would send a cookie of 127.0.0.1 to every server on 127.0.0.1.
    expect(page.headers['set-cookie']).toBeUndefined()
    expect((await call(inspector.port, '/api/requests', { anonymous: true, headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
    expect((await call(inspector.port, `/api/requests?token=${token}`, { anonymous: true })).status).toBe(200)
    // A cookie named like the old one is no credential.
    expect((await call(inspector.port, '/api/requests', { anonymous: true, headers: { cookie: `gw_inspector_${inspector.port}=${token}` } })).status).toBe(401)
  })

  it('falls back to any free port when the wanted one and the next 20 are taken', async () => {
    // 21 ports in a row, all taken by us.
    let blockers: net.Server[] = []
    let base = 0
    while (blockers.length < 21) {
      for (const b of blockers) b.close()
      blockers = []
      base = 40_000 + Math.floor(Math.random() * 20_000)
      for (let p = base; p <= base + 20; p++) {
        const b = net.createServer()
        const ok = await new Promise<boolean>((resolve) => b.once('error', () => resolve(false)).listen(p, '127.0.0.1', () => resolve(true)))
        if (!ok) break
        blockers.push(b)
      }
    }
    const warnings: string[] = []
    const fallback = await startInspector({ localPort, port: base, logger: { info() {}, warn: (m) => warnings.push(m), error() {} } })
    expect(fallback.port < base || fallback.port > base + 20).toBe(true)
    expect(warnings.join('\n')).toContain(`port ${base} is taken`)
    expect((await call(fallback.port, '/api/status', { headers: { authorization: `Bearer ${fallback.token}` } })).status).toBe(200)
    await fallback.close()
    for (const b of blockers) b.close()
  })

  it('takes the next port when the wanted one is busy', async () => {
    const blocker = net.createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()))
    const busy = (blocker.address() as AddressInfo).port
    const next = await startInspector({ localPort, port: busy })
    expect(next.port).toBeGreaterThan(busy)
    await next.close()
    blocker.close()
  })
})
