/** `gangway http <port>`: share a local port until Ctrl-C. */
import { checkNextDevOrigin, nextDevOriginWarning, openTunnel, type TunnelOptions, type TunnelStatus } from '@gangway/core'
import { defineCommand } from '../command.js'
import { cliLogger, out, UsageError } from '../output.js'
import { untilSignal } from '../signals.js'
import { promptPassword } from '../prompt.js'

export const http = defineCommand({
  name: 'http',
  args: '<port>',
  summary: 'share a local port at https://NAME.DOMAIN until Ctrl-C',
  description: 'Shares http://localhost:<port> at https://NAME.DOMAIN through your proxy.',
  flags: {
    subdomain: { type: 'string', short: 's', value: 'NAME', help: 'share name (default: from package.json or the directory)' },
    host: { type: 'string', value: 'HOST', help: 'exact public host under any zone of the proxy (drafts.example.org, or a zone itself)' },
    takeover: { type: 'boolean', help: 'serve the share even if another process of this key serves it now' },
    proxy: { type: 'string', value: 'TARGET', help: 'ssh target of the proxy: user@host[:port] or a Host alias' },
    domain: { type: 'string', value: 'ZONE', help: 'zone the share lives under' },
    profile: { type: 'string', value: 'NAME', help: 'profile of the user config to use' },
    'identity-file': { type: 'string', value: 'FILE', help: 'tunnel key (default: ssh-agent, then ~/.ssh keys)' },
    'known-hosts': { type: 'string', value: 'FILE', help: "known_hosts file to check the proxy's key against" },
    'accept-new-host-key': { type: 'boolean', help: "trust the proxy's key when it is not yet known" },
    'local-host': { type: 'string', value: 'HOST', help: 'host the local server listens on (default: localhost)' },
    'max-body': { type: 'string', value: 'SIZE', help: 'largest request body (default: 100m)' },
    auth: { type: 'string', value: 'USER', help: 'basic auth; password from GANGWAY_AUTH_PASSWORD or a prompt' },
    allow: { type: 'string', multiple: true, value: 'CIDR', help: 'only these visitor addresses (repeatable); others get 403' },
    'allow-indexing': { type: 'boolean', help: 'no X-Robots-Tag: noindex header (sent by default)' },
    hold: {
      type: 'string',
      multiple: true,
      value: 'METHOD:/PATH',
      help: 'while the share is offline the proxy answers these requests and keeps\nthem, delivered in order when it is back (repeatable; e.g. POST:/slack/events)',
    },
    'hold-status': { type: 'string', value: 'CODE', help: 'the status held requests are answered with (default: 200)' },
    resign: {
      type: 'string',
      value: 'SCHEME',
      help: 'sign held deliveries again after checking them: slack, stripe or\nstandard-webhooks (secret from SLACK_SIGNING_SECRET, STRIPE_WEBHOOK_SECRET, WEBHOOK_SECRET)',
    },
    'inspect-port': { type: 'string', value: 'PORT', help: 'request inspector on 127.0.0.1:PORT (default: 4040, next free if taken)' },
    'no-inspect': { type: 'boolean', help: 'no request inspector (nothing recorded)' },
    json: { type: 'boolean', help: 'print {"url": …} as JSON once online' },
    verbose: { type: 'boolean', help: 'log connection details' },
  },
  async run({ values, positionals }) {
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
  },
})
