/**
 * Options of the Vite plugin. Everything about the proxy comes from the user's gangway
 * profile, so `gangway()` with no options is the normal case.
 */
import { disabledByEnv, type ShareOptions, type TunnelOptions } from '@gangway/core'

/** What is handed to core: the share's options and the inspector switch. */
export type CoreOptions = Omit<ShareOptions, 'logger'> & Pick<TunnelOptions, 'inspect'>

export interface GangwayViteOptions extends CoreOptions {
  /**
   * Publish the dev server. `GANGWAY=0` in the environment turns it off as well,
   * without editing the config.
   * @default true
   */
  enabled?: boolean
  /**
   * Print a QR code of the public URL under Vite's URL banner, for phones.
   * @default false
   */
  qr?: boolean
}

export interface ResolvedViteOptions {
  enabled: boolean
  qr: boolean
  /** Passed to core as they are: core applies the profile and its own defaults. */
  share: CoreOptions
}

export function resolveOptions(options: GangwayViteOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedViteOptions {
  const { enabled, qr, ...share } = options
  return {
    enabled: enabled !== false && !disabledByEnv(env),
    qr: qr ?? false,
    share,
  }
}
