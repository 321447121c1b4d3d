/**
 * A passive, incremental HTTP/1.x parser for ONE direction of a connection. It only
 * reads copies of the bytes (never the path itself), so it may be strict: anything it
 * does not understand turns it off ("not HTTP") instead of guessing.
 *
 * How a body is framed depends on the other direction (a HEAD request, a 101 answer),
 * so the caller decides it in `frame(head)`; see connection-recorder.ts.
 */

/** One request or response head as it was on the wire. */
export interface MessageHead {
  /** Request: method and target; response: status and reason. */
  method?: string
  target?: string
  status?: number
  reason?: string
  version: string
  /** Name/value pairs in wire order, names as sent (replay sends them back that way). */
  headers: [string, string][]
  /** Bytes of the head including the blank line. */
  headBytes: number
}

/** How the body after a head is delimited. */
export type Framing = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'until-close' }

export interface MessageHandlers {
  frame(head: MessageHead): Framing
  body(chunk: Buffer): void
  /** The message ended; the parser is back to reading a head unless told otherwise here. */
  end(): void
  /** The bytes are not HTTP as far as this parser knows; it stopped. */
  fail(reason: string): void
}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'until-close' | 'held' | 'tunnel' | 'dead'

/** Heads larger than nginx's default large_client_header_buffers are not worth reading. */
const MAX_HEAD = 64 * 1024
const MAX_LINE = 8 * 1024
/** Bytes kept while waiting to learn whether an Upgrade was accepted. */
const MAX_HELD = 64 * 1024
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/(1\.[01])$/
const STATUS_LINE = /^HTTP\/(1\.[01]) (\d{3})(?: (.*))?$/
const CRLFCRLF = Buffer.from('\r\n\r\n')

export class MessageParser {
  private state: State = 'head'
  private pending: Buffer | undefined
  private line = ''
  private remaining = 0
  private held: Buffer[] = []
  private heldBytes = 0
  /** Bytes seen after the connection switched protocols (websocket frames, CONNECT data). */
  tunnelBytes = 0

  constructor(
    private readonly kind: 'request' | 'response',
    private readonly on: MessageHandlers,
  ) {}

  get stopped(): boolean {
    return this.state === 'dead'
  }

  get inTunnel(): boolean {
    return this.state === 'tunnel'
  }

  push(chunk: Buffer): void {
    let buf = chunk
    while (buf.length > 0) {
      switch (this.state) {
        case 'dead':
          return
        case 'tunnel':
          this.tunnelBytes += buf.length
          return
        case 'held':
          this.held.push(Buffer.from(buf))
          this.heldBytes += buf.length
          // The other side never answered the Upgrade: stop keeping bytes, just count.
          if (this.heldBytes > MAX_HELD) this.tunnel()
          return
        case 'head':
          buf = this.readHead(buf)
          break
        case 'length':
        case 'chunk-data':
        case 'until-close': {
          const n = this.state === 'until-close' ? buf.length : Math.min(this.remaining, buf.length)
          this.on.body(buf.subarray(0, n))
          buf = buf.subarray(n)
          if (this.state === 'until-close') break
          this.remaining -= n
          if (this.remaining === 0) {
            if (this.state === 'chunk-data') {
              this.state = 'chunk-crlf'
              this.remaining = 2
            } else this.finishMessage()
          }
          break
        }
        case 'chunk-crlf': {
          const n = Math.min(this.remaining, buf.length)
          buf = buf.subarray(n)
          this.remaining -= n
          if (this.remaining === 0) this.state = 'chunk-size'
          break
        }
        case 'chunk-size':
        case 'trailers':
          buf = this.readLine(buf)
          break
      }
    }
  }

  /** The connection ended: a body delimited by close is complete now. */
  finish(): void {
    if (this.state === 'until-close') this.finishMessage()
  }

  /** Keep the next bytes aside until the other side says whether it switched protocols. */
  hold(): void {
    if (this.state !== 'dead') this.state = 'held'
  }

  /** The Upgrade was refused: parse the kept bytes as HTTP again. */
  release(): void {
    if (this.state !== 'held') return
    const held = this.held
    this.held = []
    this.heldBytes = 0
    this.state = 'head'
    for (const b of held) this.push(b)
  }

  /** The connection switched protocols: from now on only count bytes. */
  tunnel(): void {
    if (this.state === 'dead') return
    this.tunnelBytes += this.heldBytes
    this.held = []
    this.heldBytes = 0
    this.state = 'tunnel'
  }

  /** True between messages with nothing half-read. */
  get idle(): boolean {
    return this.state === 'head' && this.pending === undefined
  }

