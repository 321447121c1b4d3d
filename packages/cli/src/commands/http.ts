/** `gangway http <port>`: share a local port until Ctrl-C. */
import { parseArgs } from 'node:util'
import { checkNextDevOrigin, nextDevOriginWarning, openTunnel, type TunnelOptions, type TunnelStatus } from '@gangway/core'
import { cliLogger, out, UsageError } from '../output.js'
import { untilSignal } from '../signals.js'
import { promptPassword } from '../prompt.js'

export const usage = `gangway http <port> [options]

Shares http://localhost:<port> at https://NAME.DOMAIN through your proxy.

Options:
  --subdomain, -s NAME     share name (default: from package.json or the directory)
  --host HOST              exact public host under any zone of the proxy (drafts.example.org, or a zone itself)
  --takeover               serve the share even if another process of this key serves it now
  --proxy TARGET           ssh target of the proxy: user@host[:port] or a Host alias
  --domain ZONE            zone the share lives under
  --profile NAME           profile of the user config to use
  --identity-file FILE     tunnel key (default: ssh-agent, then ~/.ssh keys)
  --known-hosts FILE       known_hosts file to check the proxy's key against
  --accept-new-host-key    trust the proxy's key when it is not yet known
  --local-host HOST        host the local server listens on (default: localhost)
  --max-body SIZE          largest request body (default: 100m)
  --auth USER              basic auth; password from GANGWAY_AUTH_PASSWORD or a prompt
  --allow CIDR             only these visitor addresses (repeatable); others get 403
  --allow-indexing         no X-Robots-Tag: noindex header (sent by default)
  --hold METHOD:/PATH      while the share is offline the proxy answers these requests and keeps
                           them, delivered in order when it is back (repeatable; e.g. POST:/slack/events)
  --hold-status CODE       the status held requests are answered with (default: 200)
  --resign SCHEME          sign held deliveries again after checking them: slack, stripe or
                           standard-webhooks (secret from SLACK_SIGNING_SECRET, STRIPE_WEBHOOK_SECRET, WEBHOOK_SECRET)
  --inspect-port PORT      request inspector on 127.0.0.1:PORT (default: 4040, next free if taken)
  --no-inspect             no request inspector (nothing recorded)
  --json                   print {"url": …} as JSON once online
  --verbose                log connection details`

export async function httpCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      subdomain: { type: 'string', short: 's' },
      host: { type: 'string' },
      takeover: { type: 'boolean' },
      proxy: { type: 'string' },
      domain: { type: 'string' },
      profile: { type: 'string' },
      'identity-file': { type: 'string' },
      'known-hosts': { type: 'string' },
      'accept-new-host-key': { type: 'boolean' },
      'local-host': { type: 'string' },
      'max-body': { type: 'string' },
      auth: { type: 'string' },
      allow: { type: 'string', multiple: true },
      'allow-indexing': { type: 'boolean' },
      hold: { type: 'string', multiple: true },
      'hold-status': { type: 'string' },
      resign: { type: 'string' },
      'inspect-port': { type: 'string' },
      'no-inspect': { type: 'boolean' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
    },
  })
  if (positionals.length !== 1) throw new UsageError('gangway http needs exactly one port, e.g. gangway http 5173')
  const raw = positionals[0]!
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN
  const logger = cliLogger(values.verbose ?? false)
  const inspectPort = values['inspect-port'] === undefined ? undefined : Number(values['inspect-port'])
  if (inspectPort !== undefined && !/^\d+$/.test(values['inspect-port']!)) throw new UsageError('--inspect-port needs a port number')
  // The password never goes through argv: env, else a prompt; core hashes it at once.
  const password = values.auth === undefined ? undefined : (process.env.GANGWAY_AUTH_PASSWORD || (await promptPassword(`Password for ${values.auth}: `)))
  const stop = new AbortController()
  const signalled = untilSignal(stop)
  const tunnel = await openTunnel({
    port,
    name: values.subdomain,
    host: values.host,
    takeover: values.takeover,
    proxy: values.proxy,
    domain: values.domain,
    profile: values.profile,
    identityFile: values['identity-file'],
    knownHostsFile: values['known-hosts'],
    acceptNewHostKey: values['accept-new-host-key'],
    localHost: values['local-host'],
    maxBodySize: values['max-body'],
    auth: values.auth === undefined ? undefined : { user: values.auth, password },
    allow: values.allow,
    noindex: values['allow-indexing'] ? false : undefined,
    hold: values.hold,
    holdStatus: values['hold-status'] === undefined ? undefined : Number(values['hold-status']),
    resign: values.resign as TunnelOptions['resign'],
    inspect: values['no-inspect'] ? false : (inspectPort ?? true),
    logger,
  })
  tunnel.on('status', (s: TunnelStatus) => {
    if (s.state === 'closed' && s.error) stop.abort()
  })
  if (values.json) out.line(JSON.stringify({ url: tunnel.url, name: tunnel.share.name, host: tunnel.share.hostname, localPort: port, inspector: tunnel.inspectorUrl }))
  else {
    out.publicUrl(tunnel.url, { to: `http://${values['local-host'] ?? 'localhost'}:${port}` })
    if (tunnel.inspectorUrl) out.publicUrl(tunnel.inspectorUrl, { label: 'Inspector' })
    out.line(out.stdoutPaint.dim('   Ctrl-C to stop'))
    void checkNextDevOrigin(tunnel.share, port, values['local-host']).then((r) => r.blocked && out.warn(nextDevOriginWarning(tunnel.share)))
  }
  await signalled
  const failed = tunnel.state === 'closed'
  await tunnel.close()
  if (!values.json && !failed) out.info('share closed')
  return failed ? 1 : 0
}
