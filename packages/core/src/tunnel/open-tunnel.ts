/**
 * openTunnel(): the public handle and the keep-it-up loop. The first connection
 * must succeed or openTunnel rejects (nothing is retried that cannot succeed);
 * after that, drops are retried with backoff until close(), except errors that
 * retrying cannot fix (auth, host key, config), which end the tunnel.
 */
import { EventEmitter } from 'node:events'
import { GangwayError, isGangwayError } from '../errors.js'
import { resolveOptions, type ResolvedTunnelOptions } from '../config/resolve.js'
import type { ResolvedShare, TapFactory, Tunnel, TunnelOptions, TunnelState, TunnelStatus } from '../types.js'
import { startInspector, type Inspector } from '../inspect/inspector.js'
import { backoffDelay, sleep } from './backoff.js'
import { LocalBridge } from './local-bridge.js'
import { openSession, type Session } from './session.js'

class TunnelHandle extends EventEmitter implements Tunnel {
  readonly share: ResolvedShare
  private current: TunnelState = 'connecting'
  private session: Session | undefined
  private readonly stop = new AbortController()
  private readonly bridge: LocalBridge
  private loop: Promise<void> | undefined
  private closing: Promise<void> | undefined

  constructor(
    private readonly opts: ResolvedTunnelOptions,
    private readonly inspector: Inspector | undefined,
  ) {
    super()
    this.share = opts.share
    this.bridge = new LocalBridge({ localHost: opts.localHost, localPort: opts.port, logger: opts.logger, tap: opts.tap })
  }

  get url(): string {
    return this.share.url
  }

  get inspectorUrl(): string | undefined {
    return this.inspector?.url
  }

  get state(): TunnelState {
    return this.current
  }

  private setState(status: TunnelStatus): void {
    this.current = status.state
    this.emit('status', status)
  }

  async start(): Promise<void> {
    this.setState({ state: 'connecting' })
    const session = await openSession(this.opts, this.bridge)
    if (this.stop.signal.aborted) {
      // close() ran while connecting: this session is nobody's, end it.
      await session.close()
      return
    }
    this.session = session
    for (const w of warnings(session)) this.opts.logger?.warn(w)
    this.setState({ state: 'online' })
    this.loop = this.keepUp()
  }

  /** Waits for the current session to end, then reconnects until stopped. */
  private async keepUp(): Promise<void> {
    const { logger, share } = this.opts
    while (!this.stop.signal.aborted) {
      const why = await this.session!.ended
      if (this.stop.signal.aborted) return
      this.session = undefined
      this.bridge.destroyAll()
      const error = why ?? new Error('connection closed')
      logger?.warn(`Tunnel to ${share.proxy} lost (${error.message}); reconnecting…`)
      this.setState({ state: 'offline', error })
      for (let attempt = 1; !this.stop.signal.aborted; attempt++) {
        const delayMs = backoffDelay(attempt)
        this.setState({ state: 'reconnecting', attempt, delayMs, error })
        await sleep(delayMs, this.stop.signal)
        if (this.stop.signal.aborted) return
        try {
          const session = await openSession(this.opts, this.bridge)
          if (this.stop.signal.aborted) {
            await session.close()
            return
          }
          this.session = session
          logger?.info(`Tunnel back online: ${share.url}`)
          this.setState({ state: 'online' })
          break
        } catch (err) {
          if (isGangwayError(err) && err.fatal) {
            logger?.error(`Tunnel stopped: ${err.format()}`)
            this.setState({ state: 'closed', error: err })
            this.stop.abort()
            return
          }
          logger?.debug?.(`reconnect attempt ${attempt} failed: ${(err as Error).message}`)
        }
      }
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort()
      const session = this.session
      this.session = undefined
      await session?.close()
      this.bridge.destroyAll()
      await this.loop
      await this.inspector?.close()
      if (this.current !== 'closed') this.setState({ state: 'closed' })
    })()
    return this.closing
  }
}

function warnings(session: Session): string[] {
  const w = session.reply.warning
  return typeof w === 'string' && w ? [w] : []
}

/** The inspector asked for with `inspect`, listening before the first request can arrive. */
function startInspectorFor(options: TunnelOptions, opts: ResolvedTunnelOptions): Promise<Inspector | undefined> {
  const { inspect } = options
  if (inspect === undefined || inspect === false) return Promise.resolve(undefined)
  return startInspector({
    localPort: opts.port,
    localHost: opts.localHost,
    port: inspect === true ? undefined : inspect,
    logger: opts.logger,
  })
}

/** Both taps see every connection (the inspector's and a caller's own). */
function chainTaps(first: TapFactory, second: TapFactory | undefined): TapFactory {
  if (!second) return first
  return () => {
    const a = first()
    const b = second()
    if (!a || !b) return a ?? b
    return {
      visitor: (c) => (a.visitor(c), b.visitor(c)),
      local: (c) => (a.local(c), b.local(c)),
      close: () => (a.close(), b.close()),
    }
  }
}

/**
 * Opens a tunnel from `options.port` on this machine to `https://NAME.DOMAIN` and
 * resolves once the public URL serves. Rejects with a GangwayError when it cannot.
 */
export async function openTunnel(options: TunnelOptions): Promise<Tunnel> {
  const resolved = resolveOptions(options)
  if (resolved.signal?.aborted) throw new GangwayError('CLOSED', 'aborted before the tunnel opened')
  const inspector = await startInspectorFor(options, resolved)
  const opts = inspector ? { ...resolved, tap: chainTaps(inspector.tap, resolved.tap) } : resolved
  const tunnel = new TunnelHandle(opts, inspector)
  // Listen before starting: an abort while the first connection is being made must
  // still close it, and openTunnel then rejects instead of handing back a live tunnel.
  const onAbort = () => void tunnel.close()
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    await tunnel.start()
  } catch (err) {
    opts.signal?.removeEventListener('abort', onAbort)
    await inspector?.close()
    throw err
  }
  if (opts.signal?.aborted) {
    await tunnel.close()
    throw new GangwayError('CLOSED', 'aborted while the tunnel was opening')
  }
  return tunnel
}
