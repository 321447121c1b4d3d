/**
 * The Astro integration: `integrations: [gangway()]` in astro.config. Astro serves
 * through Vite, so the Vite plugin does the work (host allowance, HMR, the share); Astro
 * prints its own start-up banner instead of Vite's, so the URL is announced through
 * Astro's integration logger, among its start-up lines, rather than in a Vite banner
 * nobody prints. Only `astro dev` publishes.
 */
import type { PluginOption } from 'vite'
import { gangway as vitePlugin } from './plugin.js'
import type { GangwayViteOptions } from './options.js'

/** The part of Astro's integration API this uses (structural: no runtime dependency on astro). */
export interface AstroLoggerLike {
  info(message: string): void
  fork(label: string): AstroLoggerLike
}

export interface AstroIntegrationLike {
  name: string
  hooks: {
    'astro:config:setup': (params: { command: string; updateConfig(config: { vite: { plugins: PluginOption[] } }): unknown; logger: AstroLoggerLike }) => void
  }
}

export type GangwayAstroOptions = Omit<GangwayViteOptions, 'onOnline'>

export function gangway(options: GangwayAstroOptions = {}): AstroIntegrationLike {
  return {
    name: '@gangway/vite/astro',
    hooks: {
      'astro:config:setup': ({ command, updateConfig, logger }) => {
        if (command !== 'dev') return
        const log = logger.fork('gangway')
        const onOnline = (tunnel: { url: string; inspectorUrl?: string }) => {
          log.info(`Public  ${tunnel.url}`)
          if (tunnel.inspectorUrl) log.info(`Inspector  ${tunnel.inspectorUrl}`)
        }
        updateConfig({ vite: { plugins: [vitePlugin({ ...options, onOnline })] } })
      },
    },
  }
}

export default gangway
// `require('@gangway/vite/astro')` returns the integration itself.
export { gangway as 'module.exports' }
