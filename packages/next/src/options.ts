/** Options of withGangway: core's adapter options (the proxy comes from the gangway profile). */
import type { AdapterOptions } from '@gangway/core'

export type GangwayNextOptions = AdapterOptions

/** Next's `PHASE_DEVELOPMENT_SERVER`: the config is loaded for `next dev` (not build, start or lint). */
export const PHASE_DEVELOPMENT_SERVER = 'phase-development-server'

/** The part of a Next config withGangway touches; everything else passes through untouched. */
export interface NextConfigLike {
  allowedDevOrigins?: string[]
  [key: string]: unknown
}

/** A next.config export: an object, or a function of the phase (Next awaits either). */
export type NextConfigInput<C extends NextConfigLike> = C | ((phase: string, context: { defaultConfig: C }) => C | Promise<C>)

/** The user's allowedDevOrigins plus the share's host name (Next matches origins by host name, without the port). */
export function allowDevOrigin(config: NextConfigLike, hostname: string): string[] {
  const list = config.allowedDevOrigins ?? []
  return list.includes(hostname) ? [...list] : [...list, hostname]
}
