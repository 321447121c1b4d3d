/**
 * The Rsbuild plugin: `plugins: [gangway()]` in rsbuild.config. Rsbuild runs its own
 * dev server (no webpack-dev-server, so no onListening to wait for): this uses Rsbuild's
 * hooks instead — the config for the host allowance and the HMR client,
 * onAfterStartDevServer for the port Rsbuild really got, onCloseDevServer to take the
 * share down — and prints the URL under Rsbuild's own `➜  Local:` lines.
 */
import { colorsFor, notPublishingMessage, planShare, publicUrlLine, publishPort, shareClosedMessage, type Logger, type PlannedShare, type Tunnel } from '@gangway/core'
import { resolveOptions, type GangwayWebpackOptions } from './options.js'
import { allowPublicHost, followPageClient, type RsbuildConfigLike } from './rsbuild-config.js'

const TAG = '[gangway]'

/** The part of Rsbuild's plugin API this plugin uses (structural: no runtime dependency on @rsbuild/core). */
export interface RsbuildPluginAPILike {
  context: { rootPath: string; devServer?: { hostname: string; port: number } }
  logger: { info(m: string): void; warn(m: string): void; error(m: string): void; debug(m: string): void; log(m: string): void }
  modifyRsbuildConfig(fn: (config: RsbuildConfigLike) => RsbuildConfigLike | void): void
  onAfterStartDevServer(fn: (params: { port: number }) => void | Promise<void>): void
  onAfterStartPreviewServer(fn: (params: { port: number }) => void | Promise<void>): void
  onCloseDevServer(fn: () => void | Promise<void>): void
  onClosePreviewServer(fn: () => void | Promise<void>): void
  /** Called synchronously as the process exits (Rsbuild's CLI exits on Ctrl-C without closing the server). */
  onExit(fn: () => void): void
}

export interface RsbuildPluginLike {
  name: string
  apply: 'serve'
  setup(api: RsbuildPluginAPILike): void
}

function rsbuildLogger(api: RsbuildPluginAPILike): Logger {
  return {
    info: (m) => api.logger.info(`${TAG} ${m}`),
    warn: (m) => api.logger.warn(`${TAG} ${m}`),
    error: (m) => api.logger.error(`${TAG} ${m}`),
    debug: (m) => api.logger.debug(`${TAG} ${m}`),
  }
}

export function gangway(options?: GangwayWebpackOptions): RsbuildPluginLike {
  const opts = resolveOptions(options)
  return {
    name: 'gangway',
    apply: 'serve',
    setup(api) {
      if (!opts.enabled) return
      const log = rsbuildLogger(api)
      let plan: PlannedShare | undefined
      let warnings: string[] = []
      let tunnel: Promise<Tunnel | undefined> | undefined
      let open: Tunnel | undefined

      api.modifyRsbuildConfig((config) => {
        plan = planShare(opts.share, api.context.rootPath)
        if (!plan.share) return
        allowPublicHost(config, plan.share.hostname)
        warnings = followPageClient(config, plan.share.url)
      })

      const start = ({ port }: { port: number }) => {
        if (!plan || tunnel) return
        if (!plan.share) return void log.error(notPublishingMessage(plan.error))
        for (const w of warnings) log.warn(w)
        tunnel = publishPort({ plan, port, address: api.context.devServer?.hostname, logger: log }).then((t) => {
          open = t
          t?.on('status', (s) => s.state === 'closed' && (open = undefined)) // publishPort has said so
          if (t) api.logger.log(publicUrlLine(t.url, { layout: 'banner', colors: colorsFor(process.stdout) }))
          if (t?.inspectorUrl) api.logger.log(publicUrlLine(t.inspectorUrl, { layout: 'banner', label: 'Inspector', colors: colorsFor(process.stdout) }))
          return t
        })
      }
      const stop = async () => {
        const open = tunnel
        tunnel = undefined
        await (await open)?.close()
      }
      api.onAfterStartDevServer(start)
      api.onAfterStartPreviewServer(start)
      api.onCloseDevServer(stop)
      api.onClosePreviewServer(stop)
      // The share ends with the process (the proxy drops the forward with the connection); say so while we can.
      api.onExit(() => {
        if (open) log.info(shareClosedMessage(open.url, { state: 'closed' }))
      })
    },
  }
}

export default gangway
// `require('@gangway/webpack/rsbuild')` (a CommonJS rsbuild.config) returns the plugin itself.
export { gangway as 'module.exports' }
export type { GangwayWebpackOptions } from './options.js'
