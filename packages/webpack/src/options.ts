/**
 * Options of the webpack/rspack/Rsbuild plugins: core's adapter options. The proxy comes
 * from the user's gangway profile, so `gangway()` with no options is the normal case.
 */
import { resolveAdapterOptions, type AdapterOptions, type CoreOptions } from '@gangway/core'

export type GangwayWebpackOptions = AdapterOptions

export interface ResolvedWebpackOptions {
  enabled: boolean
  /** Passed to core as they are: core applies the profile and its own defaults. */
  share: CoreOptions
}

export function resolveOptions(options: GangwayWebpackOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedWebpackOptions {
  return resolveAdapterOptions(options, env)
}
