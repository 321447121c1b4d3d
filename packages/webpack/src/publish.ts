/**
 * Wires one compiler's dev server to core: rewrite the dev server options before it
 * starts, open the tunnel once it listens (so a plain `webpack` build never connects),
 * and close it with the dev server or the compiler. No tunnel logic lives here.
 */
import type { AddressInfo, Server } from 'node:net'
import chalk from 'chalk'
import { defaultShareName, isGangwayError, openTunnel, resolveShare, type Logger, type ResolvedShare, type Tunnel } from '@gangway/core'
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
  }
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

function describe(err: unknown): string {
  return isGangwayError(err) ? err.format() : err instanceof Error ? err.message : String(err)
}

function coreLogger(logger: InfrastructureLogger): Logger {
  return { info: (m) => logger.info(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m), debug: (m) => logger.debug(m) }
}

export function publishDevServer(compiler: CompilerLike, opts: ResolvedWebpackOptions): void {
  if (!opts.enabled) return
  const logger = compiler.getInfrastructureLogger(NAME)
  let share: ResolvedShare | undefined
  let shareError: unknown
  try {
    const name = opts.share.name ?? (process.env.GANGWAY_NAME || undefined) ?? defaultShareName(compiler.options.context ?? process.cwd())
    share = resolveShare({ ...opts.share, name })
  } catch (err) {
    shareError = err // reported only if a dev server starts: a plain build stays silent
  }

  const warnings = new Set<string>()
  for (const options of devServerOptions(compiler)) {
    if (share) {
      options.allowedHosts = mergeAllowedHosts(options.allowedHosts, share.hostname)
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

  let tunnel: Promise<Tunnel | undefined> | undefined
  let closing: Promise<void> | undefined

  function onListening(server: DevServerLike): void {
    if (tunnel || closing) return
    if (!share) return void logger.error(`Not publishing the dev server: ${describe(shareError)}`)
    const address = server.server?.address() as AddressInfo | string | null | undefined
    if (!address || typeof address === 'string') return void logger.warn('The dev server does not listen on a TCP port; nothing to publish.')
    for (const warning of warnings) logger.warn(warning)
    const { url } = share
    const port = address.port
    const localHost = address.address === '::' || address.address === '0.0.0.0' ? 'localhost' : address.address
    tunnel = openTunnel({ ...opts.share, name: share.name, port, localHost, logger: coreLogger(logger) }).then(
      (t) => {
        logger.info(`Public: ${chalk.cyan(url)}`)
        if (t.inspectorUrl) logger.info(`Inspector: ${chalk.cyan(t.inspectorUrl)}`)
        return t
      },
      (err: unknown) => {
        logger.error(`Could not publish the dev server at ${url}: ${describe(err)}\n  The dev server keeps running on http://localhost:${port}/.`)
        return undefined
      },
    )
    server.server?.once('close', () => void close())
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      const open = await tunnel
      await open?.close()
    })()
    return closing
  }

  compiler.hooks.shutdown?.tapPromise(NAME, close)
  compiler.hooks.watchClose?.tap(NAME, () => void close())
}
