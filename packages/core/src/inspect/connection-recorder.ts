/**
 * The tap for one tunnelled connection: two passive parsers (visitor → local and back)
 * whose messages are paired in order, because nginx's upstream keepalive sends many
 * requests one after another on one connection. Everything here runs inside the
 * tunnel's 'data' handlers, so it only copies what it keeps and never throws.
 */
import { performance } from 'node:perf_hooks'
import type { ConnectionTap } from '../types.js'
import { headerValue, type Exchange } from './exchange.js'
import { MessageParser, type Framing, type MessageHead } from './message-parser.js'
import type { ExchangeStore } from './store.js'

let nextConnectionId = 1

/** Body framing from Transfer-Encoding / Content-Length, or undefined when contradictory. */
function bodyFraming(head: MessageHead, otherwise: Framing): Framing | undefined {
  const te = headerValue(head.headers, 'transfer-encoding')
  if (te !== undefined) {
    const codings = te.toLowerCase().split(',').map((c) => c.trim())
    if (codings.at(-1) === 'chunked') return { kind: 'chunked' }
    // A request must end in chunked; a response without it is delimited by close.
    return otherwise.kind === 'until-close' ? otherwise : undefined
  }
  const cl = headerValue(head.headers, 'content-length')
  if (cl === undefined) return otherwise
  const values = new Set(cl.split(',').map((v) => v.trim()))
  const [value] = values
  if (values.size !== 1 || !/^\d{1,15}$/.test(value!)) return undefined
  return { kind: 'length', length: Number(value) }
}

function isUpgradeRequest(head: MessageHead): boolean {
  if (head.method === 'CONNECT') return true
  if (headerValue(head.headers, 'upgrade') === undefined) return false
  return /(^|,)\s*upgrade\s*(,|$)/i.test(headerValue(head.headers, 'connection') ?? '')
}

export class ConnectionRecorder implements ConnectionTap {
  readonly id = nextConnectionId++
  /** Requests without a final response yet, oldest first. */
  private readonly waiting: Exchange[] = []
  /** performance.now() of each waiting request's first byte, index-aligned with `waiting`. */
  private readonly started: number[] = []
  private requesting: Exchange | undefined
  private responding: Exchange | undefined
  private upgradeAsked: Exchange | undefined
  private upgraded: Exchange | undefined
  private interim = false
  private headStartedAt: number | undefined
  private readonly requests: MessageParser
  private readonly responses: MessageParser

  constructor(private readonly store: ExchangeStore) {
    this.requests = new MessageParser('request', {
      frame: (head) => this.requestHead(head),
      body: (chunk) => this.requesting?.request.body.append(chunk),
      end: () => this.requestEnd(),
      fail: (reason) => this.notHttp(`request: ${reason}`),
    })
    this.responses = new MessageParser('response', {
      frame: (head) => this.responseHead(head),
      body: (chunk) => this.responding?.response?.body.append(chunk),
      end: () => this.responseEnd(),
      fail: (reason) => this.notHttp(`response: ${reason}`),
    })
  }

  visitor(chunk: Buffer): void {
    this.headStartedAt ??= performance.now()
    this.requests.push(chunk)
    if (this.upgraded) this.upgraded.upgraded!.visitorBytes = this.requests.tunnelBytes
  }

  local(chunk: Buffer): void {
    // Bytes before any request (Gangway's 502 page is written before the visitor's
    // bytes are read): keep them until the request they answer has been parsed.
    if (this.waiting.length === 0 && this.responses.idle) this.responses.hold()
    this.responses.push(chunk)
    if (this.upgraded) this.upgraded.upgraded!.localBytes = this.responses.tunnelBytes
  }

  close(): void {
    this.responses.finish()
    if (this.upgraded) {
      this.upgraded.upgraded = { visitorBytes: this.requests.tunnelBytes, localBytes: this.responses.tunnelBytes }
      this.store.update(this.upgraded)
    }
    this.started.length = 0
    for (const ex of this.waiting.splice(0)) {
      if (ex.state === 'not-http') continue
      ex.error = ex.state === 'response' ? 'connection closed during the response' : 'connection closed before the response'
      ex.state = 'incomplete'
      this.store.update(ex)
    }
  }

