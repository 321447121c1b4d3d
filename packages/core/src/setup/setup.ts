/**
 * `gangway setup`: turns a Debian host reached as an admin with sudo into a Gangway proxy.
 * Idempotent (each step looks before it changes anything, and a second run reports no
 * change) and safe to interrupt (files are staged, validated and swapped in install-files.ts;
 * nothing is reloaded before the whole configuration passed nginx -t and sshd -t).
 */
import { readFileSync } from 'node:fs'
import { GangwayError } from '../errors.js'
import { defaultConfigFile } from '../config/user-config.js'
import { connectSsh, type SshClient } from '../ssh/connect.js'
import { resolveTarget } from '../ssh/config.js'
import { knownHostsName } from '../ssh/known-hosts.js'
import { runAgent } from '../ssh/exec.js'
import { Remote } from './remote.js'
import { nginxFeatures } from '../proxy/nginx-base.js'
import { PROXY, renderProxyFiles, type ProxySettings } from './proxy-files.js'
import { diffFiles, installFiles } from './install-files.js'
import { setupChecks } from './checks.js'
import { ensurePackages, ensureAccount, ensureDirs, ensureServices, ensureRenewal, ensureHolds } from './steps.js'
import { ensureTunnelKey, saveProfile, trustHostKeys, tunnelKeyFile } from './workstation.js'
import { validateSetup, type SetupOptions } from './options.js'
import { dnsPackage, installedZones, obtainWildcards, planZones } from './dns01.js'
import { checkZoneDns, type DoctorCheck } from './dns-check.js'
import { remoteProbe } from './probe.js'

export type { SetupOptions }

export interface SetupReport {
  /** What this run changed, one line each; empty when the proxy was already set up. */
  changes: string[]
  profile: string
  configFile: string
  /** ssh target of the tunnel account, as written to the profile. */
  proxy: string
  domain: string
  /** This workstation's key label on the proxy. */
  label: string
  tunnelKey: string
  knownHostsFile: string
  /** Each zone's records as the proxy resolves them (a wildcard name and the apex): setup finishes either way. */
  dns: DoctorCheck[]
}

/** sshd re-executes itself on reload: for a moment nothing listens. */
async function reconnect(connect: () => Promise<SshClient>): Promise<SshClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connect()
    } catch (err) {
      if (attempt >= 20 || (err as GangwayError).code !== 'PROXY_UNREACHABLE') throw err
      await new Promise((r) => setTimeout(r, 250))
    }
  }
}

