/**
 * The passive parser, fed as the tunnel feeds it: bytes split anywhere, many requests
 * per keepalive connection, chunked bodies, upgrades, and bytes that are not HTTP.
 */
import { describe, expect, it } from 'vitest'
import { ConnectionRecorder } from '../src/inspect/connection-recorder.js'
import { ExchangeStore } from '../src/inspect/store.js'

/** Feeds `bytes` in pieces of the given sizes (cycled), as TCP might deliver them. */
function feed(push: (b: Buffer) => void, bytes: string | Buffer, sizes: number[] = [bytes.length]): void {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1')
  for (let off = 0, i = 0; off < buf.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!)
    push(buf.subarray(off, off + n))
    off += n
  }
}

function recorder(limits = { maxEntries: 100, maxBytes: 1 << 24, maxBodyBytes: 1 << 20 }) {
  const store = new ExchangeStore(limits)
  const rec = new ConnectionRecorder(store)
  return { store, rec, visitor: (b: string | Buffer, s?: number[]) => feed((c) => rec.visitor(c), b, s), local: (b: string | Buffer, s?: number[]) => feed((c) => rec.local(c), b, s) }
}

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n`
const OK = (body: string) => `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`

describe('inspector parser', () => {
  it.each([[[1]], [[2, 3, 5, 7]], [[13]], [[4096]]])('parses a keepalive sequence split into pieces of %j bytes', (sizes) => {
    const { store, visitor, local } = recorder()
    const post = 'POST /slack/events HTTP/1.1\r\nHost: a.test\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{"type":"hello"}'
    visitor(GET('/one') + post + GET('/three'), sizes)
    local(OK('first') + OK('second!') + 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n', sizes)
    const [three, two, one] = store.list()
    expect([one!.request.path, two!.request.path, three!.request.path]).toEqual(['/one', '/slack/events', '/three'])
    expect(one!.response!.body.bytes().toString()).toBe('first')
    expect(two!.request.method).toBe('POST')
    expect(two!.request.body.bytes().toString()).toBe('{"type":"hello"}')
    expect(two!.request.headers).toContainEqual(['Content-Type', 'application/json'])
    expect(two!.response!.body.bytes().toString()).toBe('second!')
    expect(three!.response!.status).toBe(404)
    expect(store.list().map((e) => e.state)).toEqual(['complete', 'complete', 'complete'])
    expect(new Set(store.list().map((e) => e.connectionId)).size).toBe(1)
    expect(one!.durationMs).toBeGreaterThanOrEqual(0)
  })

  it.each([[[1]], [[3, 11]], [[1000]]])('decodes chunked bodies with extensions and trailers, split %j', (sizes) => {
    const { store, visitor, local } = recorder()
    visitor('POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n', sizes)
    local('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n', sizes)
    visitor(GET('/after'), sizes)
    local(OK('x'), sizes)
    const [after, up] = store.list()
    expect(up!.request.body.bytes().toString()).toBe('hello world')
    expect(up!.response!.body.bytes().toString()).toBe('abc0123456789')
    expect(up!.response!.body.size).toBe(13)
    expect(after!.request.path).toBe('/after')
    expect(after!.state).toBe('complete')
  })

  it('knows HEAD, 204, 304 and 1xx answers have no body', () => {
    const { store, visitor, local } = recorder()
    visitor('HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n' + GET('/204') + GET('/304') + 'POST /c HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi')
    local('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n')
    local('HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n')
    local('HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n')
    local('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n' + OK('done'))
    const [c, n304, n204, head] = store.list()
    expect(head!.response!.status).toBe(200)
    expect(head!.response!.body.size).toBe(0)
    expect(n204!.state).toBe('complete')
    expect(n304!.state).toBe('complete')
    expect(c!.response!.status).toBe(200)
    expect(c!.response!.body.bytes().toString()).toBe('done')
    expect(store.list().every((e) => e.state === 'complete')).toBe(true)
  })

  it('reads a response without length until the connection closes', () => {
    const { store, rec, visitor, local } = recorder()
    visitor(GET('/stream'))
    local('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: 1\n\n')
    expect(store.list()[0]!.state).toBe('response')
    local('data: 2\n\n')
    rec.close()
    expect(store.list()[0]!.state).toBe('complete')
    expect(store.list()[0]!.response!.body.bytes().toString()).toBe('data: 1\n\ndata: 2\n\n')
  })

  it('stops parsing after a 101 and only counts the websocket bytes', () => {
    const { store, rec, visitor, local } = recorder()
    visitor('GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: x\r\n\r\n')
    local('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi')
    visitor(Buffer.from([0x81, 0x82, 1, 2, 3, 4, 5, 6]))
    const lookalike = 'GET /not-a-request HTTP/1.1\r\n\r\n' // websocket payload that looks like HTTP
    visitor(lookalike)
    rec.close()
    expect(store.size).toBe(1)
    const ws = store.list()[0]!
    expect(ws.state).toBe('upgraded')
    expect(ws.upgraded).toEqual({ visitorBytes: 8 + lookalike.length, localBytes: 4 })
  })

  it('goes back to HTTP when an Upgrade is refused', () => {
    const { store, visitor, local } = recorder()
    visitor('GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n' + GET('/next'))
    local('HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nno!' + OK('next'))
    const [next, ws] = store.list()
    expect(ws!.response!.status).toBe(400)
    expect(next!.request.path).toBe('/next')
    expect(next!.response!.body.bytes().toString()).toBe('next')
  })

  it('marks a connection that is not HTTP and stops', () => {
    const { store, visitor, local } = recorder()
    visitor(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]))
    local('anything')
    expect(store.size).toBe(1)
    expect(store.list()[0]!.state).toBe('not-http')
    const b = recorder()
    b.visitor(GET('/ok'))
    b.local(OK('fine'))
    b.visitor('BREW /pot HTCPCP/1.0\r\n\r\n')
    expect(b.store.list()[0]!.state).toBe('not-http')
    expect(b.store.list()[1]!.state).toBe('complete')
  })

  it('records the 502 page written before the request is read', () => {
    const { store, visitor, local } = recorder()
    local('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 4\r\nConnection: close\r\n\r\ndown')
    visitor(GET('/while-down'))
    expect(store.list()[0]!.response!.status).toBe(502)
    expect(store.list()[0]!.state).toBe('complete')
  })

  it('marks exchanges cut by the connection closing as incomplete', () => {
    const { store, rec, visitor, local } = recorder()
    visitor('POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part')
    rec.close()
    expect(store.list()[0]!.state).toBe('incomplete')
    const b = recorder()
    b.visitor(GET('/x'))
    b.local('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')
    b.rec.close()
    expect(b.store.list()[0]!.error).toMatch(/during the response/)
    void local
  })

  it('keeps a body up to the cap, counts all of it, and keeps no view of the wire buffer', () => {
    const { store, visitor } = recorder({ maxEntries: 10, maxBytes: 1 << 20, maxBodyBytes: 1000 })
    const size = 5 * 1024 * 1024
    visitor(`POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: ${size}\r\n\r\n`)
    const block = Buffer.alloc(64 * 1024, 0x61)
    for (let sent = 0; sent < size; sent += block.length) visitor(block)
    const up = store.list()[0]!
    expect(up.request.body.size).toBe(size)
    expect(up.request.body.storedBytes).toBe(1000)
    expect(up.request.body.truncated).toBe(true)
    expect(up.request.body.bytes().buffer).not.toBe(block.buffer)
    expect(up.state).toBe('waiting')
  })
})
