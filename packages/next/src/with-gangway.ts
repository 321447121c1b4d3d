/**
 * `export default withGangway(nextConfig)` in next.config: in `next dev` only, the
 * share's host joins `allowedDevOrigins` (Next refuses Fast Refresh and its other dev
 * resources to any other origin) and the dev server is published once it listens, on
 * whatever port it got. `next build`, `next start` and lint see the config unchanged.
 * Composes like other Next wrappers: the config may be an object or a function of the phase.
 */
import { adapterEnabled, notPublishingMessage, planShare, type CoreOptions } from '@gangway/core'
import { devServerPort, nextLogger, shareDevServer } from './dev-share.js'
import { allowDevOrigin, PHASE_DEVELOPMENT_SERVER, type GangwayNextOptions, type NextConfigInput, type NextConfigLike } from './options.js'

export function withGangway<C extends NextConfigLike>(nextConfig: NextConfigInput<C> = {} as C, options: GangwayNextOptions = {}) {
  const { enabled, ...share } = options
  return async (phase: string, context: { defaultConfig: C }): Promise<C> => {
    const config = typeof nextConfig === 'function' ? await nextConfig(phase, context) : nextConfig
    if (phase !== PHASE_DEVELOPMENT_SERVER || !adapterEnabled({ enabled })) return config
    return publishDevServer(config, share)
  }
}

function publishDevServer<C extends NextConfigLike>(config: C, options: CoreOptions): C {
  const plan = planShare(options, process.cwd())
  const port = devServerPort()
  if (!plan.share) {
    // Said once the server is there to be published, not by every process that reads the config.
    if (port) nextLogger.error(notPublishingMessage(plan.error))
    return config
  }
  // Before the port is known (a process that only reads the config) the allowance is still right.
  const allowed = { ...config, allowedDevOrigins: allowDevOrigin(config, plan.share.hostname) }
  if (port) void shareDevServer(plan, port)
  return allowed
}
