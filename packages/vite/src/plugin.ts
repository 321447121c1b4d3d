/**
 * The Vite plugin: find the port, write the host/HMR allowances, call core, print the
 * URL Vite's way. No tunnel logic lives here; a failure to publish is logged and the
 * dev server keeps running on localhost.
 */
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { defaultShareName, isGangwayError, openTunnel, resolveShare, type Logger, type ResolvedShare } from '@gangway/core'
import type { Plugin, PreviewServer, ViteDevServer } from 'vite'
import { allowPublicHost } from './allowed-hosts.js'
import { publicUrlLine, qrCode, wrapPrintUrls, type PublicState } from './banner.js'
import { adjustHmr } from './hmr.js'
import { viteLogger } from './logger.js'
import { resolveOptions, type GangwayViteOptions } from './options.js'
import { leaseShare, type TunnelLease } from './registry.js'

const DEFAULT_PORT = 5173

function describe(err: unknown): string {
  return isGangwayError(err) ? err.format() : err instanceof Error ? err.message : String(err)
}

/** The address to dial for the port the server listens on ('::'/'0.0.0.0' mean every interface). */
function localHostFor(address: AddressInfo): string {
  return address.address === '::' || address.address === '0.0.0.0' ? 'localhost' : address.address
}

export function gangway(options: GangwayViteOptions = {}): Plugin {
  const opts = resolveOptions(options)
  let share: ResolvedShare | undefined
  let shareError: unknown
  let hmrWarnings: string[] = []
  let lease: TunnelLease | undefined
  let state: PublicState = 'connecting'

  async function publish(port: number, localHost: string, log: Logger): Promise<void> {
    if (!share || !lease) return
    const { url } = share
    for (const warning of hmrWarnings) log.warn(warning)
    try {
      await lease.publish(port, async (logger) => {
        const tunnel = await openTunnel({ ...opts.share, name: share!.name, port, localHost, logger })
        log.info(`${url} is online (→ localhost:${port})`)
        if (tunnel.inspectorUrl) log.info(`Inspector: ${tunnel.inspectorUrl}`)
        return tunnel
      })
      state = 'online'
    } catch (err) {
      state = 'failed'
      log.error(`Could not publish the dev server at ${url}: ${describe(err)}\n  The dev server keeps running on http://localhost:${port}/.`)
    }
  }

  function attach(server: ViteDevServer | PreviewServer): void {
    const { httpServer } = server
    // Middleware mode (and vitest): someone else's server listens, there is no port of ours.
    if (!httpServer) return
    const log = viteLogger(server.config.logger)
    if (!share) {
      httpServer.once('listening', () => log.error(`Not publishing the dev server: ${describe(shareError)}`))
      return
    }
    const current = share
    lease = leaseShare(`${current.proxy} ${current.host}`, log)
    const mine = lease
    httpServer.once('listening', () => {
      const address = httpServer.address()
      if (address && typeof address === 'object') void publish(address.port, localHostFor(address), log)
    })
    httpServer.once('close', () => void mine.release())
    wrapPrintUrls(
      server,
      (line) => server.config.logger.info(line),
      () => publicUrlLine(current.url, state),
      () => (opts.qr ? qrCode(current.url) : undefined),
    )
  }

  return {
    name: 'gangway',
    apply: (_config, env) => opts.enabled && env.command === 'serve',

    config(config, env) {
      const root = resolve(config.root ?? process.cwd())
      try {
        const name = opts.share.name ?? (process.env.GANGWAY_NAME || undefined) ?? defaultShareName(root)
        share = resolveShare({ ...opts.share, name })
      } catch (err) {
        shareError = err
        return
      }
      allowPublicHost(config, share.hostname)
      if (!env.isPreview) {
        const adjusted = adjustHmr(config.server?.hmr, share.url, config.server?.port ?? DEFAULT_PORT)
        if (adjusted.hmr !== undefined) config.server!.hmr = adjusted.hmr
        hmrWarnings = adjusted.warnings
      }
    },

    configureServer: attach,
    configurePreviewServer: attach,

    // Vite 8 awaits this on server.close(), so the share is down when close() resolves.
    // Older Vite versions rely on the httpServer 'close' event above.
    async closeServer() {
      await lease?.release()
    },
    async closePreviewServer() {
      await lease?.release()
    },
  }
}
