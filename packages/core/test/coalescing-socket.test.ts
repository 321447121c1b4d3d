/**
 * The socket handed to ssh2: every write of one event-loop turn goes out in one writev,
 * in order, and nothing is held past that turn.
 */
import net from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { connectCoalescing } from '../src/ssh/coalescing-socket.js'

describe('CoalescingSocket', () => {
  const servers: net.Server[] = []
  afterAll(() => servers.forEach((s) => s.close()))

  const sink = async () => {
    const chunks: Buffer[] = []
    let ended = false
    const server = net.createServer((sock) => {
      sock.on('data', (c: Buffer) => chunks.push(c))
      sock.on('end', () => (ended = true))
    })
    servers.push(server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    return { port: (server.address() as net.AddressInfo).port, text: () => Buffer.concat(chunks).toString(), ended: () => ended }
  }
  const until = async (check: () => boolean) => {
    const end = Date.now() + 3000
    while (!check()) {
      if (Date.now() > end) throw new Error('condition not reached')
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  const turn = () => new Promise((r) => setImmediate(r))

  it('sends the writes of one turn with one flush, in order, and each later turn with its own', async () => {
    const s = await sink()
    const socket = connectCoalescing({ host: '127.0.0.1', port: s.port })
    await new Promise((r) => socket.once('connect', r))
    for (let i = 0; i < 50; i++) socket.write(`${i},`)
    expect(socket.writableLength).toBeGreaterThan(0) // held (corked) until the turn ends
    await turn()
    expect(socket.flushes).toBe(1)
    socket.write(Buffer.from('a'))
    await turn()
    socket.write('b')
    await turn()
    expect(socket.flushes).toBe(3)
    const expected = Array.from({ length: 50 }, (_, i) => `${i},`).join('') + 'ab'
    await until(() => s.text() === expected)
    socket.end()
    await until(() => s.ended())
  })

  it('keeps writes made before the connection is up, and end() inside a turn delivers them', async () => {
    const s = await sink()
    const socket = connectCoalescing({ host: '127.0.0.1', port: s.port })
    socket.write('early ')
    socket.write('bird')
    socket.end()
    await until(() => s.ended())
    expect(s.text()).toBe('early bird')
  })

  it('turns on TCP_NODELAY and reports a refused connection as an error with its code', async () => {
    const probe = net.createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const port = (probe.address() as net.AddressInfo).port
    await new Promise((r) => probe.close(r))
    const socket = connectCoalescing({ host: '127.0.0.1', port })
    const err = await new Promise<NodeJS.ErrnoException>((r) => socket.once('error', r))
    expect(err.code).toBe('ECONNREFUSED')
    const kNoDelay = Object.getOwnPropertySymbols(socket).find((k) => k.description === 'kSetNoDelay')
    expect(kNoDelay && (socket as unknown as Record<symbol, unknown>)[kNoDelay]).toBe(true)
  })
})
