/**
 * openTunnel(): the public handle and the keep-it-up loop. The first connection
 * must succeed or openTunnel rejects (nothing is retried that cannot succeed);
 * after that, drops are retried with backoff until close(), except errors that
 * retrying cannot fix (auth, host key, config), which end the tunnel.
 */
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { GangwayError, isGangwayError } from '../errors.js'
import { resolveOptions, type ResolvedTunnelOptions } from '../config/resolve.js'
import type { ResolvedShare, TapFactory, Tunnel, TunnelOptions, TunnelState, TunnelStatus } from '../types.js'
import type { Inspector } from '../inspect/inspector.js'
import { backoffDelay, sleep } from './backoff.js'
import { LocalBridge } from './local-bridge.js'
import { openSession, type Session } from './session.js'
import { drainHeld } from '../hold/deliver.js'
import { ExchangeStore } from '../inspect/store.js'

class TunnelHandle extends EventEmitter implements Tunnel {
  readonly share: ResolvedShare
  private current: TunnelState = 'connecting'
  private session: Session | undefined
  private readonly stop = new AbortController()
  private readonly bridge: LocalBridge
  private loop: Promise<void> | undefined
  private closing: Promise<void> | undefined
  /** This handle on the proxy: its reconnects take the share back, another process's do not. */
  private readonly instance = randomBytes(12).toString('base64url')
  private healTimer: NodeJS.Timeout | undefined
  private deliveryTimer: NodeJS.Timeout | undefined
  /** The session whose held requests are being delivered now (one drain at a time). */
  private delivering: Session | undefined

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
    const session = await openSession(this.opts, this.bridge, this.instance)
    if (this.stop.signal.aborted) {
      // close() ran while connecting: this session is nobody's, end it.
      await session.close()
      return
    }
    this.session = session
    for (const w of warnings(session)) this.opts.logger?.warn(w)
    this.setState({ state: 'online' })
    this.scheduleHeal()
    this.deliverHeld(session)
    this.loop = this.keepUp()
  }

  /**
   * What the proxy held while the share was offline goes to the local server now, oldest
   * first. When the local server is not answering, it is tried again every few seconds.
   */
  private deliverHeld(session: Session): void {
    if (!this.opts.hold.length && !Number(session.reply.held)) return
    if (this.delivering === session || this.session !== session) return
    this.delivering = session
    const store = this.inspector?.store ?? new ExchangeStore({ maxEntries: 4, maxBytes: 8 << 20, maxBodyBytes: 1 << 20 })
    void drainHeld(session.client, {
      share: this.share,
      target: { host: this.opts.localHost, port: this.opts.port },
      auth: Boolean(this.opts.access.authLine),
      resigner: this.opts.resigner,
      store,
      logger: this.opts.logger,
    }).then(
      (result) => {
        if (this.delivering === session) this.delivering = undefined
        if (result === 'local-down') this.retryDelivery(session)
      },
      (err: Error) => {
        if (this.delivering === session) this.delivering = undefined
        this.opts.logger?.debug?.(`held delivery: ${err.message}`)
        this.retryDelivery(session)
      },
    )
  }

  private retryDelivery(session: Session): void {
    clearTimeout(this.deliveryTimer)
    this.deliveryTimer = setTimeout(() => this.session === session && this.deliverHeld(session), 3000)
    this.deliveryTimer.unref()
  }

  /**
   * About once a minute: does the proxy still route the share here? A proxy restored from
   * a backup or re-provisioned under a live session does not; the session is then ended
   * and the reconnect puts the share back. Another process that took the share over ends
   * this tunnel.
   */
  private scheduleHeal(): void {
    const every = this.opts.healIntervalMs
    const delay = every ?? 40_000 + Math.random() * 20_000
    this.healTimer = setTimeout(() => void this.heal(), delay)
    this.healTimer.unref()
  }

  private async heal(): Promise<void> {
    const session = this.session
    if (!session || this.stop.signal.aborted) return
    try {
      const answer = await session.check()
      if (!answer.serving && this.session === session) {
        this.opts.logger?.warn(`The proxy no longer routes ${this.share.hostname} here (${answer.reason ?? 'unknown'}); restoring the share.`)
        session.client.end()
        return
      }
    } catch (err) {
      if (isGangwayError(err) && err.code === 'TAKEN_OVER') return this.takenOver(err)
      this.opts.logger?.debug?.(`share check failed: ${(err as Error).message}`)
    }
    if (this.session === session) this.scheduleHeal()
  }

  private takenOver(err: GangwayError): void {
    this.opts.logger?.error(`Tunnel stopped: ${err.format()}`)
    this.stop.abort()
    clearTimeout(this.healTimer)
    const session = this.session
    this.session = undefined
    void session?.close()
    this.bridge.destroyAll()
    this.setState({ state: 'closed', error: err })
  }

  /** Waits for the current session to end, then reconnects until stopped. */
  private async keepUp(): Promise<void> {
    const { logger, share } = this.opts
    while (!this.stop.signal.aborted) {
      const why = await this.session!.ended
      clearTimeout(this.healTimer)
      clearTimeout(this.deliveryTimer)
      if (this.stop.signal.aborted) return
      this.session = undefined
      this.bridge.destroyAll()
      const error = why ?? new Error('connection closed')
      logger?.warn(`Tunnel to ${share.proxy} lost (${error.message}); reconnecting…`)
      this.setState({ state: 'offline', error })
      const failures = new FailureLog(logger)
      for (let attempt = 1; !this.stop.signal.aborted; attempt++) {
        const delayMs = backoffDelay(attempt)
        this.setState({ state: 'reconnecting', attempt, delayMs, error: failures.last ?? error })
        await sleep(delayMs, this.stop.signal)
        if (this.stop.signal.aborted) return
        try {
          const session = await openSession(this.opts, this.bridge, this.instance)
          if (this.stop.signal.aborted) {
            await session.close()
            return
          }
          this.session = session
          for (const w of warnings(session)) logger?.warn(w)
          logger?.info(`Tunnel back online: ${share.url}`)
          this.setState({ state: 'online' })
          this.scheduleHeal()
          this.deliverHeld(session)
          break
        } catch (err) {
          if (isGangwayError(err) && err.fatal) {
            logger?.error(`Tunnel stopped: ${err.format()}`)
            this.setState({ state: 'closed', error: err })
            this.stop.abort()
            return
          }
          failures.record(attempt, err as Error)
        }
      }
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort()
      clearTimeout(this.healTimer)
      clearTimeout(this.deliveryTimer)
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

/**
 * Reconnect failures: the proxy's own reasons (disk full, certificate, nginx) are said at
 * warn level the first time they appear; a proxy that stays unreachable after the third
 * attempt, and every tenth after that. The rest are debug lines.
 */
class FailureLog {
  last: Error | undefined
  private readonly said = new Set<string>()

  constructor(private readonly logger: ResolvedTunnelOptions['logger']) {}

  record(attempt: number, err: Error): void {
    this.last = err
    const text = isGangwayError(err) ? err.format() : err.message
    const fromProxy = isGangwayError(err) && !['PROXY_UNREACHABLE', 'PROXY_REFUSED'].includes(err.code)
    if ((fromProxy && !this.said.has(text)) || attempt === 3 || (attempt > 3 && attempt % 10 === 0)) {
      this.said.add(text)
      this.logger?.warn(`Still reconnecting (attempt ${attempt}): ${text}`)
    } else {
      this.logger?.debug?.(`reconnect attempt ${attempt} failed: ${err.message}`)
    }
  }
}

function warnings(session: Session): string[] {
  const w = session.reply.warning
  return typeof w === 'string' && w ? [w] : []
}

/** The inspector asked for with `inspect`, listening before the first request can arrive. */
async function startInspectorFor(options: TunnelOptions, opts: ResolvedTunnelOptions): Promise<Inspector | undefined> {
  const { inspect } = options
  if (inspect === undefined || inspect === false) return undefined
  // Loaded only when asked for: most tunnels (every adapter's, by default) record nothing.
  const { startInspector } = await import('../inspect/inspector.js')
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
