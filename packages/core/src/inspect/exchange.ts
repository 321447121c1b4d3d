/**
 * What the inspector records: one request and its response ("exchange"), with bodies
 * kept only up to a cap. The full size is always counted, so a 100 MiB upload costs
 * the cap in memory and still shows as 100 MiB.
 */

export type ExchangeState =
  /** Request head or body still arriving. */
  | 'request'
  /** Request complete, no response yet. */
  | 'waiting'
  /** Response body arriving. */
  | 'response'
  | 'complete'
  /** Switched protocols (websocket): only byte counts from here on. */
  | 'upgraded'
  /** The connection ended before the exchange did, or the local server failed a replay. */
  | 'incomplete'
  /** Bytes on this connection were not HTTP; parsing stopped. */
  | 'not-http'

export interface RecordedMessageHead {
  headers: [string, string][]
  httpVersion: string
  headBytes: number
}

export interface RecordedRequest extends RecordedMessageHead {
  method: string
  /** Request target as sent: path and query. */
  path: string
  body: BodyCapture
}

export interface RecordedResponse extends RecordedMessageHead {
  status: number
  reason: string
  body: BodyCapture
}

export interface Exchange {
  id: number
  /** Exchanges sharing a connection id came one after another on one keepalive connection. */
  connectionId: number
  source: 'tunnel' | 'replay' | 'held'
  /** For a replay: the id of the exchange it repeated. */
  replayOf?: number
  /** For a held request delivered from the proxy's store: its id there, the delivery
   * attempt, when the proxy received it, and what re-signing did. */
  held?: { id: number; attempt: number; receivedAt: number; resign?: string }
  /** Epoch milliseconds of the request's first byte. */
  startedAt: number
  /** Milliseconds from the request's first byte to the response's last (or the 101). */
  durationMs?: number
  state: ExchangeState
  request: RecordedRequest
  response?: RecordedResponse
  /** Bytes each way after a protocol switch, counted as they pass. */
  upgraded?: { visitorBytes: number; localBytes: number }
  /** Why the exchange is incomplete or not HTTP. */
  error?: string
}

/**
 * A body kept up to `cap` bytes. `onStored` tells the store how many bytes it now
 * holds, for the total memory bound.
 */
export class BodyCapture {
  /** Full size on the wire (after removing chunked framing). */
  size = 0
  private chunks: Buffer[] = []
  private kept = 0

  constructor(
    private readonly cap: number,
    private readonly onStored: (bytes: number) => void = () => {},
  ) {}

  get storedBytes(): number {
    return this.kept
  }

  get truncated(): boolean {
    return this.size > this.kept
  }

  append(chunk: Buffer): void {
    this.size += chunk.length
    const room = this.cap - this.kept
    if (room <= 0 || chunk.length === 0) return
    // A copy, never a view: a view would pin the whole wire buffer it came from.
    const part = Buffer.from(chunk.subarray(0, Math.min(room, chunk.length)))
    this.chunks.push(part)
    this.kept += part.length
    this.onStored(part.length)
  }

  bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)]
    return this.chunks[0] ?? Buffer.alloc(0)
  }
}

/** Header value by name (give it in lower case); several values joined with ", ". A loop, not
 * filter/map: it runs for every message on the tunnel's path. */
export function headerValue(headers: [string, string][], name: string): string | undefined {
  let value: string | undefined
  for (const [n, v] of headers) {
    if (n.length === name.length && n.toLowerCase() === name) value = value === undefined ? v : `${value}, ${v}`
  }
  return value
}

/** The list row: what the page's table and the SSE stream carry. */
export interface ExchangeSummary {
  id: number
  connectionId: number
  source: Exchange['source']
  replayOf?: number
  held?: Exchange['held']
  startedAt: number
  durationMs?: number
  state: ExchangeState
  method: string
  path: string
  status?: number
  /** Response body size (full, not the stored part). */
  responseSize?: number
  requestSize: number
  error?: string
}

export function summarize(ex: Exchange): ExchangeSummary {
  return {
    id: ex.id,
    connectionId: ex.connectionId,
    source: ex.source,
    replayOf: ex.replayOf,
    held: ex.held,
    startedAt: ex.startedAt,
    durationMs: ex.durationMs,
    state: ex.state,
    method: ex.request.method,
    path: ex.request.path,
    status: ex.response?.status,
    responseSize: ex.response?.body.size,
    requestSize: ex.request.body.size,
    error: ex.error,
  }
}
