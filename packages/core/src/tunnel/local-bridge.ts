/**
 * Joins each connection that arrives through the tunnel to the local dev server.
 * When the dev server does not answer, the visitor gets an HTTP 502 page that says
 * so, instead of a reset or a hang.
 */
import net from 'node:net'
import type { Duplex } from 'node:stream'
import type { Logger, TapFactory } from '../types.js'

export interface BridgeOptions {
  localHost: string
  localPort: number
  logger?: Logger
  /** Watches traffic (the request inspector); off when unset, adding no cost. */
  tap?: TapFactory
  /** Resolves `localHost` when it is a name. @default dns.lookup (tests pass their own) */
  lookup?: net.LookupFunction
}

export function badGatewayResponse(host: string, port: number): string {
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>502 · dev server not answering</title>
<meta http-equiv="refresh" content="3"><meta name="robots" content="noindex">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}</style></head>
<body><h1>The dev server is not answering</h1>
<p>The tunnel is up, but nothing answers on <code>${host}:${port}</code> on the developer's machine.
Start the dev server again; this page retries every few seconds.</p><p><small>Gangway</small></p></body></html>\n`
  return (
    'HTTP/1.1 502 Bad Gateway\r\n' +
    'Content-Type: text/html; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Cache-Control: no-store\r\n' +
    'X-Gangway-Error: local-server-unreachable\r\n' +
    'Connection: close\r\n\r\n' +
    body
  )
}

/**
 * Where local connections go. A name (the default `localhost`) is resolved once: a
 * dns.lookup per connection was 9 % of the client's CPU at 32 visitor connections. The
 * address that answered is reused until a connection to it fails; then the name is
 * resolved again (a dev server restarted on the other address family, an edited hosts file).
 */
class LocalTarget {
  /** The address to dial directly, when known. */
  private known: string | undefined

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly lookup?: net.LookupFunction,
  ) {
    if (net.isIP(host)) this.known = host
  }

  /** A connecting socket, and whether it used the remembered address (then a failure may retry by name). */
  dial(onread?: net.OnReadOpts): { socket: net.Socket; cached: boolean } {
    if (this.known) return { socket: net.connect({ host: this.known, port: this.port, noDelay: true, onread }), cached: !net.isIP(this.host) }
    const socket = net.connect({ host: this.host, port: this.port, autoSelectFamily: true, noDelay: true, onread, ...(this.lookup && { lookup: this.lookup }) })
    socket.once('connect', () => (this.known = socket.remoteAddress))
    return { socket, cached: false }
  }

  forget(): void {
    if (!net.isIP(this.host)) this.known = undefined
  }
}

/** Reads start this small (idle and small-response connections stay cheap) and grow to MAX_READ once a read fills the buffer. */
const FIRST_READ = 16 * 1024
const MAX_READ = 64 * 1024

/**
 * Dev server → channel without a new Buffer per read: the socket reads into a buffer of its
 * own (net's `onread`) that is written to the channel at once. ssh2 copies a chunk into SSH
 * packets inside write() — unless the channel's window is used up or an earlier write still
 * waits, and then it keeps the chunk: `writableLength > 0` after write() says so, and the
 * next read gets a fresh buffer (the old one is the channel's now). A bulk download through
 * Node otherwise allocated 64 KiB per read on top of ssh2's packets, and that external
 * memory drove a mark-compact GC every ~55 ms.
 */
class LocalReader {
  private buffer = Buffer.allocUnsafe(FIRST_READ)
  private handedOff = false
  private grow = false
  socket: net.Socket | undefined

  constructor(private readonly channel: Duplex) {}

  readonly options: net.OnReadOpts = {
    buffer: () => {
      if (this.handedOff || this.grow) {
        this.buffer = Buffer.allocUnsafe(this.grow ? MAX_READ : this.buffer.length)
        this.handedOff = this.grow = false
      }
      return this.buffer
    },
    callback: (nread: number, buf: Uint8Array): boolean => {
      const channel = this.channel
      const more = channel.write(nread === buf.length ? buf : buf.subarray(0, nread))
      if (channel.writableLength > 0) this.handedOff = true
      if (nread === buf.length && buf.length < MAX_READ) this.grow = true
      if (more) return true
      channel.once('drain', () => this.socket?.resume())
      return false
    },
  }
}

/** Ends our side of a channel once: a second end() on a finished stream builds an Error (a stack trace) each time. */
function closeChannel(channel: Duplex): void {
  if (!channel.writableEnded) channel.end()
  // ssh2's Channel: close() sends CHANNEL_CLOSE (its destroy() is end() + close()). Any other Duplex: destroy.
  const close = (channel as Duplex & { close?: () => void }).close
  if (typeof close === 'function') close.call(channel)
  else channel.destroy()
}

export class LocalBridge {
  private readonly open = new Set<Duplex>()
  private readonly target: LocalTarget
  private refusedLogged = false

  constructor(private readonly options: BridgeOptions) {
    this.target = new LocalTarget(options.localHost, options.localPort, options.lookup)
  }

  get connections(): number {
    return this.open.size
  }

  /** Takes ownership of one tunnel channel. */
  handle(channel: Duplex): void {
    this.open.add(channel)
    const tap = this.options.tap?.()
    let local: net.Socket | undefined
    let done = false
    // The channel closed (ssh2 ended and closed it) or failed: forget it, drop the local side.
    const finish = () => {
      if (done) return
      done = true
      tap?.close()
      this.open.delete(channel)
      if (local && !local.destroyed) local.destroy()
    }
    channel.on('close', finish)
    channel.on('error', () => {
      finish()
      closeChannel(channel)
    })
    const attempt = () => {
      // With a tap (the inspector) every chunk is also recorded: plain 'data' events then.
      const reader = tap ? undefined : new LocalReader(channel)
      const { socket, cached } = this.target.dial(reader?.options)
      if (reader) reader.socket = socket
      local = socket
      let connected = false // this socket's, not the channel's: a failed first try may still close later
      socket.once('connect', () => {
        connected = true
        this.refusedLogged = false
        if (done) return void socket.destroy()
        if (tap) {
          // Listeners added together with pipe(), so neither sees flowing data before the other.
          channel.on('data', (c: Buffer) => tap.visitor(c))
          socket.on('data', (c: Buffer) => tap.local(c))
          socket.pipe(channel)
        } else {
          // Reads go to LocalReader; the readable side only reports the end, as pipe() would.
          socket.once('end', () => channel.writableEnded || channel.end())
          socket.resume()
        }
        channel.pipe(socket)
      })
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (connected) {
          // The dev server reset the connection: the channel goes too.
          finish()
          closeChannel(channel)
          return
        }
        if (cached) {
          // The remembered address stopped answering: resolve the name again, once.
          this.target.forget()
          return attempt()
        }
        if (!done) this.badGateway(channel, tap, err)
      })
      // Half-close handling: when the dev server ends, end the channel (pipe does it);
      // when it closes, make sure the channel goes too.
      socket.on('close', () => {
        if (!connected) return
        if (!channel.writableEnded) channel.end()
        // pipe() unpiped the channel when local ended, leaving it paused: it would never
        // read the visitor side's EOF, never emit 'close', and stay in `open` forever.
        channel.resume()
      })
    }
    attempt()
  }

  private badGateway(channel: Duplex, tap: ReturnType<TapFactory>, err: NodeJS.ErrnoException): void {
    const { localHost, localPort, logger } = this.options
    if (!this.refusedLogged) {
      logger?.warn(`The dev server on ${localHost}:${localPort} is not answering (${err.code ?? err.message}); visitors get a 502 page.`)
      this.refusedLogged = true
    }
    if (tap) channel.on('data', (c: Buffer) => tap.visitor(c))
    channel.resume() // discard the request
    const page = Buffer.from(badGatewayResponse(localHost, localPort))
    tap?.local(page)
    channel.end(page)
  }

  /** Ends every open connection (tunnel closing or replaced). */
  destroyAll(): void {
    for (const ch of this.open) ch.destroy()
    this.open.clear()
  }
}
