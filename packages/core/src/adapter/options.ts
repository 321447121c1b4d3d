/**
 * What every adapter (Vite, webpack/rspack, Rsbuild, Next.js, gangway-hugo) takes from
 * its user, and the one rule for the share name. The proxy comes from the user's gangway
 * profile, so `gangway()` with no options is the normal case.
 */
import { defaultShareName } from '../config/default-name.js'
import { disabledByEnv } from '../config/enabled.js'
import type { ShareOptions, TunnelOptions } from '../types.js'

/** What an adapter hands to core as it is: the share's options and the inspector switch. */
export type CoreOptions = Omit<ShareOptions, 'logger'> & Pick<TunnelOptions, 'inspect'>

export interface AdapterOptions extends CoreOptions {
  /**
   * Publish the dev server. `GANGWAY=0` in the environment turns it off as well,
   * without editing the config.
   * @default true
   */
  enabled?: boolean
}

/** `enabled` unless the option says false or GANGWAY=0 does. */
export function adapterEnabled(options: { enabled?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return options.enabled !== false && !disabledByEnv(env)
}

/** Splits an adapter's options into the switch and what goes to core. */
export function resolveAdapterOptions(options: AdapterOptions = {}, env: NodeJS.ProcessEnv = process.env): { enabled: boolean; share: CoreOptions } {
  const { enabled, ...share } = options
  return { enabled: adapterEnabled({ enabled }, env), share }
}

/**
 * The share name: the option, else GANGWAY_NAME, else `fallback()` — for a dev server
 * the nearest package.json name from the project root the framework reports (not the
 * process's cwd, which may be a monorepo root), for gangway-hugo the site directory.
 * Stable across restarts, so a webhook URL configured once keeps working.
 */
export function pickShareName(name: string | undefined, fallback: () => string, env: NodeJS.ProcessEnv = process.env): string {
  return name ?? (env.GANGWAY_NAME || undefined) ?? fallback()
}

/** pickShareName with the project's package.json name (or directory name) under `root` as the fallback. */
export function projectShareName(name: string | undefined, root: string, env: NodeJS.ProcessEnv = process.env): string {
  return pickShareName(name, () => defaultShareName(root), env)
}