export async function runSetup(options: SetupOptions): Promise<SetupReport> {
  const o = validateSetup(options)
  const log = options.logger
  const changes: string[] = []
  const change = (text: string) => {
    changes.push(text)
    log?.info(`changed: ${text}`)
  }
  const configFile = options.configFile ?? defaultConfigFile()
  const profile = options.profile ?? o.domain
  const key = ensureTunnelKey(options.tunnelKeyFile ?? tunnelKeyFile(configFile, profile))
  if (key.created) change(`made the tunnel key ${key.file} (the private key stays on this machine)`)

  const target = resolveTarget(o.target)
  const connect = () =>
    connectSsh({ target: o.target, identityFile: options.identityFile, knownHostsFile: options.knownHostsFile, acceptNewHostKey: options.acceptNewHostKey, keepaliveInterval: 10, keepaliveCountMax: 3, logger: log })
  const client = await connect()
  const remote = new Remote(client, `${target.hostName}:${target.port}`)
  try {
    await remote.checkSudo()
    const systemd = await remote.test('-d', '/run/systemd/system')
    // Zones the proxy serves already stay, in their certificate mode: `setup --domain b.org` later adds b.org.
    const kept = installedZones(await remote.readFile(PROXY.agentConfig))
    const wildcardFiles = { fullchain: `${PROXY.wildcardDir}/fullchain.pem`, privkey: `${PROXY.wildcardDir}/privkey.pem` }
    const plan = (pending: boolean) => planZones({ domains: o.domains, wildcard: o.wildcard && { zones: o.wildcard.zones, ...wildcardFiles }, dns: o.dns }, kept, pending)
    const settings: ProxySettings = {
      zones: plan(true),
      email: o.email,
      httpsPort: o.httpsPort,
      tunnelUser: o.tunnelUser,
      acmeServer: o.acmeServer,
      acmeCa: o.acmeCaFile ? readFileSync(o.acmeCaFile, 'utf8') : undefined,
      wildcard: o.wildcard && { fullchain: readFileSync(o.wildcard.cert, 'utf8'), privkey: readFileSync(o.wildcard.key, 'utf8'), zones: o.wildcard.zones },
      ipv6: (await remote.run(['test', '-e', '/proc/net/if_inet6'])).code === 0,
      nginx: { version: '0.0.0', http2: 'listen', http3: false }, // known once nginx is installed
    }
    // Without systemd, certbot's renewal job is /etc/cron.d/certbot: cron must run it.
    await ensurePackages(remote, [...(systemd ? ['nginx', 'certbot'] : ['nginx', 'certbot', 'cron']), ...(o.dns ? [dnsPackage(o.dns.provider)] : [])], change)
    const version = await remote.root(['/usr/sbin/nginx', '-V'])
    settings.nginx = nginxFeatures(version.stderr + version.stdout)
    await ensureAccount(remote, o.tunnelUser, target.user, change)
    await ensureDirs(remote, o.tunnelUser, change)

    const checks = setupChecks(remote, { domain: o.domain, adminUser: target.user, tunnelUser: o.tunnelUser })
    const diff = await diffFiles(remote, renderProxyFiles(settings))
    await installFiles(remote, diff, checks)
    for (const f of diff.changed) change(`installed ${f.path} (${f.what})`)
    if (diff.disableDefaultSite) change(`moved Debian's default nginx site aside (to ${PROXY.backupDir})`)

    const nginxChanged = diff.disableDefaultSite || diff.changed.some((f) => [PROXY.nginxConf, PROXY.nginxMainConf, PROXY.nginxTls].includes(f.path as never) || f.path.startsWith(PROXY.wildcardDir))
    const sshdChanged = diff.changed.some((f) => f.path === PROXY.sshdConf)
    await ensureServices(remote, { nginxChanged, sshdChanged }, change)
    // The admin must still get in after an sshd reload; if not, undo it over this session.
    if (sshdChanged) await reconnect(connect).then((c) => c.end(), async (err: unknown) => {
      await remote.root(['rm', '-f', '--', PROXY.sshdConf])
      await remote.root(['service', 'ssh', 'reload'])
      throw new GangwayError('SETUP_FAILED', `after the sshd reload the admin could not log in again (${(err as Error).message}); the sshd change was removed`, { hint: 'Check /etc/ssh/sshd_config on the proxy.' })
    })
    await ensureRenewal(remote, systemd, change)
    // DNS-01: each zone's wildcard first; agent.json switches the zone only once it exists.
    if (o.dns) await obtainWildcards(remote, { domains: o.domains, dns: o.dns }, async () => {
      settings.zones = plan(false)
      const switched = await diffFiles(remote, renderProxyFiles(settings))
      await installFiles(remote, switched, checks)
      for (const f of switched.changed) change(`installed ${f.path} (${f.what}: ${o.domains.join(', ')} served by the wildcard)`)
    }, change)
    const holdsChanged = diff.changed.some((f) => [PROXY.agent, PROXY.agentConfig, PROXY.holdService].includes(f.path as never))
    await ensureHolds(remote, { changed: holdsChanged, systemd }, change)

    // Keys have labels: a proxy set up before keeps its keys (labelled from their comments)
    // and its shares (owned by the matching label, else this workstation's); then this
    // workstation's key is registered under its label.
    const pub = `${key.publicKey} ${key.comment}\n`
    for (const line of (await remote.agent('migrate', ['--label', o.label], pub)).changes as string[]) change(line)
    const added = await remote.agent('key-add', ['--label', o.label, '--comment', commentWord(key.comment)], pub)
    if (added.changed) change(`registered this workstation's tunnel key as "${o.label}" (${String(added.fingerprint)})`)

    // The workstation side: trust the proxy's host keys under the tunnel target's name.
    const aliased = target.alias !== target.hostName
    const proxy = aliased ? `${o.tunnelUser}@${target.alias}` : `${o.tunnelUser}@${target.hostName}${target.port === 22 ? '' : `:${target.port}`}`
    const knownName = knownHostsName(aliased ? (target.hostKeyAlias ?? target.alias) : target.hostName, target.port)
    const knownHostsFile = options.tunnelKnownHostsFile ?? `${configFile.replace(/[^/]*$/, '')}known_hosts`
    const hostKeys = (await remote.run(['cat', '--', '/etc/ssh/ssh_host_ed25519_key.pub', '/etc/ssh/ssh_host_ecdsa_key.pub', '/etc/ssh/ssh_host_rsa_key.pub'])).stdout
    if (trustHostKeys(knownHostsFile, knownName, hostKeys.split('\n').filter(Boolean))) change(`trusted the proxy's host keys in ${knownHostsFile}`)

    // Prove the tunnel key does what shares need: log in, reach the agent through sudo.
    const tunnel = await connectSsh({ target: proxy, identityFile: key.file, knownHostsFile, keepaliveInterval: 10, keepaliveCountMax: 3 })
    try {
      const info = await runAgent(tunnel, 'info', [])
      if (info.label !== o.label) throw new GangwayError('SETUP_FAILED', `the tunnel key logs in as "${String(info.label)}", not "${o.label}"`)
    } finally {
      tunnel.end()
    }
    const saved = saveProfile(configFile, profile, {
      proxy,
      domain: o.domain,
      ...(o.httpsPort === 443 ? {} : { publicPort: o.httpsPort }),
      identityFile: key.file,
      knownHostsFile,
      socketDir: PROXY.socketDir,
      admin: o.target,
    })
    if (saved) change(`wrote profile "${profile}" (the default) to ${configFile}`)
    // DNS checked, not assumed: a missing *.ZONE would surface later as a failed first share.
    const dns = await checkZoneDns(await remoteProbe(remote, o.target), settings.zones.map((z) => z.domain))
    return { changes, profile, configFile, proxy, domain: o.domain, label: o.label, tunnelKey: key.file, knownHostsFile, dns }
  } finally {
    client.end()
  }
}

/** A key comment as one word the agent accepts (`gangway-tunnel alice@laptop` → alice-laptop). */
function commentWord(comment: string): string {
  return comment.replace(/^gangway-tunnel\s*/, '').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 64) || 'workstation'
}
