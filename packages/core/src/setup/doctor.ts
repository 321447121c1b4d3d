/**
 * `gangway doctor`: the proxy checked, not assumed — each zone's DNS records (dns-check.ts),
 * ports 80 and 443 from this machine, nginx -t, certificates and their renewal, disk space,
 * the tunnel account's restrictions and the clock. Every check is one line, ✔ or ✖ with the
 * fix. It uses the admin login `gangway setup` used (a sandbox: this machine) and changes
 * nothing but a probe file in the ACME webroot, removed at once.
 */
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { connect } from 'node:net'
import { GangwayError } from '../errors.js'
import type { AgentConfig } from '../proxy/agent-config.js'
import { RENEWAL_HOOK_NAME } from '../proxy/renewal-hooks.js'
import { TUNNEL_SSHD_EFFECTIVE } from '../proxy/sshd-tunnel.js'
import { resolveProxyAccess } from '../config/resolve.js'
import { connectSsh } from '../ssh/connect.js'
import type { AdminOptions } from '../team/admin.js'
import { Remote } from './remote.js'
import { checkZoneDns, type DoctorCheck } from './dns-check.js'
import { remoteProbe, sandboxProbe, type ProxyProbe } from './probe.js'

export type { DoctorCheck }

const DAY = 86_400_000
const tail = (text: string) => text.trim().split('\n').slice(-6).join('\n')
const portOf = (listen: string | undefined, fallback: number) => Number(/(\d+)$/.exec(listen ?? '')?.[1] ?? fallback)

function tcpOpen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 5000 })
    socket.once('connect', () => (socket.destroy(), resolve(undefined)))
    socket.once('timeout', () => (socket.destroy(), resolve('no answer in 5 s (a firewall dropping it?)')))
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
  })
}

function httpGet(host: string, port: number, path: string, hostHeader: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers: { host: hostHeader }, timeout: 5000, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy(new Error('no answer in 5 s'))).on('error', reject)
    req.end()
  })
}

async function ports(probe: ProxyProbe, cfg: AgentConfig): Promise<DoctorCheck[]> {
  const host = probe.reachedAt[0]
  if (!host) return [{ name: 'ports', ok: false, summary: 'cannot tell where this machine reaches the proxy', fix: 'Check the admin target (gangway doctor --admin user@host).' }]
  const http = portOf(cfg.httpListen?.[0], 80)
  // HTTP-01 needs port 80 to reach nginx's ACME route; with only wildcard zones it serves redirects.
  const optional = cfg.zones.every((z) => z.certMode === 'wildcard')
  const token = `gw-doctor-${randomBytes(8).toString('hex')}`
  const file = `${cfg.webroot}/.well-known/acme-challenge/${token}`
  let port80: DoctorCheck
  await probe.writeFile(file, token)
  try {
    const res = await httpGet(host, http, `/.well-known/acme-challenge/${token}`, `${token}.${cfg.zones[0]!.domain}`)
    port80 = res.body.trim() === token
      ? { name: `port ${http}`, ok: true, summary: `${host}:${http} serves the ACME challenge path (as the CA reaches it for HTTP-01)` }
      : { name: `port ${http}`, ok: false, optional, summary: `${host}:${http} answered HTTP ${res.status}, not the challenge file`, fix: 'Something other than nginx answers port 80 (another web server, a load balancer): let it through to nginx.' }
  } catch (err) {
    port80 = { name: `port ${http}`, ok: false, optional, summary: `${host}:${http} is not reachable from this machine: ${(err as Error).message}`, fix: `Open TCP port ${http} in the proxy's firewall (ufw allow ${http}/tcp, or the provider's security group).` }
  } finally {
    await probe.removeFile(file)
  }
  const https = cfg.publicPort ?? (cfg as { publicHttpsPort?: number }).publicHttpsPort
  const closed = await tcpOpen(host, https)
  const port443: DoctorCheck = closed
    ? { name: `port ${https}`, ok: false, summary: `${host}:${https} is not reachable from this machine: ${closed}`, fix: `Open TCP port ${https} in the proxy's firewall (ufw allow ${https}/tcp, or the provider's security group).` }
    : { name: `port ${https}`, ok: true, summary: `${host}:${https} accepts connections` }
  return [port80, port443]
}

async function nginx(probe: ProxyProbe, cfg: AgentConfig): Promise<DoctorCheck> {
  const res = await probe.run(cfg.nginx.test)
  return res.code === 0
    ? { name: 'nginx', ok: true, summary: 'nginx -t: the configuration is valid' }
    : { name: 'nginx', ok: false, summary: `nginx -t fails:\n${tail(res.stderr + res.stdout)}`, fix: `Fix the error above (Gangway's vhosts are in ${cfg.sharesDir}); until then no share can change.` }
}

