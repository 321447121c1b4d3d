/** How gangway-hugo talks (stderr, so hugo's stdout stays hugo's), plus the URL banner and QR. */
import chalk from 'chalk'
import { renderUnicodeCompact } from 'uqr'
import { isGangwayError, type Logger } from '@gangway/core'
import { UsageError } from './args.js'
import { isHugoError } from './errors.js'

export const out = {
  info(text: string): void {
    process.stderr.write(`${chalk.dim('gangway')} ${text}\n`)
  },
  warn(text: string): void {
    process.stderr.write(`${chalk.yellow('gangway')} ${chalk.yellow(text)}\n`)
  },
  /** The public URL, on stdout like hugo's own "Web Server is available at" line. */
  banner(url: string, localPort: number, qr: boolean): void {
    process.stdout.write(`${chalk.green('➜')}  ${chalk.bold('Public')}: ${chalk.cyan(url)}  →  http://127.0.0.1:${localPort}/\n`)
    if (qr) process.stdout.write(`${renderUnicodeCompact(url)}\n`)
  },
  error(err: unknown): void {
    if (err instanceof UsageError) {
      process.stderr.write(`${chalk.red('✖')} ${err.message}\n  ${chalk.cyan('→')} See gangway-hugo --gangway-help.\n`)
    } else if (isHugoError(err)) {
      process.stderr.write(`${chalk.red('✖')} ${err.message}\n`)
      for (const line of err.output) process.stderr.write(`  ${chalk.dim('│')} ${line}\n`)
      if (err.hint) process.stderr.write(`  ${chalk.cyan('→')} ${err.hint}\n`)
      process.stderr.write(chalk.dim(`  (${err.code})\n`))
    } else if (isGangwayError(err)) {
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

export const usage = `gangway-hugo [hugo arguments] [gangway flags]

Runs hugo with the same arguments. For \`server\` (\`serve\`, \`s\`), the site is served on
loopback and published at https://NAME.DOMAIN through your Gangway proxy, with --baseURL,
--appendPort=false and --liveReloadPort set so links and live reload use the public URL.

  gangway-hugo server -D              share the site (drafts included)
  gangway-hugo server -D --qr         … and print a QR code of the URL
  gangway-hugo version                any other command just runs hugo

Gangway flags (hugo never sees them):
  --subdomain NAME     share name (default: the site directory's name)
  --proxy TARGET       ssh target of the proxy: user@host[:port] or a Host alias
  --domain ZONE        zone the share lives under
  --profile NAME       profile of the Gangway user config to use
  --qr                 print a QR code of the public URL
  --auth USER          basic auth for the share; password from GANGWAY_AUTH_PASSWORD
  --gangway-verbose    log tunnel details
  --gangway-help       this help (--help is hugo's)

Ctrl-C stops hugo and the share; gangway-hugo exits with hugo's exit code.`