  /** Stop parsing for good, without calling fail(): the caller judged the bytes not HTTP. */
  stop(): void {
    this.state = 'dead'
    this.pending = undefined
    this.held = []
  }

  private fail(reason: string): void {
    this.stop()
    this.on.fail(reason)
  }

  private finishMessage(): void {
    // Set first, so that end() may switch the state (hold or tunnel) for the bytes that follow.
    this.state = 'head'
    this.on.end()
  }

  private readHead(buf: Buffer): Buffer {
    let data = this.pending ? Buffer.concat([this.pending, buf]) : buf
    this.pending = undefined
    // Empty lines between messages are allowed (RFC 9112 §2.2).
    let start = 0
    while (start < data.length && (data[start] === 0x0d || data[start] === 0x0a)) start++
    data = data.subarray(start)
    if (data.length === 0) return data
    const first = data[0]!
    if (this.kind === 'response' ? first !== 0x48 /* H */ : first < 0x21 || first > 0x7e) {
      this.fail(`does not start like an HTTP ${this.kind}`)
      return Buffer.alloc(0)
    }
    const end = data.indexOf(CRLFCRLF)
    if (end === -1) {
      const nl = data.indexOf(0x0a)
      if (nl !== -1 && !this.startLineOk(data.subarray(0, nl).toString('latin1').replace(/\r$/, ''))) {
        this.fail(`bad ${this.kind} line`)
      } else if (data.length > MAX_HEAD) this.fail('head larger than 64 KiB')
      else this.pending = Buffer.from(data) // a copy: the wire's buffer is not ours to keep
      return Buffer.alloc(0)
    }
    const head = this.parseHead(data.subarray(0, end).toString('latin1'), end + 4)
    if (!head) return Buffer.alloc(0)
    const framing = this.on.frame(head)
    if (this.state === 'dead') return Buffer.alloc(0) // frame() judged it not HTTP
    if (framing.kind === 'length') {
      this.state = 'length'
      this.remaining = framing.length
      if (framing.length === 0) this.finishMessage()
    } else if (framing.kind === 'chunked') this.state = 'chunk-size'
    else if (framing.kind === 'until-close') this.state = 'until-close'
    else this.finishMessage()
    return data.subarray(end + 4)
  }

  private startLineOk(line: string): boolean {
    return (this.kind === 'request' ? REQUEST_LINE : STATUS_LINE).test(line)
  }

  private parseHead(text: string, headBytes: number): MessageHead | undefined {
    const lines = text.split('\r\n')
    const startLine = lines.shift()!
    const head: MessageHead = { version: '1.1', headers: [], headBytes }
    if (this.kind === 'request') {
      const m = REQUEST_LINE.exec(startLine)
      if (!m) return void this.fail('bad request line')
      ;[, head.method, head.target, head.version] = m as unknown as [string, string, string, string]
    } else {
      const m = STATUS_LINE.exec(startLine)
      if (!m) return void this.fail('bad status line')
      head.version = m[1]!
      head.status = Number(m[2])
      head.reason = m[3] ?? ''
    }
    for (const line of lines) {
      if ((line.startsWith(' ') || line.startsWith('\t')) && head.headers.length > 0) {
        head.headers[head.headers.length - 1]![1] += ' ' + line.trim() // obsolete line folding
        continue
      }
      const colon = line.indexOf(':')
      const name = colon > 0 ? line.slice(0, colon) : ''
      if (!TOKEN.test(name)) return void this.fail('bad header line')
      head.headers.push([name, line.slice(colon + 1).trim()])
    }
    return head
  }

  /** Chunk-size lines and trailer lines. */
  private readLine(buf: Buffer): Buffer {
    const nl = buf.indexOf(0x0a)
    const part = buf.subarray(0, nl === -1 ? buf.length : nl).toString('latin1')
    this.line += part
    if (this.line.length > MAX_LINE) {
      this.fail('chunk line too long')
      return Buffer.alloc(0)
    }
    if (nl === -1) return Buffer.alloc(0)
    const line = this.line.replace(/\r$/, '')
    this.line = ''
    if (this.state === 'trailers') {
      if (line === '') this.finishMessage()
      return buf.subarray(nl + 1)
    }
    const size = /^([0-9a-fA-F]{1,15})[ \t]*(?:;.*)?$/.exec(line)
    if (!size) {
      this.fail('bad chunk size')
      return Buffer.alloc(0)
    }
    this.remaining = parseInt(size[1]!, 16)
    this.state = this.remaining === 0 ? 'trailers' : 'chunk-data'
    return buf.subarray(nl + 1)
  }
}
