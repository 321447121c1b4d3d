/** Core's Logger on top of Vite's: one `[gangway]` tag, Vite's timestamps. */
import chalk from 'chalk'
import type { Logger } from '@gangway/core'
import type { Logger as ViteLogger } from 'vite'

const TAG = chalk.magenta.bold('[gangway]')

export function viteLogger(logger: ViteLogger): Logger {
  return {
    info: (m) => logger.info(`${TAG} ${m}`, { timestamp: true }),
    warn: (m) => logger.warn(`${TAG} ${chalk.yellow(m)}`, { timestamp: true }),
    error: (m) => logger.error(`${TAG} ${chalk.red(m)}`, { timestamp: true }),
    debug: (m) => {
      if (process.env.DEBUG?.includes('gangway')) logger.info(`${TAG} ${chalk.dim(m)}`, { timestamp: true })
    },
  }
}
