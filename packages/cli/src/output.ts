/** How the CLI talks: core's terminal output on this process's streams (errors with their fix, a logger for core). */
import { colorsFor, createTerminal, formatError, UsageError, type Logger } from '@gangway/core'

export const out = createTerminal({ stdout: process.stdout, stderr: process.stderr, help: 'gangway --help' })

export function cliLogger(verbose: boolean): Logger {
  return out.logger(verbose)
}

/** A usage error on stderr, pointing at the help of the command it came from (`gangway http --help`). */
export function usageError(err: UsageError, help: string): void {
  process.stderr.write(`${formatError(err, { colors: colorsFor(process.stderr), help })}\n`)
}

/** A CLI usage error: printed with the usage line, exit code 2 (the one class gangway-hugo uses too). */
export { UsageError }
