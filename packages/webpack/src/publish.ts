/**
 * Wires one compiler's dev server to core: rewrite the dev server options before it
 * starts, open the tunnel once it listens (so a plain `webpack` build never connects),
 * and close it with the dev server or the compiler. No tunnel logic lives here.
 */
import type { AddressInfo, Server } from 'node:net'
import { colorsFor, notPublishingMessage, paint, planShare, publishPort, type Logger, type Tunnel } from '@gangway/core'
import { followPageWebSocket, mergeAllowedHosts, type DevServerOptionsLike } from './dev-server-options.js'
import type { ResolvedWebpackOptions } from './options.js'

const NAME = 'gangway'

interface InfrastructureLogger {
  info(...args: unknown[]): void
  warn(...args: unknown[]): void
  error(...args: unknown[]): void
  debug(...args: unknown[]): void
}

/** The part of a webpack or rspack Compiler this plugin uses. */
export interface CompilerLike {
  options: { context?: string; devServer?: unknown; plugins?: unknown[] }
  hooks: {
    shutdown?: { tapPromise(name: string, fn: () => Promise<void>): void }
    watchClose?: { tap(name: string, fn: () => void): void }
    done?: { tap(name: string, fn: () => void): void }
  }
  /** True once `compiler.watch()` ran (dev servers and dev middleware watch). */
  watchMode?: boolean
  getInfrastructureLogger(name: string): InfrastructureLogger
}

/** webpack-dev-server / @rspack/dev-server, as `onListening` hands it over. */
interface DevServerLike {
  server?: Server
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/** webpack-dev-server ≥ 6 can be a plugin (that is how `webpack serve` runs it). */
function isDevServerPlugin(plugin: unknown): plugin is { options: DevServerOptionsLike } {
  return isObject(plugin) && isObject(plugin.options) && typeof (plugin.constructor as { getFreePort?: unknown }).getFreePort === 'function'
}

/**
 * Every options object a dev server of this compiler may start from: the dev server
 * plugins' own, and `devServer` of the config (what older CLIs and @rspack/cli pass on).
 */
function devServerOptions(compiler: CompilerLike): DevServerOptionsLike[] {
  const found = new Set<DevServerOptionsLike>()
  if (compiler.options.devServer === undefined) compiler.options.devServer = {}
  if (isObject(compiler.options.devServer)) found.add(compiler.options.devServer as DevServerOptionsLike)
  for (const plugin of compiler.options.plugins ?? []) if (isDevServerPlugin(plugin)) found.add(plugin.options)
  return [...found]
}

/** webpack's infrastructure logger as core's Logger, so core's reconnect lines carry `[gangway]`. */
function coreLogger(logger: InfrastructureLogger): Logger {
  return { info: (m) => logger.info(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m), debug: (m) => logger.debug(m) }
}

/** How long a watching compiler may go without a dev server listening before we say why nothing is shared. */
const NO_DEV_SERVER_MS = 5_000

export const NO_DEV_SERVER_WARNING =
  'The compiler is watching, but no dev server reported listening, so nothing is shared. ' +
  '@gangway/webpack publishes webpack-dev-server and @rspack/dev-server (webpack serve, rspack serve). ' +
  "With Rsbuild, use its own plugin instead: import gangway from '@gangway/webpack/rsbuild' and plugins: [gangway()] in rsbuild.config; " +
  "with Next.js, withGangway from '@gangway/next'."

export function publishDevServer(compiler: CompilerLike, opts: ResolvedWebpackOptions): void {
  if (!opts.enabled) return
  const logger = compiler.getInfrastructureLogger(NAME)
  const plan = planShare(opts.share, compiler.options.context ?? process.cwd())

  const warnings = new Set<string>()
  for (const options of devServerOptions(compiler)) {
    if (plan.share) {
      options.allowedHosts = mergeAllowedHosts(options.allowedHosts, plan.share.hostname)
      const routed = followPageWebSocket(options.client)
      options.client = routed.client
      if (routed.warning) warnings.add(routed.warning)
    }
    const userOnListening = options.onListening as ((server: DevServerLike) => void) | undefined
    options.onListening = ((server: DevServerLike) => {
      userOnListening?.(server)
      onListening(server)
    }) as never
  }

  let listened = false
  let tunnel: Promise<Tunnel | undefined> | undefined
  let closing: Promise<void> | undefined

  function onListening(server: DevServerLike): void {
    listened = true
    if (tunnel || closing) return
    if (!plan.share) return void logger.error(notPublishingMessage(plan.error))
    const address = server.server?.address() as AddressInfo | string | null | undefined
    if (!address || typeof address === 'string') return void logger.warn('The dev server does not listen on a TCP port; nothing to publish.')
    for (const warning of warnings) logger.warn(warning)
    const c = paint(colorsFor(process.stderr))
    tunnel = publishPort({ plan, port: address.port, address: address.address, logger: coreLogger(logger) }).then((t) => {
      if (t) logger.info(`Public: ${c.cyan(t.url)}`)
      if (t?.inspectorUrl) logger.info(`Inspector: ${c.cyan(t.inspectorUrl)}`)
      return t
    })
    server.server?.once('close', () => void close())
  }

  // A compiler in watch mode with no dev server listening is a setup we cannot see
  // (Rsbuild's own server, a custom Express + dev-middleware): say so instead of staying silent.
  let timer: NodeJS.Timeout | undefined
  compiler.hooks.done?.tap(NAME, () => {
    if (listened || timer || !compiler.watchMode) return
    timer = setTimeout(() => {
      if (!listened && !closing) logger.warn(NO_DEV_SERVER_WARNING)
    }, NO_DEV_SERVER_MS)
    timer.unref()
  })

  function close(): Promise<void> {
    clearTimeout(timer)
    closing ??= (async () => {
      const open = await tunnel
      await open?.close()
    })()
    return closing
  }

  compiler.hooks.shutdown?.tapPromise(NAME, close)
  compiler.hooks.watchClose?.tap(NAME, () => void close())
}