  private requestHead(head: MessageHead): Framing {
    const now = performance.now()
    const startedAt = this.headStartedAt ?? now
    this.headStartedAt = undefined
    const framing = bodyFraming(head, { kind: 'none' })
    const ex = this.store.begin({
      connectionId: this.id,
      source: 'tunnel',
      startedAt: Date.now() - (now - startedAt),
      request: { method: head.method!, path: head.target!, headers: head.headers, httpVersion: head.version, headBytes: head.headBytes },
    })
    this.waiting.push(ex)
    this.started.push(startedAt)
    this.requesting = ex
    if (!framing) {
      this.notHttp('request: contradictory body length')
      return { kind: 'none' }
    }
    if (isUpgradeRequest(head)) this.upgradeAsked = ex
    this.responses.release()
    return framing
  }

  private requestEnd(): void {
    const ex = this.requesting
    this.requesting = undefined
    if (!ex) return
    if (ex.state === 'request') ex.state = 'waiting'
    this.store.update(ex)
    // Until the answer says whether protocols switched, what follows may not be HTTP.
    if (this.upgradeAsked === ex && ex.state === 'waiting') this.requests.hold()
  }

  private responseHead(head: MessageHead): Framing {
    const ex = this.waiting[0]
    if (!ex) {
      this.notHttp('response: no request to answer')
      return { kind: 'none' }
    }
    const status = head.status!
    this.interim = status >= 100 && status < 200 && status !== 101
    if (this.interim) return { kind: 'none' } // 100 Continue and 103 Early Hints: the real answer follows
    ex.response = {
      status,
      reason: head.reason ?? '',
      headers: head.headers,
      httpVersion: head.version,
      headBytes: head.headBytes,
      body: this.store.capture(ex.id, head.headBytes),
    }
    ex.state = 'response'
    this.responding = ex
    this.store.update(ex)
    const method = ex.request.method
    if (status === 101 || method === 'HEAD' || status === 204 || status === 304) return { kind: 'none' }
    if (method === 'CONNECT' && status < 300) return { kind: 'none' }
    const framing = bodyFraming(head, { kind: 'until-close' })
    if (!framing) this.notHttp('response: contradictory body length')
    return framing ?? { kind: 'none' }
  }

  private responseEnd(): void {
    if (this.interim) {
      this.interim = false
      return
    }
    const ex = this.waiting.shift()
    const startedAt = this.started.shift() ?? performance.now()
    this.responding = undefined
    if (!ex?.response) return
    ex.durationMs = Math.round((performance.now() - startedAt) * 10) / 10
    const switched = ex.response.status === 101 || (ex.request.method === 'CONNECT' && ex.response.status < 300)
    if (switched) {
      ex.state = 'upgraded'
      this.upgraded = ex
      this.requests.tunnel()
      this.responses.tunnel()
      // Counted live from here on (visitor() / local()), shown when the detail is fetched.
      ex.upgraded = { visitorBytes: this.requests.tunnelBytes, localBytes: this.responses.tunnelBytes }
    } else {
      ex.state = 'complete'
      if (this.upgradeAsked === ex) this.requests.release()
    }
    if (this.upgradeAsked === ex) this.upgradeAsked = undefined
    this.store.update(ex)
  }

  /** Bytes that are not HTTP: say so on what is open (or on a new row), stop both parsers. */
  private notHttp(reason: string): void {
    this.requests.stop()
    this.responses.stop()
    const open = [...this.waiting]
    if (open.length === 0) {
      open.push(
        this.store.begin({
          connectionId: this.id,
          source: 'tunnel',
          startedAt: Date.now(),
          request: { method: '-', path: '(not HTTP)', headers: [], httpVersion: '', headBytes: 0 },
        }),
      )
    }
    for (const ex of open) {
      ex.state = 'not-http'
      ex.error = `not HTTP (${reason})`
      this.store.update(ex)
    }
    this.waiting.length = 0
    this.started.length = 0
    this.requesting = this.responding = undefined
  }
}