async function certificates(probe: ProxyProbe, cfg: AgentConfig): Promise<DoctorCheck[]> {
  const env = Object.entries(cfg.certbot.env ?? {}).map(([k, v]) => `${k}=${v}`)
  const res = await probe.run(['env', ...env, ...cfg.certbot.argv, 'certificates'])
  const lineages = [...res.stdout.matchAll(/Certificate Name: (\S+)\n[\s\S]*?Domains: ([^\n]*)\n\s*Expiry Date: (\S+) (\S+)/g)].map((m) => ({ name: m[1]!, domains: m[2]!, expires: Date.parse(`${m[3]}T${m[4]}`) }))
  if (res.code !== 0) return [{ name: 'certificates', ok: false, summary: `certbot certificates failed:\n${tail(res.stderr)}`, fix: 'Fix certbot on the proxy (see above).' }]
  const checks: DoctorCheck[] = []
  for (const zone of cfg.zones.filter((z) => z.dns01)) {
    const provider = zone.dns01!.provider
    const lineage = lineages.find((l) => l.name === `_wildcard.${zone.domain}`)
    const file = `${cfg.dnsCredentialsDir}/${zone.domain}.${provider === 'google' ? 'json' : 'ini'}`
    const mode = (await probe.run(['stat', '-c', '%a', '--', file])).stdout.trim()
    const again = `gangway setup --domain ${zone.domain} --dns ${provider} --dns-credentials FILE`
    if (!lineage) checks.push({ name: `certificate *.${zone.domain}`, ok: false, summary: `no wildcard certificate for *.${zone.domain}`, fix: again })
    else if (mode !== '600') checks.push({ name: `certificate *.${zone.domain}`, ok: false, summary: `the DNS credentials ${file} are ${mode ? `mode ${mode}, not 600` : 'missing: renewal will fail'}`, fix: mode ? `chmod 600 ${file} (on the proxy)` : again })
  }
  const now = Date.now()
  const soonest = [...lineages].sort((a, b) => a.expires - b.expires)[0]
  const late = lineages.filter((l) => l.expires - now < 14 * DAY)
  if (late.length) {
    checks.push({
      name: 'certificates', ok: false,
      summary: late.map((l) => `${l.domains} ${l.expires < now ? 'expired' : `expires in ${Math.ceil((l.expires - now) / DAY)} days`} (${l.name})`).join('; '),
      fix: 'certbot renews at 30 days left: see why it did not (certbot renew -v on the proxy; gangway doctor checks DNS and port 80).',
    })
  } else {
    checks.push({ name: 'certificates', ok: true, summary: soonest ? `${lineages.length} valid; the next expires in ${Math.floor((soonest.expires - now) / DAY)} days (${soonest.domains})` : 'none yet (shares get theirs when first used)' })
  }
  return checks
}

async function renewal(probe: ProxyProbe): Promise<DoctorCheck> {
  const dir = await probe.hooksDir()
  for (const kind of ['deploy', 'post']) {
    if ((await probe.run(['test', '-x', `${dir}/${kind}/${RENEWAL_HOOK_NAME}`])).code !== 0) {
      return { name: 'renewal', ok: false, summary: `certbot's ${kind} hook ${dir}/${kind}/${RENEWAL_HOOK_NAME} is missing: renewed certificates would not be served`, fix: probe.kind === 'sandbox' ? 'gangway sandbox down && gangway sandbox up' : 'Run gangway setup again (it installs the hooks).' }
    }
  }
  if (probe.kind === 'sandbox') return { name: 'renewal', ok: true, summary: 'hooks reload nginx once per renewal (the sandbox has no timer: certbot renew by hand)' }
  if (await probe.systemd()) {
    const active = (await probe.run(['systemctl', 'is-active', 'certbot.timer'])).stdout.trim()
    return active === 'active'
      ? { name: 'renewal', ok: true, summary: 'certbot.timer is active; its hooks reload nginx once per renewal' }
      : { name: 'renewal', ok: false, summary: `certbot.timer is ${active || 'missing'}: nothing renews certificates`, fix: 'systemctl enable --now certbot.timer (on the proxy)' }
  }
  const cron = (await probe.run(['test', '-e', '/etc/cron.d/certbot'])).code === 0 && (await probe.run(['pgrep', '-x', 'cron'])).code === 0
  return cron
    ? { name: 'renewal', ok: true, summary: 'cron runs /etc/cron.d/certbot; its hooks reload nginx once per renewal' }
    : { name: 'renewal', ok: false, summary: 'no running cron with /etc/cron.d/certbot (and no systemd): nothing renews certificates', fix: 'service cron start (on the proxy), or run gangway setup again' }
}

