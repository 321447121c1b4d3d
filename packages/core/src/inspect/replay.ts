/**
 * Replay: send a recorded request again, straight to the local server (not through
 * the proxy, so no Internet round trip and no second public log line), optionally
 * edited, and record the new exchange beside the original.
 */
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import type { Exchange } from './exchange.js'
import type { ExchangeStore } from './store.js'

export interface ReplayEdits {
  method?: string
  /** Path and query, starting with '/'. */
  path?: string
  /** Replaces every header when given (Host included: keep it for host-checking dev servers). */
  headers?: [string, string][]
  /** New body as UTF-8 text… */
  body?: string
  /** …or as base64, for binary bodies. */
  bodyBase64?: string
}

export interface ReplayTarget {
  host: string
  port: number
}

/** A replay that cannot be done as asked; `status` is the HTTP answer for the API. */
export class ReplayRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** Framing and connection headers are the sender's business: node:http sets its own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length', 'expect'])
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function checkEdits(edits: ReplayEdits): void {
  const bad: string[] = []
  if (edits.method !== undefined && !TOKEN.test(edits.method)) bad.push('method is not an HTTP token')
  if (edits.path !== undefined && (!edits.path.startsWith('/') || /[\s]/.test(edits.path))) bad.push('path must start with / and hold no spaces')
  if (edits.headers !== undefined) {
    if (!Array.isArray(edits.headers)) bad.push('headers must be a list of [name, value] pairs')
    else
      for (const pair of edits.headers) {
        if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string' || !TOKEN.test(pair[0]) || /[\r\n\0]/.test(pair[1]))
          bad.push(`bad header ${JSON.stringify(pair)}`)
      }
  }
  if (edits.body !== undefined && typeof edits.body !== 'string') bad.push('body must be a string')
  if (edits.bodyBase64 !== undefined && typeof edits.bodyBase64 !== 'string') bad.push('bodyBase64 must be a string')
  if (bad.length) throw new ReplayRefused(400, bad.join('; '))
}

export async function replayExchange(store: ExchangeStore, original: Exchange, target: ReplayTarget, edits: ReplayEdits = {}, timeoutMs = 30_000): Promise<Exchange> {
  checkEdits(edits)
  const req = original.request
  if (req.method === 'CONNECT' || original.state === 'upgraded') throw new ReplayRefused(409, 'a protocol switch (websocket, CONNECT) cannot be replayed')
  if (original.state === 'not-http') throw new ReplayRefused(409, 'this connection was not HTTP')
  let body: Buffer
  if (edits.bodyBase64 !== undefined) body = Buffer.from(edits.bodyBase64, 'base64')
  else if (edits.body !== undefined) body = Buffer.from(edits.body, 'utf8')
  else if (req.body.truncated || original.state === 'request')
    throw new ReplayRefused(409, `only ${req.body.storedBytes} of the body's ${req.body.size} bytes were kept; send a body to replay it`)
  else body = req.body.bytes()

  const method = edits.method ?? req.method
  const path = edits.path ?? req.path
  const headers = edits.headers ?? req.headers
  return sendRequest(store, { source: 'replay', replayOf: original.id }, { method, path, headers, body }, target, timeoutMs)
}

export interface OutgoingRequest {
  method: string
  /** Path and query, starting with '/'. */
  path: string
  headers: [string, string][]
  body: Buffer
}

/**
 * Sends one request straight to the local server and records it in `store` as a new
 * exchange (a replay, or a held request delivered from the proxy): resolves once the
 * answer is complete or failed (state 'incomplete' with the reason).
 */
export async function sendRequest(
  store: ExchangeStore,
  init: Pick<Exchange, 'source' | 'replayOf' | 'held'>,
  request: OutgoingRequest,
  target: ReplayTarget,
  timeoutMs = 30_000,
): Promise<Exchange> {
  const { method, path, body } = request
  const headers = request.headers.filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase()))
  if (body.length > 0 || /^(POST|PUT|PATCH)$/i.test(method)) headers.push(['Content-Length', String(body.length)])
  const raw = headers.flat()

  const start = performance.now()
  const ex = store.begin({
    connectionId: 0,
    ...init,
    startedAt: Date.now(),
    request: { method, path, headers, httpVersion: '1.1', headBytes: raw.reduce((n, s) => n + s.length + 2, method.length + path.length + 12) },
  })
  ex.request.body.append(body)
  ex.state = 'waiting'
  store.update(ex)

  await new Promise<void>((resolve) => {
    let finished = false
    const done = (error?: string) => {
      if (finished) return
      finished = true
      ex.durationMs = Math.round((performance.now() - start) * 10) / 10
      if (error) {
        ex.state = 'incomplete'
        ex.error = error
      } else ex.state = 'complete'
      store.update(ex)
      resolve()
    }
    // agent: false — one fresh connection, closed after; nothing lingers in a pool.
    // Headers as a flat [name, value, …] list keep their order and spelling (node 20
    // accepts it; @types/node 20 does not say so).
    const headersArg = raw as unknown as http.OutgoingHttpHeaders
    const outgoing = http.request({ host: target.host, port: target.port, method, path, headers: headersArg, agent: false, timeout: timeoutMs }, (res) => {
      const pairs: [string, string][] = []
      for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!])
      ex.response = {
        status: res.statusCode ?? 0,
        reason: res.statusMessage ?? '',
        headers: pairs,
        httpVersion: res.httpVersion,
        headBytes: pairs.reduce((n, [a, b]) => n + a.length + b.length + 4, 17),
        body: store.capture(ex.id),
      }
      ex.state = 'response'
      store.update(ex)
      res.on('data', (chunk: Buffer) => ex.response!.body.append(chunk))
      res.on('end', () => done())
      res.on('error', (err) => done(`response failed: ${err.message}`))
    })
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer in ${timeoutMs} ms`)))
    outgoing.on('error', (err: NodeJS.ErrnoException) => done(`local server on ${target.host}:${target.port}: ${err.code ?? err.message}`))
    outgoing.end(body)
  })
  return ex
}
