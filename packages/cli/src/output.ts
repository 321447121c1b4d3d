/** How the CLI talks: colour via chalk, errors with their fix, a logger for core. */
import chalk from 'chalk'
import { isGangwayError, type Logger } from '@gangway/core'

export const out = {
  line(text = ''): void {
    process.stdout.write(text + '\n')
  },
  info(text: string): void {
    process.stderr.write(`${chalk.dim('gangway')} ${text}\n`)
  },
  warn(text: string): void {
    process.stderr.write(`${chalk.yellow('gangway')} ${chalk.yellow(text)}\n`)
  },
  error(err: unknown): void {
    if (isGangwayError(err)) {
      process.stderr.write(`${chalk.red('✖')} ${err.message}\n`)
      if (err.hint) process.stderr.write(`  ${chalk.cyan('→')} ${err.hint}\n`)
      process.stderr.write(chalk.dim(`  (${err.code})\n`))
    } else {
      process.stderr.write(`${chalk.red('✖')} ${(err as Error)?.stack ?? String(err)}\n`)
    }
  },
}

export function cliLogger(verbose: boolean): Logger {
  return {
    info: (m) => out.info(m),
    warn: (m) => out.warn(m),
    error: (m) => process.stderr.write(`${chalk.red('gangway')} ${m}\n`),
    debug: verbose ? (m) => out.info(chalk.dim(m)) : undefined,
  }
}

/** A CLI usage error: printed with the usage line, exit code 2. */
export class UsageError extends Error {}
