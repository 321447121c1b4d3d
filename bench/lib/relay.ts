/**
 * A WAN leg without tc netem: a TCP relay that holds every chunk `delayMs` before passing
 * it on, in each direction (so the leg's round trip is 2 × delayMs), between the
 * workstation side and sshd (P3, P8) or between the browser and nginx (P8).
 *
 * One queue and one timer per direction: chunks leave in arrival order, each at its own
 * arrival time + delayMs, and everything due by then goes in one write. The relay adds
 * no bandwidth limit of its own (it reads as fast as bytes come and only pauses a reader
 * when more than HOLD_LIMIT bytes wait for a slow receiver), so a leg is latency only.
 */
import net from 'node:net'
import type { AddressInfo } from 'node:net'

/** Far above what a 20 ms leg carries at loopback speeds; only a stalled receiver reaches it. */
const HOLD_LIMIT = 64 * 1024 * 1024

export interface Relay {
  port: number
  host: string
  close(): Promise<void>
}

export interface RelayOptions {
  /** Where to listen (P8 puts the visitor leg on 127.0.0.2 with nginx's own port). @default '127.0.0.1', port 0 */
  host?: string
  port?: number
  /** Where to connect. @default '127.0.0.1' */
  targetHost?: string
}

type Item = { at: number; chunk?: Buffer; end?: true }

function delayed(from: net.Socket, to: net.Socket, delayMs: number): void {
  const queue: Item[] = []
  let head = 0
  let held = 0
  let timer: NodeJS.Timeout | undefined
  const pump = () => {
    timer = undefined
    const now = performance.now()
    const batch: Buffer[] = []
    let end = false
    while (head < queue.length && queue[head]!.at <= now + 0.5) {
      const item = queue[head++]!
      if (item.chunk) batch.push(item.chunk)
      if (item.end) end = true
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head)
      head = 0
    }
    if (batch.length && !to.destroyed) {
      const bytes = batch.length === 1 ? batch[0]! : Buffer.concat(batch)
      held -= bytes.length
      to.write(bytes)
      if (from.isPaused() && held < HOLD_LIMIT / 2) from.resume()
    }
    if (end && !to.destroyed) to.end()
    if (head < queue.length) timer = setTimeout(pump, Math.max(0, Math.floor(queue[head]!.at - performance.now())))
  }
  const push = (item: Item) => {
    queue.push(item)
    if (!timer) timer = setTimeout(pump, Math.max(0, Math.floor(item.at - performance.now())))
  }
  from.on('data', (chunk: Buffer) => {
    held += chunk.length
    push({ at: performance.now() + delayMs, chunk })
    if (held > HOLD_LIMIT) from.pause()
  })
  from.on('end', () => push({ at: performance.now() + delayMs, end: true }))
  from.on('error', () => to.destroy())
  // A reset travels with the same delay as the bytes before it. (A clean close is the
  // 'end' item above: both sockets are half-open, each direction ends on its own.)
  from.on('close', (hadError) => hadError && setTimeout(() => to.destroy(), delayMs + 5))
}

export async function startRelay(targetPort: number, delayMs: number, options: RelayOptions = {}): Promise<Relay> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ host: options.targetHost ?? '127.0.0.1', port: targetPort, noDelay: true, allowHalfOpen: true })
    client.setNoDelay(true)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
    }
    delayed(client, upstream, delayMs)
    delayed(upstream, client, delayMs)
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, resolve)
  })
  return {
    port: (server.address() as AddressInfo).port,
    host,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

/** Round trip through a relay to a local echo server, ms (median of `n`): checks the leg is what it claims. */
export async function measureRelayRtt(delayMs: number, n = 7): Promise<number> {
  const echo = net.createServer((s) => s.pipe(s))
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r))
  const relay = await startRelay((echo.address() as AddressInfo).port, delayMs)
  const socket = net.connect({ host: '127.0.0.1', port: relay.port, noDelay: true })
  await new Promise((r) => socket.once('connect', r))
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    socket.write('x')
    await new Promise((r) => socket.once('data', r))
    times.push(performance.now() - t0)
  }
  socket.destroy()
  await relay.close()
  await new Promise((r) => echo.close(r))
  return times.sort((a, b) => a - b)[n >> 1]!
}
