/**
 * The bridge between tunnel channels and the local server. The channel here is a plain
 * Duplex standing in for an ssh2 channel (same stream contract: 'close' only after its
 * end was read and its own side finished); the local server is a real TCP server.
 */
import { createHash } from 'node:crypto'
import net from 'node:net'
import { Duplex } from 'node:stream'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { LocalBridge } from '../src/tunnel/local-bridge.js'

function fakeChannel(): { channel: Duplex; received: Buffer[] } {
  const received: Buffer[] = []
  const channel = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      received.push(chunk)
      cb()
    },
  })
  return { channel, received }
}

const until = (check: () => boolean, ms = 3000) =>
  vi.waitFor(
    () => {
      if (!check()) throw new Error('condition not reached')
    },
    { timeout: ms, interval: 10 },
  )

describe('LocalBridge', () => {
  const servers: net.Server[] = []
  afterAll(() => servers.forEach((s) => s.close()))

  it('forgets a connection the local server closed first (websocket close, keep-alive timeout)', async () => {
    let serverClosed = false
    const server = net.createServer((sock) => {
      sock.once('data', () => sock.end('bye'))
      sock.on('close', () => (serverClosed = true))
    })
    servers.push(server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const bridge = new LocalBridge({ localHost: '127.0.0.1', localPort: (server.address() as net.AddressInfo).port })
    const { channel, received } = fakeChannel()
    bridge.handle(channel)
    channel.push('hello')
    await until(() => Buffer.concat(received).toString() === 'bye' && serverClosed)
    await new Promise((r) => setTimeout(r, 100)) // let the bridge see its socket close
    expect(bridge.connections).toBe(1)
    channel.push(null) // the visitor side's EOF arrives after the local close
    await until(() => bridge.connections === 0)
  })

  it('answers 502 with the local address when nothing listens', async () => {
    const probe = net.createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const port = (probe.address() as net.AddressInfo).port
    await new Promise((r) => probe.close(r))
    const bridge = new LocalBridge({ localHost: '127.0.0.1', localPort: port })
    const { channel, received } = fakeChannel()
    bridge.handle(channel)
    channel.push('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await until(() => Buffer.concat(received).toString().includes('</html>'))
    const text = Buffer.concat(received).toString()
    expect(text.startsWith('HTTP/1.1 502 Bad Gateway\r\n')).toBe(true)
    expect(text).toContain(`127.0.0.1:${port}`)
  })
})

describe('LocalBridge: the local address', () => {
  const servers: net.Server[] = []
  afterAll(() => servers.forEach((s) => s.close()))

  /** A server on `host` (and `port`, when given) that answers each connection's first bytes with `reply`. */
  const serve = async (host: string, reply: string, port = 0) => {
    const server = net.createServer((sock) => sock.once('data', () => sock.end(reply)))
    servers.push(server)
    await new Promise<void>((r) => server.listen(port, host, r))
    return server
  }

  /** One request through the bridge: what the "visitor" got back. */
  const roundTrip = async (bridge: LocalBridge) => {
    const { channel, received } = fakeChannel()
    bridge.handle(channel)
    channel.push('ping')
    await until(() => received.length > 0 && bridge.connections === 1)
    await until(() => Buffer.concat(received).toString().length > 0)
    const text = Buffer.concat(received).toString()
    channel.push(null)
    channel.destroy()
    return text
  }

  it('resolves a name once and reuses the address that answered; re-resolves when it stops answering', async () => {
    const first = await serve('127.0.0.1', 'from .1')
    const port = (first.address() as net.AddressInfo).port
    let answer = '127.0.0.1'
    let lookups = 0
    const lookup = ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
      lookups++
      if (options.all) cb(null, [{ address: answer, family: 4 }])
      else cb(null, answer, 4)
    }) as unknown as net.LookupFunction
    const bridge = new LocalBridge({ localHost: 'dev.invalid', localPort: port, lookup })
    for (let i = 0; i < 5; i++) expect(await roundTrip(bridge)).toBe('from .1')
    expect(lookups).toBe(1)

    // The dev server comes back on another address under the same name.
    await new Promise((r) => first.close(r))
    answer = '127.0.0.2'
    await serve('127.0.0.2', 'from .2', port)
    expect(await roundTrip(bridge)).toBe('from .2')
    expect(lookups).toBe(2)
    expect(await roundTrip(bridge)).toBe('from .2')
    expect(lookups).toBe(2)
  })

  it('answers 502 after the re-resolved address refuses too', async () => {
    const probe = net.createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const port = (probe.address() as net.AddressInfo).port
    await new Promise((r) => probe.close(r))
    const up = await serve('127.0.0.1', 'up', port)
    const bridge = new LocalBridge({ localHost: 'localhost', localPort: port })
    expect(await roundTrip(bridge)).toBe('up')
    await new Promise((r) => up.close(r))
    const { channel, received } = fakeChannel()
    bridge.handle(channel)
    channel.push('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await until(() => Buffer.concat(received).toString().includes('</html>'))
    expect(Buffer.concat(received).toString().startsWith('HTTP/1.1 502 Bad Gateway\r\n')).toBe(true)
  })
})

describe('LocalBridge: dev server → channel', () => {
  const servers: net.Server[] = []
  afterAll(() => servers.forEach((s) => s.close()))

  /**
   * A channel like ssh2's when its window runs out: write() keeps the chunk it was given
   * (a view of the socket's read buffer) and calls back later. Reusing that buffer for the
   * next read would corrupt what is still queued.
   */
  function slowChannel(): { channel: Duplex; received: Buffer[]; ended: () => boolean } {
    const received: Buffer[] = []
    let ended = false
    let n = 0
    const channel = new Duplex({
      highWaterMark: 256 * 1024,
      read() {},
      write(chunk: Buffer, _enc, cb) {
        // every third chunk waits (held by reference, as ssh2 holds `_chunk`), the rest are copied at once
        if (++n % 3 === 0) {
          setTimeout(() => {
            received.push(Buffer.from(chunk))
            cb()
          }, 2)
        } else {
          received.push(Buffer.from(chunk))
          cb()
        }
      },
      final(cb) {
        ended = true
        cb()
      },
    })
    return { channel, received, ended: () => ended }
  }

  it('carries a large response byte for byte while the channel holds some chunks', async () => {
    const body = createHash('sha256').update('seed').digest()
    const payload = Buffer.concat(Array.from({ length: 40_000 }, (_, i) => Buffer.concat([body, Buffer.from([i & 0xff])]))) // ~1.3 MB, no two blocks alike
    const server = net.createServer((sock) => sock.once('data', () => sock.end(payload)))
    servers.push(server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const bridge = new LocalBridge({ localHost: '127.0.0.1', localPort: (server.address() as net.AddressInfo).port })
    const { channel, received, ended } = slowChannel()
    bridge.handle(channel)
    channel.push('GET')
    await until(() => ended(), 10_000)
    const got = Buffer.concat(received)
    expect(got.length).toBe(payload.length)
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'))
  })
})
