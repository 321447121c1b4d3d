/**
 * The inspector's HTTP API and page, on node:http. Routes:
 *   GET    /                          the page
 *   GET    /api/requests              summaries, newest first
 *   GET    /api/requests/:id          one exchange: heads and body views
 *   POST   /api/requests/:id/replay   replay, optionally edited (JSON body: ReplayEdits)
 *   DELETE /api/requests              forget everything
 *   GET    /api/events                server-sent events: added / updated / removed / cleared
 *   GET    /api/status                limits, counts, replay target
 */
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { viewBody } from './body-view.js'
import { summarize, type Exchange } from './exchange.js'
import { checkRequest, isLoopbackAddress, setSafetyHeaders } from './guard.js'
import { accessOf } from './access.js'
import { renderPage } from './page.js'
import { ReplayRefused, type ReplayEdits, type ReplayTarget } from './replay.js'
import type { ExchangeStore, StoreEvent } from './store.js'

export interface ServerDeps {
  /** The secret in the printed address: every route needs it (cookie, bearer or query). */
  token: string
  store: ExchangeStore
  target: ReplayTarget
  replay(id: number, edits: ReplayEdits): Promise<Exchange>
  /** The port actually bound, known after listen(); the Host check needs it. */
  port(): number
}

/** Edited replay bodies are read into memory: keep them reasonable. */
const MAX_API_BODY = 16 * 1024 * 1024
/** Live updates are batched: a busy tunnel must not turn into one SSE write per byte. */
const FLUSH_MS = 100

export function detail(ex: Exchange) {
  return {
    ...summarize(ex),
    upgraded: ex.upgraded,
    request: { method: ex.request.method, path: ex.request.path, httpVersion: ex.request.httpVersion, headers: ex.request.headers, body: viewBody(ex.request.body, ex.request.headers) },
    response: ex.response && {
      status: ex.response.status,
      reason: ex.response.reason,
      httpVersion: ex.response.httpVersion,
      headers: ex.response.headers,
      body: viewBody(ex.response.body, ex.response.headers),
    },
  }
}

function send(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_API_BODY) return void req.destroy(new ReplayRefused(413, 'body too large'))
      chunks.push(c)
    })
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      try {
        resolve(text.trim() === '' ? {} : JSON.parse(text))
      } catch {
        reject(new ReplayRefused(400, 'body is not JSON'))
      }
    })
    req.on('error', reject)
  })
}

export function createInspectorServer(deps: ServerDeps): http.Server {
  const { store } = deps
  const streams = new Set<http.ServerResponse>()
  const dirty = new Map<number, StoreEvent>()
  let timer: NodeJS.Timeout | undefined

  const flush = () => {
    timer = undefined
    const lines: string[] = []
    for (const event of dirty.values()) {
      if (event.type === 'removed') lines.push(`event: removed\ndata: ${JSON.stringify({ id: event.id })}\n\n`)
      else if (event.type === 'cleared') lines.push('event: cleared\ndata: {}\n\n')
      else lines.push(`event: ${event.type}\ndata: ${JSON.stringify(summarize(event.exchange))}\n\n`)
    }
    dirty.clear()
    const text = lines.join('')
    for (const res of streams) res.write(text)
  }
  const unsubscribe = store.subscribe((event) => {
    if (streams.size === 0) return // nobody watching: no work on the tunnel's path
    const key = event.type === 'cleared' ? -1 : event.type === 'removed' ? event.id : event.exchange.id
    const before = dirty.get(key)
    // 'added' then 'updated' must still arrive as 'added'.
    dirty.set(key, before?.type === 'added' && event.type === 'updated' ? before : event)
    timer ??= setTimeout(flush, FLUSH_MS)
  })

  const server = http.createServer(async (req, res) => {
    setSafetyHeaders(res)
    const refusal = checkRequest(req, deps.port())
    if (refusal) return send(res, refusal.status, { error: refusal.message })
    const url = new URL(req.url ?? '/', 'http://inspector')
    const method = req.method ?? 'GET'
    if (!accessOf(req, url, deps.token)) return send(res, 401, { error: 'open the inspector at the address gangway printed (it carries a token)' })
    const one = /^\/api\/requests\/(\d+)(\/replay)?$/.exec(url.pathname)
    try {
      if (method === 'GET' && url.pathname === '/') {
        const nonce = randomBytes(16).toString('base64')
        const html = renderPage(nonce)
        res.writeHead(200, {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        })
        return void res.end(html)
      }
      if (method === 'GET' && url.pathname === '/api/requests') return send(res, 200, { requests: store.list().map(summarize) })
      if (method === 'DELETE' && url.pathname === '/api/requests') {
        store.clear()
        return send(res, 200, { cleared: true })
      }
      if (method === 'GET' && url.pathname === '/api/status')
        return send(res, 200, { target: deps.target, entries: store.size, heldBytes: store.heldBytes, limits: store.limits })
      if (method === 'GET' && url.pathname === '/api/events') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' })
        res.write(': inspector live updates\n\n')
        streams.add(res)
        const ping = setInterval(() => res.write(': ping\n\n'), 15_000)
        req.on('close', () => {
          clearInterval(ping)
          streams.delete(res)
        })
        return
      }
      if (one && method === 'GET' && !one[2]) {
        const ex = store.get(Number(one[1]))
        return ex ? send(res, 200, detail(ex)) : send(res, 404, { error: `no request #${one[1]} (dropped or never recorded)` })
      }
      if (one && method === 'POST' && one[2]) {
        const edits = (await readJson(req)) as ReplayEdits
        const ex = await deps.replay(Number(one[1]), edits ?? {})
        return send(res, 201, detail(ex))
      }
      send(res, 404, { error: 'not found' })
    } catch (err) {
      if (err instanceof ReplayRefused) send(res, err.status, { error: err.message })
      else send(res, 500, { error: (err as Error).message })
    }
  })
  // Refused before a byte is read: the bind is 127.0.0.1 already, this is the second lock.
  server.on('connection', (socket) => {
    if (!isLoopbackAddress(socket.remoteAddress)) socket.destroy()
  })
  server.on('close', () => {
    unsubscribe()
    if (timer) clearTimeout(timer)
    streams.clear()
  })
  return server
}
