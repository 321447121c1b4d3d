/** `gangway setup <admin-target> --domain ZONE`: a Debian host becomes this workstation's proxy. */
import { parseArgs } from 'node:util'
import chalk from 'chalk'
import { runSetup } from '@gangway/core/setup'
import { cliLogger, out, UsageError } from '../output.js'
import { checkLines } from './doctor.js'

export const usage = `gangway setup <admin@host[:port]> --domain ZONE [options]

Installs and configures nginx, certbot and a locked-down tunnel account on a Debian
host you can sudo on, and writes a profile so that gangway and the adapters need no
options. Safe to run again: a second run changes nothing and says so.

Options:
  --domain ZONE            shares are https://NAME.ZONE and ZONE itself (point *.ZONE and ZONE
                           at the host); repeatable, and zones set up before stay
  --label LABEL            this workstation's key label on the proxy (default: your user name)
  --email ADDR             Let's Encrypt account email
  --acme-server URL        ACME directory (default: Let's Encrypt)
  --acme-ca-file FILE      CA the proxy trusts for --acme-server (private/test CA)
  --tunnel-user NAME       the tunnel account (default: gangway)
  --https-port PORT        public HTTPS port (default: 443)
  --wildcard-cert FILE     PEM certificate for *.ZONE: no per-name certificates
  --wildcard-key FILE      its private key (uploaded to the proxy, mode 600)
  --dns PROVIDER           one *.ZONE certificate per --domain by DNS-01, obtained and renewed
                           on the proxy by certbot's DNS plugin: rfc2136, cloudflare,
                           digitalocean, dnsimple, gandi, gehirn, google, linode, ovh, sakuracloud
  --dns-credentials FILE   the plugin's credentials file (sent on stdin, stored root-only, 0600)
  --dns-propagation-seconds N  how long the plugin waits for DNS (default: the plugin's)
  --identity-file FILE     the admin's key (default: ssh-agent, then ~/.ssh keys)
  --known-hosts FILE       known_hosts to check the host against (admin login)
  --accept-new-host-key    trust the host's key when it is not yet known
  --profile NAME           profile to write (default: the domain)
  --json                   print the result as JSON`

export async function setupCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      domain: { type: 'string', multiple: true },
      label: { type: 'string' },
      email: { type: 'string' },
      'acme-server': { type: 'string' },
      'acme-ca-file': { type: 'string' },
      'tunnel-user': { type: 'string' },
      'https-port': { type: 'string' },
      'wildcard-cert': { type: 'string' },
      'wildcard-key': { type: 'string' },
      dns: { type: 'string' },
      'dns-credentials': { type: 'string' },
      'dns-propagation-seconds': { type: 'string' },
      'identity-file': { type: 'string' },
      'known-hosts': { type: 'string' },
      'accept-new-host-key': { type: 'boolean' },
      profile: { type: 'string' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
    },
  })
  if (positionals.length !== 1) throw new UsageError('gangway setup needs the admin ssh target, e.g. gangway setup admin@203.0.113.7 --domain dev.example.com')
  if (!values.domain?.length) throw new UsageError('gangway setup needs --domain ZONE')
  if (Boolean(values['wildcard-cert']) !== Boolean(values['wildcard-key'])) throw new UsageError('--wildcard-cert and --wildcard-key go together')
  if (Boolean(values.dns) !== Boolean(values['dns-credentials'])) throw new UsageError('--dns PROVIDER and --dns-credentials FILE go together')
  const seconds = values['dns-propagation-seconds']
  if (seconds !== undefined && !/^\d+$/.test(seconds)) throw new UsageError('--dns-propagation-seconds needs a number of seconds')
  const port = values['https-port']
  if (port !== undefined && !/^\d+$/.test(port)) throw new UsageError('--https-port needs a port number')
  const report = await runSetup({
    target: positionals[0]!,
    domain: values.domain,
    label: values.label,
    email: values.email,
    acmeServer: values['acme-server'],
    acmeCaFile: values['acme-ca-file'],
    tunnelUser: values['tunnel-user'],
    httpsPort: port === undefined ? undefined : Number(port),
    wildcard: values['wildcard-cert'] ? { cert: values['wildcard-cert'], key: values['wildcard-key']! } : undefined,
    dns: values.dns ? { provider: values.dns, credentialsFile: values['dns-credentials']!, propagationSeconds: seconds === undefined ? undefined : Number(seconds) } : undefined,
    identityFile: values['identity-file'],
    knownHostsFile: values['known-hosts'],
    acceptNewHostKey: values['accept-new-host-key'],
    profile: values.profile,
    logger: values.json ? undefined : cliLogger(values.verbose ?? false),
  })
  if (values.json) {
    out.line(JSON.stringify(report))
    return 0
  }
  out.line(report.changes.length ? `${chalk.green('✔')} proxy set up: ${report.changes.length} change(s)` : `${chalk.green('✔')} proxy already set up: nothing changed`)
  out.line(`  tunnel     ${report.proxy} (key ${report.tunnelKey}, label "${report.label}")`)
  out.line(`  shares     https://NAME.${report.domain}/`)
  out.line(`  profile    "${report.profile}" (default) in ${report.configFile}`)
  for (const c of report.dns) for (const line of checkLines(c)) out.line(`  ${line}`)
  out.line(chalk.dim('  try: gangway http 5173    teammates: gangway invite LABEL --out FILE'))
  return 0
}
