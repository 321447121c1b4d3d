/** How the CLI talks: core's terminal output on this process's streams (errors with their fix, a logger for core). */
import { createTerminal, UsageError, type Logger } from '@gangway/core'

export const out = createTerminal({ stdout: process.stdout, stderr: process.stderr, help: 'gangway --help' })

export function cliLogger(verbose: boolean): Logger {
  return out.logger(verbose)
}

/** A CLI usage error: printed with the usage line, exit code 2 (the one class gangway-hugo uses too). */
export { UsageError }
