/** `gangway setup <admin-target> --domain ZONE`: a Debian host becomes this workstation's proxy. */
import chalk from 'chalk'
import { runSetup } from '@gangway/core/setup'
import { defineCommand } from '../command.js'
import { cliLogger, out, UsageError } from '../output.js'
import { checkLines } from './doctor.js'

export const setup = defineCommand({
  name: 'setup',
  args: '<admin@host[:port]>',
  summary: 'make a Debian host your proxy (nginx, certbot, tunnel account)',
  description: `Installs and configures nginx, certbot and a locked-down tunnel account on a Debian
host you can sudo on, and writes a profile so that gangway and the adapters need no
options. Safe to run again: a second run changes nothing and says so.`,
  flags: {
    domain: {
      type: 'string',
      multiple: true,
      value: 'ZONE',
      help: 'shares are https://NAME.ZONE and ZONE itself (point *.ZONE and ZONE\nat the host); repeatable, and zones set up before stay (required)',
    },
    label: { type: 'string', value: 'LABEL', help: "this workstation's key label on the proxy (default: your user name)" },
    email: { type: 'string', value: 'ADDR', help: "Let's Encrypt account email" },
    'acme-server': { type: 'string', value: 'URL', help: "ACME directory (default: Let's Encrypt)" },
    'acme-ca-file': { type: 'string', value: 'FILE', help: 'CA the proxy trusts for --acme-server (private/test CA)' },
    'tunnel-user': { type: 'string', value: 'NAME', help: 'the tunnel account (default: gangway)' },
    'https-port': { type: 'string', value: 'PORT', help: 'public HTTPS port (default: 443)' },
    'wildcard-cert': { type: 'string', value: 'FILE', help: 'PEM certificate for *.ZONE: no per-name certificates' },
    'wildcard-key': { type: 'string', value: 'FILE', help: 'its private key (uploaded to the proxy, mode 600)' },
    dns: {
      type: 'string',
      value: 'PROVIDER',
      help: "one *.ZONE certificate per --domain by DNS-01, obtained and renewed\non the proxy by certbot's DNS plugin: rfc2136, cloudflare,\ndigitalocean, dnsimple, gandi, gehirn, google, linode, ovh, sakuracloud",
    },
    'dns-credentials': { type: 'string', value: 'FILE', help: "the plugin's credentials file (sent on stdin, stored root-only, 0600)" },
    'dns-propagation-seconds': { type: 'string', value: 'N', help: "how long the plugin waits for DNS (default: the plugin's)" },
    'identity-file': { type: 'string', value: 'FILE', help: "the admin's key (default: ssh-agent, then ~/.ssh keys)" },
    'known-hosts': { type: 'string', value: 'FILE', help: 'known_hosts to check the host against (admin login)' },
    'accept-new-host-key': { type: 'boolean', help: "trust the host's key when it is not yet known" },
    profile: { type: 'string', value: 'NAME', help: 'profile to write (default: the domain)' },
    json: { type: 'boolean', help: 'print the result as JSON' },
    verbose: { type: 'boolean', help: 'log details (debug lines) too' },
  },
  async run({ values, positionals }) {
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
  },
})
