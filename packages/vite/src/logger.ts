/** Core's Logger on top of Vite's: one `[gangway]` tag, Vite's timestamps, colours decided for Vite's stream. */
import { colorsFor, paint, type Logger } from '@gangway/core'
import type { Logger as ViteLogger } from 'vite'

export function viteLogger(logger: ViteLogger): Logger {
  const c = paint(colorsFor(process.stdout))
  const tag = c.magenta(c.bold('[gangway]'))
  return {
    info: (m) => logger.info(`${tag} ${m}`, { timestamp: true }),
    warn: (m) => logger.warn(`${tag} ${c.yellow(m)}`, { timestamp: true }),
    error: (m) => logger.error(`${tag} ${c.red(m)}`, { timestamp: true }),
    debug: (m) => {
      if (process.env.DEBUG?.includes('gangway')) logger.info(`${tag} ${c.dim(m)}`, { timestamp: true })
    },
  }
}
