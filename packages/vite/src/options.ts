/**
 * Options of the Vite plugin. Everything about the proxy comes from the user's gangway
 * profile, so `gangway()` with no options is the normal case.
 */
import { resolveAdapterOptions, type AdapterOptions, type CoreOptions, type Tunnel } from '@gangway/core'

export interface GangwayViteOptions extends AdapterOptions {
  /**
   * Print a QR code of the public URL under Vite's URL banner, for phones.
   * @default false
   */
  qr?: boolean
  /**
   * Called once the share is online (and on every reuse after a restart), for frameworks
   * that print their own banner instead of Vite's (the Astro integration uses it). When set,
   * the plugin leaves announcing the URL to the caller.
   * @default undefined (the URL goes into Vite's banner)
   */
  onOnline?: (tunnel: Tunnel) => void
}

export interface ResolvedViteOptions {
  enabled: boolean
  qr: boolean
  onOnline: ((tunnel: Tunnel) => void) | undefined
  /** Passed to core as they are: core applies the profile and its own defaults. */
  share: CoreOptions
}

export function resolveOptions(options: GangwayViteOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedViteOptions {
  const { qr, onOnline, ...rest } = options
  const { enabled, share } = resolveAdapterOptions(rest, env)
  return { enabled, qr: qr ?? false, onOnline, share }
}
