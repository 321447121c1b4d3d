/**
 * Issue 6, the inspector on the real sandbox chain: websockets and SSE still work with
 * it on, a 100 MiB upload is not held in memory, it is reachable from loopback only,
 * and other web origins (or a DNS-rebound name) cannot read it.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import https from 'node:https'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { openTunnel, startInspector, type Inspector, type Tunnel } from '@gangway/core'
import { echoHandler, launchBrowser, listen, publicRequest, runCli, sandboxAgent, type LocalServer } from '#test-utils'

/** Local addresses of listening TCP sockets on `port`, from the kernel's own tables. */
function listeningAddresses(port: number): string[] {
  const found: string[] = []
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/)
      if (!local || state !== '0A') continue // 0A = LISTEN
      const [hex, p] = local.split(':')
      if (parseInt(p!, 16) === port) found.push(hex!)
    }
  }
  return found
}

describe('inspector on a live share', () => {
  let local: LocalServer
  let wss: WebSocketServer
  let inspector: Inspector
  let tunnel: Tunnel

  beforeAll(async () => {
    const echo = echoHandler()
    local = await listen((req, res) => {
      if (req.url === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
        res.write('data: first\n\n')
        setTimeout(() => res.end('data: second\n\n'), 1500)
        return
      }
      echo(req, res)
    })
    wss = new WebSocketServer({ server: local.server })
    wss.on('connection', (ws) => ws.on('message', (m, binary) => ws.send(m, { binary })))
    inspector = await startInspector({ localPort: local.port, localHost: '127.0.0.1', port: 0 })
    tunnel = await openTunnel({ port: local.port, localHost: '127.0.0.1', name: 'inspect', tap: inspector.tap })
  })
  afterAll(async () => {
    await tunnel?.close()
    await inspector?.close()
    wss?.close()
    await local?.close()
  })

  it('records requests through the share: method, path, status, duration, size', async () => {
    await publicRequest(new URL('hello?x=1', tunnel.url).href)
    const ex = inspector.store.list().find((e) => e.request.path === '/hello?x=1')!
    expect(ex).toMatchObject({ state: 'complete', request: { method: 'GET' }, response: { status: 200 } })
    expect(ex.response!.body.size).toBe('hello from local'.length)
    expect(ex.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('keeps websockets working, recording the upgrade and counting its bytes', async () => {
    const ws = new WebSocket(tunnel.url.replace('https:', 'wss:') + 'echo', { agent: sandboxAgent() })
    const payload = randomBytes(256 * 1024)
    const echoed = await new Promise<Buffer>((resolve, reject) => {
      ws.on('open', () => ws.send(payload))
      ws.on('message', (data) => resolve(data as Buffer))
      ws.on('error', reject)
    })
    expect(Buffer.compare(echoed, payload)).toBe(0)
    const ex = inspector.store.list().find((e) => e.request.path === '/echo')!
    expect(ex.response?.status).toBe(101)
    expect(ex.state).toBe('upgraded')
    // After the 101 the parser only counts: both directions carried the 256 KiB frame.
    await expect.poll(() => ex.upgraded?.localBytes ?? 0, { timeout: 10_000 }).toBeGreaterThan(payload.length)
    expect(ex.upgraded!.visitorBytes).toBeGreaterThan(payload.length)
    // Frames were not parsed as HTTP: nothing recorded on this connection after the upgrade.
    expect(inspector.store.list().filter((e) => e.connectionId === ex.connectionId && e.id > ex.id)).toHaveLength(0)
    ws.close()
  })

  it('keeps server-sent events streaming unbuffered', async () => {
    const got: { text: string; at: number }[] = []
    const start = Date.now()
    let seenWhileStreaming: string | undefined
    await new Promise<void>((resolve, reject) => {
      https
        .get(new URL('events', tunnel.url), { agent: sandboxAgent() }, (res) => {
          res.setEncoding('utf8')
          res.on('data', (d: string) => {
            got.push({ text: d, at: Date.now() - start })
            seenWhileStreaming ??= inspector.store.list().find((e) => e.request.path === '/events')?.state
          })
          res.on('end', resolve)
        })
        .on('error', reject)
    })
    const first = got.find((g) => g.text.includes('first'))!
    const second = got.find((g) => g.text.includes('second'))!
    expect(second.at - first.at).toBeGreaterThan(1000)
    expect(seenWhileStreaming).toBe('response') // the inspector saw the stream open, live
    const ex = inspector.store.list().find((e) => e.request.path === '/events')!
    await expect.poll(() => ex.state).toBe('complete')
    expect(ex.response!.body.bytes().toString()).toBe('data: first\n\ndata: second\n\n')
  })

  it('does not hold a 100 MiB upload in memory (RSS bounded), and the body arrives intact', async () => {
    const size = 100 * 1024 * 1024
    const body = randomBytes(size) // allocated before the baseline: it is the test's, not the inspector's
    const sha256 = createHash('sha256').update(body).digest('hex')
    const url = new URL('sha256', tunnel.url).href
    // A first full upload warms up this process's TLS and ssh2 paths: measured without the
    // inspector, the first 100 MiB through a new tunnel raises RSS by 80–100 MiB by itself
    // (allocator high-water mark), later ones by ~1 MiB. The second one is the fair measure.
    await publicRequest(url, { method: 'POST', body, timeoutMs: 120_000 })
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    const up = await publicRequest(url, { method: 'POST', body, timeoutMs: 120_000 })
    clearInterval(sampler)
    const after = process.memoryUsage().rss
    const mib = (n: number) => (n / 1048576).toFixed(1)
    console.log(`100 MiB upload with the inspector on: RSS before ${mib(before)} MiB, peak ${mib(peak)} MiB (+${mib(peak - before)}), after ${mib(after)} MiB (+${mib(after - before)})`)
    expect(JSON.parse(up.text)).toEqual({ size, sha256 })
    expect(after - before).toBeLessThan(30 * 1024 * 1024)
    const ex = inspector.store.list().find((e) => e.request.path === '/sha256' && e.request.body.size === size)!
    expect(ex.request.body.storedBytes).toBe(inspector.store.limits.maxBodyBytes)
    expect(ex.request.body.truncated).toBe(true)
    expect(inspector.store.heldBytes).toBeLessThanOrEqual(inspector.store.limits.maxBytes)
  }, 180_000)

  it('listens on 127.0.0.1 only', () => {
    // The kernel's table of listening sockets: the inspector's port is bound to
    // 127.0.0.1 (0100007F) and to nothing else (not 0.0.0.0, not ::).
    expect(listeningAddresses(inspector.port)).toEqual(['0100007F'])
  })

  it('lets no other origin read it in a real browser, and refuses a DNS-rebound Host', async () => {
    const sb = await launchBrowser()
    try {
      const page = await sb.context.newPage()
      // A page of another origin (the share itself, https://inspect.gangway.test) tries to read the log.
      await page.goto(new URL('hello', tunnel.url).href)
      const read = await page.evaluate(async (api) => {
        try {
          const r = await fetch(api)
          return `read ${r.status}: ${(await r.text()).slice(0, 80)}`
        } catch (err) {
          return `blocked: ${(err as Error).message}`
        }
      }, `http://127.0.0.1:${inspector.port}/api/requests`)
      expect(read).toMatch(/^blocked/)
      // A name that resolves to 127.0.0.1 (as after DNS rebinding) gets nothing but a refusal.
      const rebound = await page.goto(`http://rebind.${new URL(tunnel.url).hostname.split('.').slice(1).join('.')}:${inspector.port}/api/requests?token=${inspector.token}`)
      expect(rebound!.status()).toBe(403)
      expect(await rebound!.text()).not.toContain('/hello')
      // Without the token in the printed address, the page is refused (another local user).
      expect((await page.goto(`http://127.0.0.1:${inspector.port}/`))!.status()).toBe(401)
      // Our own page, opened as the user would (the printed address), works: its calls
      // carry the token, live updates too, and no cookie is left for other local servers.
      const own = await page.goto(inspector.url)
      expect(own!.status()).toBe(200)
      await expect.poll(() => page.locator('#list tbody tr').count()).toBeGreaterThan(3)
      await expect.poll(() => page.locator('#live').textContent()).toBe('● live')
      expect(await page.context().cookies(`http://127.0.0.1:${inspector.port}/`)).toEqual([])
    } finally {
      await sb.close()
    }
  })

  it('gangway replay <id> replays through the running inspector and prints the new status', async () => {
    const ex = inspector.store.list().find((e) => e.request.path === '/hello?x=1')!
    const run = runCli(['replay', String(ex.id), '--inspector', inspector.url, '--path', '/headers', '--header', 'X-Replayed: yes'])
    expect(await run.exit).toBe(0)
    expect(run.stdout()).toMatch(new RegExp(`#${ex.id} replayed as #\\d+: 200 OK`))
    const replay = inspector.store.list().find((e) => e.replayOf === ex.id)!
    expect(JSON.parse(replay.response!.body.bytes().toString()).headers['x-replayed']).toBe('yes')
    const missing = runCli(['replay', '999999', '--inspector', inspector.url])
    expect(await missing.exit).toBe(1)
    expect(missing.stderr()).toContain('no request #999999')
    // Without the token (another user's replay): refused; without --inspector, the
    // running inspector is found in this user's registry, token and all.
    const anonymous = runCli(['replay', String(ex.id), '--inspector', `http://127.0.0.1:${inspector.port}`], { XDG_STATE_HOME: '/nonexistent' })
    expect(await anonymous.exit).toBe(1)
    expect(anonymous.stderr()).toContain('carries a token')
    const found = runCli(['replay', String(ex.id)])
    expect(await found.exit).toBe(0)
  })
})
