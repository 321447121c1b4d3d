/**
 * Options of the webpack/rspack plugin. The proxy comes from the user's gangway
 * profile, so `gangway()` with no options is the normal case.
 */
import { disabledByEnv, type ShareOptions, type TunnelOptions } from '@gangway/core'

/** What is handed to core: the share's options and the inspector switch. */
export type CoreOptions = Omit<ShareOptions, 'logger'> & Pick<TunnelOptions, 'inspect'>

export interface GangwayWebpackOptions extends CoreOptions {
  /**
   * Publish the dev server. `GANGWAY=0` in the environment turns it off as well,
   * without editing the config.
   * @default true
   */
  enabled?: boolean
}

export interface ResolvedWebpackOptions {
  enabled: boolean
  /** Passed to core as they are: core applies the profile and its own defaults. */
  share: CoreOptions
}

export function resolveOptions(options: GangwayWebpackOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedWebpackOptions {
  const { enabled, ...share } = options
  return { enabled: enabled !== false && !disabledByEnv(env), share }
}
