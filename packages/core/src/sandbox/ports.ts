/**
 * Loopback ports for the sandbox daemons. Ports are picked by binding port 0 and closing:
 * racy in theory, but every daemon binds within a second and a clash makes it fail loudly
 * (the readiness wait then reports the daemon's log).
 */
import { createServer, connect } from 'node:net'
import { createSocket } from 'node:dgram'

/** True when nothing listens on 127.0.0.1:port (TCP, and UDP too when `udp` is set). */
export async function portIsFree(port: number, udp = false): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)))
  })
  if (!tcp || !udp) return tcp
  return new Promise<boolean>((resolve) => {
    const socket = createSocket('udp4')
    socket.once('error', () => resolve(false))
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)))
  })
}

async function pickOne(udp: boolean, taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.once('error', reject)
      server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
        const address = server.address()
        const picked = typeof address === 'object' && address ? address.port : 0
        server.close(() => resolve(picked))
      })
    })
    if (port && !taken.has(port) && (!udp || (await portIsFree(port, true)))) return port
  }
  throw new Error('no free loopback port found')
}

/**
 * Free loopback ports for each key. `previous` ports are kept when still free so that a
 * restarted sandbox keeps its URLs and the user's profile stays valid.
 */
export async function pickPorts<K extends string>(
  keys: readonly K[],
  options: { udp?: readonly K[]; previous?: Partial<Record<K, number>> } = {},
): Promise<Record<K, number>> {
  const taken = new Set<number>()
  const out = {} as Record<K, number>
  for (const key of keys) {
    const udp = options.udp?.includes(key) ?? false
    const old = options.previous?.[key]
    const port = old && !taken.has(old) && (await portIsFree(old, udp)) ? old : await pickOne(udp, taken)
    taken.add(port)
    out[key] = port
  }
  return out
}

/** True when something accepts a TCP connection on 127.0.0.1:port. */
export function portAnswers(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/** Polls `check` until it returns true; throws with `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
