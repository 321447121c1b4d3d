/**
 * The request inspector: a tap for openTunnel that records every exchange, a page on
 * http://127.0.0.1:4040 that shows them live, and replay to the local server.
 *
 *   const inspector = await startInspector({ localPort: 3000 })
 *   const tunnel = await openTunnel({ port: 3000, tap: inspector.tap })
 */
import type http from 'node:http'
import type { AddressInfo } from 'node:net'
import { GangwayError } from '../errors.js'
import type { Logger, TapFactory } from '../types.js'
import { ConnectionRecorder } from './connection-recorder.js'
import type { Exchange } from './exchange.js'
import { replayExchange, ReplayRefused, type ReplayEdits, type ReplayTarget } from './replay.js'
import { createInspectorServer } from './server.js'
import { DEFAULT_LIMITS, ExchangeStore } from './store.js'
import { newToken } from './access.js'
import { recordInspector } from './registry.js'

export interface InspectorOptions {
  /** Port of the local server: where replays go (the port given to openTunnel). Required. */
  localPort: number
  /**
   * Host of the local server.
   * @default 'localhost'
   */
  localHost?: string
  /**
   * Port of the inspector page on 127.0.0.1. When taken, the next free one is used
   * (up to 20 further), else any free port; 0 picks any free port.
   * @default 4040
   */
  port?: number
  /** Exchanges kept; the oldest are dropped. @default 500 */
  maxEntries?: number
  /** Bytes kept over all exchanges; the oldest are dropped. @default 64 MiB */
  maxBytes?: number
  /** Bytes kept of one body; the rest is counted, not kept. @default 1 MiB */
  maxBodyBytes?: number
  /** Where log lines go. @default no logging */
  logger?: Logger
}

export interface Inspector {
  /** `http://127.0.0.1:PORT/?token=…`: the address to open (it carries the token). */
  readonly url: string
  readonly port: number
  /** The secret every request must carry (cookie, `Authorization: Bearer`, or `?token=`). */
  readonly token: string
  /** Pass to openTunnel({ tap }). */
  readonly tap: TapFactory
  readonly store: ExchangeStore
  /** Sends recorded request `id` again to the local server; resolves with the new exchange. */
  replay(id: number, edits?: ReplayEdits): Promise<Exchange>
  /** Stops the page; recording stops too. Safe to call twice. */
  close(): Promise<void>
}

const PORT_TRIES = 20

function resolveInspectorOptions(options: InspectorOptions) {
  const resolved = {
    localPort: options.localPort,
    localHost: options.localHost ?? 'localhost',
    port: options.port ?? 4040,
    limits: {
      maxEntries: options.maxEntries ?? DEFAULT_LIMITS.maxEntries,
      maxBytes: options.maxBytes ?? DEFAULT_LIMITS.maxBytes,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes,
    },
    logger: options.logger,
  }
  const bad: string[] = []
  const port = (v: number, zero: boolean) => Number.isInteger(v) && v >= (zero ? 0 : 1) && v <= 65535
  if (!port(resolved.localPort, false)) bad.push(`localPort must be a port number (got ${resolved.localPort})`)
  if (!port(resolved.port, true)) bad.push(`port must be 0–65535 (got ${resolved.port})`)
  for (const [key, value] of Object.entries(resolved.limits)) if (!Number.isInteger(value) || value < 1) bad.push(`${key} must be a positive integer (got ${value})`)
  if (resolved.limits.maxBodyBytes * 2 > resolved.limits.maxBytes) bad.push('maxBytes must hold at least two full bodies (2 × maxBodyBytes)')
  if (bad.length) throw new GangwayError('CONFIG_INVALID', `invalid inspector options: ${bad.join('; ')}`, { hint: 'Fix the listed options of startInspector().' })
  return resolved
}

/** One listen attempt; resolves false when the port is taken (leaving no listener behind). */
function tryListen(server: http.Server, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const onListening = () => {
      server.off('error', onError)
      resolve(true)
    }
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening)
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false)
      else reject(err)
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen({ port, host: '127.0.0.1', exclusive: true })
  })
}

/**
 * Listens on 127.0.0.1:port, else one of the next PORT_TRIES, else any free port: the
 * inspector never keeps a share from starting.
 */
async function listenFrom(server: http.Server, first: number): Promise<number> {
  for (let i = 0; first !== 0 && i <= PORT_TRIES && first + i <= 65535; i++) {
    if (await tryListen(server, first + i)) return (server.address() as AddressInfo).port
  }
  if (await tryListen(server, 0)) return (server.address() as AddressInfo).port
  throw new GangwayError('INVALID_PORT', 'no free port for the inspector on 127.0.0.1', { hint: 'Turn it off (gangway http --no-inspect), or free a port.' })
}

export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const o = resolveInspectorOptions(options)
  const store = new ExchangeStore(o.limits)
  const target: ReplayTarget = { host: o.localHost, port: o.localPort }
  let boundPort = 0
  let closed = false

  const replay = async (id: number, edits: ReplayEdits = {}) => {
    const original = store.get(id)
    if (!original) throw new ReplayRefused(404, `no request #${id} (dropped or never recorded)`)
    const ex = await replayExchange(store, original, target, edits)
    o.logger?.info(`replayed #${id} as #${ex.id}: ${ex.response ? ex.response.status : ex.error}`)
    return ex
  }
  const token = newToken()
  const server = createInspectorServer({ token, store, target, replay, port: () => boundPort })
  server.on('clientError', (_err, socket) => socket.destroy())
  boundPort = await listenFrom(server, o.port)
  if (o.port !== 0 && boundPort !== o.port) o.logger?.warn(`port ${o.port} is taken; the inspector is on ${boundPort}`)
  const url = `http://127.0.0.1:${boundPort}/?token=${token}`
  const unregister = recordInspector({ url, port: boundPort, token, pid: process.pid, localPort: o.localPort, started: new Date().toISOString() })

  return {
    url,
    port: boundPort,
    token,
    store,
    // After close() new connections are not watched; the tunnel runs on unaffected.
    tap: () => (closed ? undefined : new ConnectionRecorder(store)),
    replay,
    async close() {
      if (closed) return
      closed = true
      unregister()
      server.closeAllConnections() // live-update streams never end by themselves
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
