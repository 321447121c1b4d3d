/** How gangway-hugo talks (stderr, so hugo's stdout stays hugo's), through core's terminal output. */
import { createTerminal, type Logger } from '@gangway/core'

export const out = createTerminal({ stdout: process.stdout, stderr: process.stderr, help: 'gangway-hugo --gangway-help' })

export function cliLogger(verbose: boolean): Logger {
  return out.logger(verbose)
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
