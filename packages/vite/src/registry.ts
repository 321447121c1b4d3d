/**
 * Tunnels open in this process, one per share, shared by every dev server that
 * publishes it. Vite restarts by creating the new server (plugins re-created) before
 * closing the old one: the new server takes a lease first, so when the old one lets go
 * the tunnel stays up and is reused if the new server listens on the same port, or
 * replaced if it moved. The last lease to go closes the tunnel: nothing is duplicated
 * or leaked.
 */
import type { Logger, Tunnel } from '@gangway/core'

interface Entry {
  key: string
  leases: Set<TunnelLease>
  /** Local port the current tunnel publishes. */
  port: number | undefined
  tunnel: Promise<Tunnel> | undefined
  lastLogger: Logger
}

// On globalThis: Vite bundles a workspace-linked plugin into the config, so each restart
// may evaluate a fresh copy of this module; the tunnels must outlive that copy.
const REGISTRY: unique symbol = Symbol.for('gangway.vite.tunnels') as never
const store = globalThis as { [REGISTRY]?: Map<string, Entry> }
const entries = (store[REGISTRY] ??= new Map<string, Entry>())

async function closeQuietly(tunnel: Promise<Tunnel>): Promise<void> {
  try {
    await (await tunnel).close()
  } catch {
    // a tunnel that never opened has nothing to close; its error was reported
  }
}

export class TunnelLease {
  private releasing: Promise<void> | undefined
  /** Port this lease's server published, once it listens. */
  port: number | undefined

  constructor(
    private readonly entry: Entry,
    readonly logger: Logger,
  ) {}

  /**
   * Returns the share's tunnel for `port`: the open one when it already points
   * there, otherwise a new one from `open` (closing one this process no longer uses).
   */
  publish(port: number, open: (logger: Logger) => Promise<Tunnel>): Promise<Tunnel> {
    const { entry } = this
    if (this.releasing) return Promise.reject(new Error('the dev server closed before it listened'))
    this.port = port
    if (entry.tunnel && entry.port === port) return entry.tunnel
    const holder = [...entry.leases].find((l) => l !== this && l.port !== undefined && l.port === entry.port)
    if (holder) {
      return Promise.reject(new Error(`share ${entry.key} is already published for port ${entry.port} by another server in this process; give this one its own name`))
    }
    const previous = entry.tunnel
    entry.port = port
    const tunnel = (async () => {
      if (previous) await closeQuietly(previous)
      return open(delegatingLogger(entry))
    })()
    entry.tunnel = tunnel
    tunnel.catch(() => {
      // Forget a failed attempt so the next server (after a restart) tries again.
      if (entry.tunnel === tunnel) {
        entry.tunnel = undefined
        entry.port = undefined
      }
    })
    return tunnel
  }

  /** Lets go of the share; the last lease closes the tunnel. Safe to call twice: both calls wait for the close. */
  release(): Promise<void> {
    this.releasing ??= this.letGo()
    return this.releasing
  }

  private async letGo(): Promise<void> {
    const { entry } = this
    entry.leases.delete(this)
    entry.lastLogger = this.logger
    if (entry.leases.size > 0) return
    entries.delete(entry.key)
    const tunnel = entry.tunnel
    entry.tunnel = undefined
    entry.port = undefined
    if (tunnel) await closeQuietly(tunnel)
  }
}

/** Core logs reconnects through this: always to the newest server's logger. */
function delegatingLogger(entry: Entry): Logger {
  const current = (): Logger => [...entry.leases].at(-1)?.logger ?? entry.lastLogger
  return {
    info: (m) => current().info(m),
    warn: (m) => current().warn(m),
    error: (m) => current().error(m),
    debug: (m) => current().debug?.(m),
  }
}

/** Takes a lease on the share `key` (proxy + host name) for one dev server. */
export function leaseShare(key: string, logger: Logger): TunnelLease {
  let entry = entries.get(key)
  if (!entry) {
    entry = { key, leases: new Set(), port: undefined, tunnel: undefined, lastLogger: logger }
    entries.set(key, entry)
  }
  const lease = new TunnelLease(entry, logger)
  entry.leases.add(lease)
  return lease
}

/** Shares with a live lease, for tests and diagnostics. */
export function openShares(): Array<{ key: string; leases: number; port: number | undefined }> {
  return [...entries.values()].map((e) => ({ key: e.key, leases: e.leases.size, port: e.port }))
}
