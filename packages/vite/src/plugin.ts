/**
 * The Vite plugin: find the port, write the host/HMR allowances, call core, print the
 * URL Vite's way. No tunnel logic lives here; a failure to publish is logged and the
 * dev server keeps running on localhost.
 */
import { resolve } from 'node:path'
import { notPublishingMessage, openShare, planShare, publishFailedMessage, type Logger, type PlannedShare, type ResolvedShare, type TunnelStatus } from '@gangway/core'
import type { Plugin, PreviewServer, ViteDevServer } from 'vite'
import { allowPublicHost } from './allowed-hosts.js'
import { wrapPrintUrls, type Banner } from './banner.js'
import { adjustHmr } from './hmr.js'
import { viteLogger } from './logger.js'
import { resolveOptions, type GangwayViteOptions } from './options.js'
import { leaseShare, type TunnelLease } from './registry.js'

const DEFAULT_PORT = 5173

type Plan = Extract<PlannedShare, { share: ResolvedShare }>

export function gangway(options: GangwayViteOptions = {}): Plugin {
  const opts = resolveOptions(options)
  let plan: PlannedShare | undefined
  let hmrWarnings: string[] = []
  let lease: TunnelLease | undefined

  async function publish(current: Plan, port: number, address: string, log: Logger, banner: Banner | undefined, closed: Promise<void>): Promise<void> {
    for (const warning of hmrWarnings) log.warn(warning)
    const { url } = current.share
    try {
      const tunnel = await lease!.publish(port, (logger) => openShare({ plan: current, port, address, logger }))
      if (banner) {
        // The tunnel outlives this server on a restart: stop following it when the server goes.
        const follow = (s: TunnelStatus) => banner.update(s.state)
        tunnel.on('status', follow)
        void closed.then(() => tunnel.off('status', follow))
      }
      if (opts.onOnline) opts.onOnline(tunnel)
      else if (!banner?.waiting) log.info(`${url} is online (→ localhost:${port})`)
      banner?.update('online')
      if (tunnel.inspectorUrl) log.info(`Inspector: ${tunnel.inspectorUrl}`)
    } catch (err) {
      log.error(publishFailedMessage(url, port, err))
      banner?.update('failed')
    }
  }

  function attach(server: ViteDevServer | PreviewServer): void {
    const { httpServer } = server
    // Middleware mode (and vitest): someone else's server listens, there is no port of ours.
    if (!httpServer || !plan) return
    const log = viteLogger(server.config.logger)
    if (!plan.share) {
      const error = plan.error
      httpServer.once('listening', () => log.error(notPublishingMessage(error)))
      return
    }
    const current = plan
    lease = leaseShare(`${current.share.proxy} ${current.share.host}`, log)
    const mine = lease
    const banner = opts.onOnline ? undefined : wrapPrintUrls(server, (line) => server.config.logger.info(line), current.share.url, opts.qr)
    const closed = new Promise<void>((r) => httpServer.once('close', () => r()))
    httpServer.once('listening', () => {
      const address = httpServer.address()
      if (address && typeof address === 'object') void publish(current, address.port, address.address, log, banner, closed)
    })
    void closed.then(() => mine.release())
  }

  return {
    name: 'gangway',
    apply: (_config, env) => opts.enabled && env.command === 'serve',

    config(config, env) {
      plan = planShare(opts.share, resolve(config.root ?? process.cwd()))
      if (!plan.share) return
      allowPublicHost(config, plan.share.hostname)
      if (!env.isPreview) {
        const adjusted = adjustHmr(config.server?.hmr, plan.share.url, config.server?.port ?? DEFAULT_PORT)
        if (adjusted.hmr !== undefined) config.server!.hmr = adjusted.hmr
        hmrWarnings = adjusted.warnings
      }
    },

    configureServer: attach,
    configurePreviewServer: attach,

    // Vite 8 awaits this on server.close(), so the share is down when close() resolves.
    async closeServer() {
      await lease?.release()
    },
    // Vite 5-7 have no closeServer hook, but server.close() awaits the plugins' closeBundle:
    // the share closes (and says so) before Vite's SIGTERM handler exits the process.
    async closeBundle() {
      await lease?.release()
    },
    async closePreviewServer() {
      await lease?.release()
    },
  }
}