async function disk(probe: ProxyProbe, cfg: AgentConfig): Promise<DoctorCheck> {
  // certbot's and Gangway's state and nginx's vhosts (a missing one is left out by df).
  const res = await probe.run(['df', '-Pk', '--', cfg.stateDir, cfg.certbot.liveDir.replace(/\/live\/?$/, ''), cfg.sharesDir])
  const rows = res.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)).filter((f) => f.length >= 6).map((f) => ({ avail: Number(f[3]) * 1024, used: parseInt(f[4]!, 10), mount: f[5]! }))
  const low = [...new Map(rows.map((r) => [r.mount, r])).values()].filter((r) => r.avail < 256 << 20 || r.used >= 95)
  if (!rows.length) return { name: 'disk', ok: false, summary: `df failed: ${tail(res.stderr)}`, fix: 'Check the proxy\'s file systems.' }
  const least = rows.reduce((a, b) => (a.avail < b.avail ? a : b))
  return low.length
    ? { name: 'disk', ok: false, summary: low.map((r) => `${r.mount}: ${Math.round(r.avail / 2 ** 20)} MiB free (${r.used}% used)`).join('; '), fix: 'Free space on the proxy (df -h; apt-get clean; journalctl --vacuum-size=100M): certbot and nginx fail on a full disk.' }
    : { name: 'disk', ok: true, summary: `${Math.round(least.avail / 2 ** 20)} MiB free on ${least.mount}` }
}

async function tunnelAccount(probe: ProxyProbe, cfg: AgentConfig): Promise<DoctorCheck> {
  const user = await probe.tunnelUser()
  const fix = probe.kind === 'sandbox' ? 'gangway sandbox down && gangway sandbox up' : 'Run gangway setup again: it rewrites the Match block and the key lines.'
  const effective = (await probe.run([...probe.sshdTest, '-C', `user=${user},host=localhost,addr=127.0.0.1`])).stdout.split('\n')
  const missing = [`authorizedkeysfile ${cfg.authorizedKeys}`, ...TUNNEL_SSHD_EFFECTIVE].filter((want) => !effective.includes(want))
  if (missing.length) return { name: 'tunnel account', ok: false, summary: `sshd does not apply ${missing.join(', ')} to ${user}`, fix }
  const keys = (await probe.run(['cat', '--', cfg.authorizedKeys])).stdout.split('\n').filter((l) => l.trim() && !l.startsWith('#'))
  const loose = keys.filter((l) => !l.startsWith(`restrict,port-forwarding,command="${cfg.tunnelCommand} `))
  if (loose.length) return { name: 'tunnel account', ok: false, summary: `${loose.length} line(s) of ${cfg.authorizedKeys} are not Gangway's restricted form`, fix }
  return { name: 'tunnel account', ok: true, summary: `${user}: remote socket forwards and the agent only; ${keys.length} restricted key(s)` }
}

async function clock(probe: ProxyProbe): Promise<DoctorCheck> {
  const t0 = Date.now()
  const res = await probe.run(['date', '+%s.%N'])
  const t1 = Date.now()
  const skew = Number(res.stdout.trim()) * 1000 - (t0 + t1) / 2
  if (!Number.isFinite(skew)) return { name: 'clock', ok: false, summary: 'cannot read the proxy\'s clock', fix: 'Check date on the proxy.' }
  const off = `${Math.abs(skew / 1000).toFixed(1)} s ${skew > 0 ? 'ahead of' : 'behind'} this machine`
  return Math.abs(skew) > 30_000
    ? { name: 'clock', ok: false, summary: `the proxy's clock is ${off}`, fix: 'Turn on time sync on the proxy (apt-get install systemd-timesyncd, or chrony): TSIG updates and new certificates need the right time.' }
    : { name: 'clock', ok: true, summary: `within ${Math.max(1, Math.ceil(Math.abs(skew) / 1000))} s of this machine` }
}

/** Every check, on a probe (setup uses checkZoneDns alone). */
export async function doctorChecks(probe: ProxyProbe): Promise<DoctorCheck[]> {
  const cfg = await probe.config()
  return [
    ...(await checkZoneDns(probe, cfg.zones.map((z) => z.domain))),
    ...(await ports(probe, cfg)),
    await nginx(probe, cfg),
    ...(await certificates(probe, cfg)),
    await renewal(probe),
    await disk(probe, cfg),
    await tunnelAccount(probe, cfg),
    await clock(probe),
  ]
}

/** `gangway doctor`: the profile's proxy over its admin login, or its sandbox on this machine. */
export async function runDoctor(options: AdminOptions = {}): Promise<DoctorCheck[]> {
  const { profile } = resolveProxyAccess(options)
  const admin = options.admin ?? profile.admin
  if (!admin && profile.sandboxDir) return doctorChecks(await sandboxProbe(profile.sandboxDir))
  if (!admin) {
    throw new GangwayError('CONFIG_MISSING', 'this profile has no admin login for the proxy', {
      hint: 'Pass --admin user@host (an account with sudo on the proxy), or run gangway doctor where gangway setup ran.',
    })
  }
  const client = await connectSsh({ target: admin, identityFile: options.adminIdentityFile, knownHostsFile: options.adminKnownHostsFile, keepaliveInterval: 10, keepaliveCountMax: 3, logger: options.logger })
  try {
    const remote = new Remote(client, admin)
    await remote.checkSudo()
    return await doctorChecks(await remoteProbe(remote, admin))
  } finally {
    client.end()
  }
}
