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

export class LocalBridge {
  private readonly open = new Set<Duplex>()
  private refusedLogged = false

  constructor(private readonly options: BridgeOptions) {}

  get connections(): number {
    return this.open.size
  }

  /** Takes ownership of one tunnel channel. */
  handle(channel: Duplex): void {
    const { localHost, localPort, logger } = this.options
    this.open.add(channel)
    const tap = this.options.tap?.()
    const local = net.connect({ host: localHost, port: localPort, autoSelectFamily: true, noDelay: true })
    let connected = false
    let tapClosed = false
    const cleanup = () => {
      if (tap && !tapClosed) {
        tapClosed = true
        tap.close()
      }
      this.open.delete(channel)
      if (!local.destroyed) local.destroy()
      if (!channel.destroyed) channel.destroy()
    }
    channel.on('error', () => cleanup())
    channel.on('close', () => cleanup())
    local.once('connect', () => {
      connected = true
      this.refusedLogged = false
      if (tap) {
        // Listeners added together with pipe(), so neither sees flowing data before the other.
        channel.on('data', (c: Buffer) => tap.visitor(c))
        local.on('data', (c: Buffer) => tap.local(c))
      }
      channel.pipe(local)
      local.pipe(channel)
    })
    local.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected) {
        if (!this.refusedLogged) {
          logger?.warn(`The dev server on ${localHost}:${localPort} is not answering (${err.code ?? err.message}); visitors get a 502 page.`)
          this.refusedLogged = true
        }
        if (tap) channel.on('data', (c: Buffer) => tap.visitor(c))
        channel.resume() // discard the request
        const page = Buffer.from(badGatewayResponse(localHost, localPort))
        tap?.local(page)
        channel.end(page)
        return
      }
      cleanup()
    })
    // Half-close handling: when the dev server ends, end the channel (pipe does it);
    // when it closes, make sure the channel goes too.
    local.on('close', () => {
      if (!connected) return
      channel.end()
      // pipe() unpiped the channel when local ended, leaving it paused: it would never
      // read the visitor side's EOF, never emit 'close', and stay in `open` forever.
      channel.resume()
    })
  }

  /** Ends every open connection (tunnel closing or replaced). */
  destroyAll(): void {
    for (const ch of this.open) ch.destroy()
    this.open.clear()
  }
}
