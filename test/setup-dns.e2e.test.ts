/**
 * `gangway setup --dns rfc2136` against a bare Debian VPS (test/helpers/vps.ts): BIND's
 * named on the host side of the VPS's veth is the zones' authority and the VPS's resolver,
 * pebble resolves through it, and the VPS's certbot updates it with a TSIG key through
 * Debian's rfc2136 plugin. One zone gets the wildcard, the other stays per-name.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect as tlsConnect } from 'node:tls'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTunnel, type Tunnel } from '@gangway/core'
import { rfc2136Credentials, startDnsServer, type DnsServer } from '@gangway/core/testing'
import { runCliToEnd } from './helpers/cli.js'
import { listen, type LocalServer } from './helpers/servers.js'
import { visitorRequest } from './helpers/visitor.js'
import { startVps, type Vps } from './helpers/vps.js'
import { startVpsAcme, type VpsAcme } from './helpers/vps-acme.js'

const isRoot = process.getuid?.() === 0
if (!isRoot) console.warn('setup-dns.e2e.test.ts skipped: the VPS fixture needs root (ip netns, chroot, mounts)')

const DOMAIN = 'dev.gangway.test' // DNS-01: one *.DOMAIN certificate
const ZONE_B = 'drafts.gangway.test' // per-name certificates (HTTP-01)

describe.skipIf(!isRoot)('gangway setup --dns rfc2136 on a bare Debian VPS (needs root)', () => {
  let vps: Vps
  let acme: VpsAcme
  let dns: DnsServer
  let root: string
  let config: string
  let credentials: string
  let secret: string
  const tunnels: Tunnel[] = []
  const servers: LocalServer[] = []

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'gw-setup-dns-'))
    config = join(root, 'ws', 'config.json')
    vps = await startVps()
    // Port 53 on the host's end of the veth: the VPS's resolv.conf cannot name a port.
    dns = await startDnsServer({
      dir: join(root, 'dns'), logFile: join(root, 'named.log'), listen: vps.hostSideAddress, port: 53,
      zones: [{ domain: DOMAIN, address: vps.host }, { domain: ZONE_B, address: vps.host }],
      acmeKeys: [{ name: 'gangway-acme', zones: [DOMAIN] }],
    })
    writeFileSync(join(vps.root, 'etc/resolv.conf'), `nameserver ${vps.hostSideAddress}\n`) // as a provider's resolver would be
    acme = await startVpsAcme(vps, join(root, 'pebble'), { dnsServer: `${vps.hostSideAddress}:53` })
    credentials = join(root, 'rfc2136.ini')
    writeFileSync(credentials, rfc2136Credentials(dns, dns.keys['gangway-acme']!), { mode: 0o600 })
    secret = dns.keys['gangway-acme']!.secret
  }, 600_000)

  afterAll(async () => {
    await Promise.all(tunnels.map((t) => t.close().catch(() => {})))
    await Promise.all(servers.map((s) => s.close()))
    await acme?.stop()
    await dns?.stop()
    await vps?.stop()
    if (root) rmSync(root, { recursive: true, force: true })
  })

  const setup = (...extra: string[]) =>
    runCliToEnd(['setup', `admin@${vps.host}`, '--label', 'alice', '--profile', DOMAIN, '--acme-server', acme.directoryUrl, '--acme-ca-file', acme.listenerCert,
      '--identity-file', vps.adminKey, '--known-hosts', vps.knownHostsFile, ...extra], { GANGWAY_CONFIG: config })
  const dnsSetup = (file = credentials, ...extra: string[]) => setup('--domain', DOMAIN, '--dns', 'rfc2136', '--dns-credentials', file, '--dns-propagation-seconds', '0', ...extra)
  const onVps = async (argv: string[]) => (await vps.exec(argv)).stdout
  const pebbleOrders = () => Number([...readFileSync(join(root, 'pebble', 'pebble.log'), 'utf8').matchAll(/There are now (\d+) orders in the db/g)].at(-1)?.[1] ?? 0)
  const lineages = async () => (await onVps(['ls', '/etc/letsencrypt/live'])).split('\n').filter((l) => l && l !== 'README')
  const nsupdate = (commands: string) =>
    new Promise<void>((resolve, reject) =>
      execFile('nsupdate', ['-k', dns.adminKeyFile], (err, _o, stderr) => (err ? reject(new Error(stderr)) : resolve())).stdin!.end(`server ${dns.listen} ${dns.port}\nzone ${DOMAIN}\n${commands}\nsend\n`),
    )

  /** The certificate the VPS's nginx presents for `host`, verified against pebble's root. */
  function servedCert(host: string): Promise<{ san: string; serial: string }> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: vps.host, port: 443, servername: host, ca: readFileSync(acme.caFile) }, () => {
        const cert = socket.getPeerCertificate()
        socket.end()
        resolve({ san: cert.subjectaltname ?? '', serial: cert.serialNumber })
      })
      socket.on('error', reject)
    })
  }

  async function visit(host: string): Promise<{ status: number; body: string }> {
    const res = await visitorRequest(`https://${host}/`, { to: { caFile: acme.caFile, resolveTo: vps.host }, timeoutMs: 10_000 })
    return { status: res.status, body: res.text }
  }

  async function share(host: string): Promise<Tunnel> {
    const server = await listen((_req, res) => res.end(`hello from ${host}`))
    servers.push(server)
    const tunnel = await openTunnel({ port: server.port, host, configFile: config, clientId: 'ws' })
    tunnels.push(tunnel)
    return tunnel
  }

  it('obtains *.ZONE by DNS-01 through the DNS server; the TSIG key is stored root-only and nowhere else; a second run changes nothing', async () => {
    const t0 = Date.now()
    const first = await dnsSetup(credentials, '--json')
    expect(first.code, first.stderr).toBe(0)
    console.log(`setup --dns rfc2136 on a bare host: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    const report = JSON.parse(first.stdout) as { changes: string[]; dns: Array<{ name: string; ok: boolean }> }
    expect(report.changes).toContain('installed nginx, certbot, cron, python3-certbot-dns-rfc2136')
    expect(report.changes).toContain(`stored the rfc2136 DNS credentials for ${DOMAIN} on the proxy (root only, mode 600)`)
    expect(report.changes.join('\n')).toMatch(new RegExp(`obtained \\*\\.${DOMAIN.replace(/\./g, '\\.')} and ${DOMAIN.replace(/\./g, '\\.')} by DNS-01 \\(rfc2136\\)`))
    expect(report.dns.map((c) => [c.name, c.ok])).toEqual([[`dns *.${DOMAIN}`, true], [`dns ${DOMAIN}`, true]])
    const file = `/etc/gangway/dns/${DOMAIN}.ini`
    expect(await onVps(['stat', '-c', '%a %U:%G', file, '/etc/gangway/dns'])).toBe('600 root:root\n700 root:root\n')
    expect(await onVps(['cat', file])).toBe(readFileSync(credentials, 'utf8'))
    expect((await onVps(['grep', '-rlF', secret, '/etc', '/var/log', '/var/lib', '/root', '/home'])).trim()).toBe(file)
    expect(first.stdout + first.stderr).not.toContain(secret)
    expect(JSON.parse(await onVps(['cat', '/etc/gangway/agent.json'])).zones).toEqual([
      { domain: DOMAIN, certMode: 'wildcard', wildcardCert: { fullchain: `/etc/letsencrypt/live/_wildcard.${DOMAIN}/fullchain.pem`, privkey: `/etc/letsencrypt/live/_wildcard.${DOMAIN}/privkey.pem` }, dns01: { provider: 'rfc2136', propagationSeconds: 0 } },
    ])
    expect(await onVps(['grep', '-E', '^(authenticator|dns_rfc2136_credentials) ', `/etc/letsencrypt/renewal/_wildcard.${DOMAIN}.conf`])).toBe(`authenticator = dns-rfc2136\ndns_rfc2136_credentials = ${file}\n`)

    const orders = pebbleOrders()
    const second = await dnsSetup()
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toContain('proxy already set up: nothing changed')
    expect(second.stdout).toContain(`✔ dns *.${DOMAIN}  *.${DOMAIN} → ${vps.host} (the proxy)`)
    expect(pebbleOrders()).toBe(orders)
  }, 240_000)

  it('a brand-new name serves at once with the wildcard (SAN *.ZONE); no order, no per-name certificate', async () => {
    const orders = pebbleOrders()
    for (const name of ['new-one', 'new-two', 'new-three']) {
      const tunnel = await share(`${name}.${DOMAIN}`)
      expect(await visit(tunnel.share.hostname)).toEqual({ status: 200, body: `hello from ${name}.${DOMAIN}` })
      expect((await servedCert(tunnel.share.hostname)).san).toBe(`DNS:*.${DOMAIN}, DNS:${DOMAIN}`)
    }
    expect(pebbleOrders()).toBe(orders)
    expect(await lineages()).toEqual([`_wildcard.${DOMAIN}`])
  })

  it('another zone added later stays per-name; the wildcard zone keeps its mode', async () => {
    const added = await setup('--domain', ZONE_B)
    expect(added.code, added.stderr).toBe(0)
    expect(JSON.parse(await onVps(['cat', '/etc/gangway/agent.json'])).zones.map((z: { domain: string; certMode: string }) => [z.domain, z.certMode])).toEqual([[ZONE_B, 'http01'], [DOMAIN, 'wildcard']])
    const orders = pebbleOrders()
    const post = await share(`post.${ZONE_B}`)
    expect((await servedCert(post.share.hostname)).san).toBe(`DNS:post.${ZONE_B}`)
    expect(pebbleOrders()).toBe(orders + 1)
    expect((await servedCert(`new-one.${DOMAIN}`)).san).toBe(`DNS:*.${DOMAIN}, DNS:${DOMAIN}`)
  }, 120_000)

  it('certbot renew --force-renewal on the proxy swaps the certificates under live traffic with no failed request', async () => {
    const before = await servedCert(`new-one.${DOMAIN}`)
    const failures: string[] = []
    let requests = 0
    let stop = false
    const traffic = (async () => {
      while (!stop) {
        for (const host of [`new-one.${DOMAIN}`, `post.${ZONE_B}`]) {
          const res = await visit(host).catch((e: Error) => ({ status: 0, body: e.message }))
          requests++
          if (res.status !== 200) failures.push(`${host}: ${res.status} ${res.body}`)
        }
      }
    })()
    // As the admin types it (pebble's listener needs its CA; Let's Encrypt would not).
    const renewed = await vps.exec(['env', 'REQUESTS_CA_BUNDLE=/etc/gangway/acme-ca.pem', 'certbot', 'renew', '--force-renewal', '--no-random-sleep-on-renew'], { timeoutMs: 120_000 })
    const until = requests + 20
    await expect.poll(() => requests, { timeout: 60_000, interval: 10 }).toBeGreaterThanOrEqual(until)
    stop = true
    await traffic
    expect(renewed.code, renewed.stderr + renewed.stdout).toBe(0)
    expect(renewed.stdout + renewed.stderr).toContain('all renewals succeeded')
    expect(failures).toEqual([])
    expect((await servedCert(`new-one.${DOMAIN}`)).serial).not.toBe(before.serial)
    expect((await vps.exec(['test', '-e', '/var/lib/gangway/renewed'])).code).toBe(1) // the post hook took the deploy hook's mark
  }, 180_000)

  it('a wrong TSIG key: setup says DNS_AUTH_FAILED with the fix; the old key and certificate stay', async () => {
    const wrong = join(root, 'wrong.ini')
    writeFileSync(wrong, readFileSync(credentials, 'utf8').replace(secret, Buffer.alloc(32, 9).toString('base64')), { mode: 0o600 })
    const served = await servedCert(`new-one.${DOMAIN}`)
    const stored = createHash('sha256').update(await onVps(['cat', `/etc/gangway/dns/${DOMAIN}.ini`])).digest('hex')
    const res = await dnsSetup(wrong)
    expect(res.code).toBe(1)
    expect(res.stderr).toContain(`the DNS provider (rfc2136) refused the credentials for ${DOMAIN}; the proxy keeps serving the certificate it had.`)
    expect(res.stderr).toContain("didn't like the signature")
    expect(res.stderr).toContain('→ Check dns_rfc2136_name, dns_rfc2136_secret and dns_rfc2136_algorithm')
    expect(res.stderr).toContain('(DNS_AUTH_FAILED)')
    expect(createHash('sha256').update(await onVps(['cat', `/etc/gangway/dns/${DOMAIN}.ini`])).digest('hex')).toBe(stored)
    expect(await servedCert(`new-one.${DOMAIN}`)).toEqual(served)
    expect((await visit(`new-one.${DOMAIN}`)).status).toBe(200)
  }, 120_000)

  it('a zone the key cannot edit: DNS_ZONE_REFUSED; that zone keeps serving per-name', async () => {
    const res = await setup('--domain', ZONE_B, '--dns', 'rfc2136', '--dns-credentials', credentials, '--dns-propagation-seconds', '0')
    expect(res.code).toBe(1)
    expect(res.stderr).toContain(`the DNS credentials cannot edit ${ZONE_B}; no certificate was installed for *.${ZONE_B}.`)
    expect(res.stderr).toContain('REFUSED')
    expect(res.stderr).toContain('(DNS_ZONE_REFUSED)')
    const zones = JSON.parse(await onVps(['cat', '/etc/gangway/agent.json'])).zones as Array<{ domain: string; certMode: string }>
    expect(zones.find((z) => z.domain === ZONE_B)?.certMode).toBe('http01')
    expect(await visit(`post.${ZONE_B}`)).toEqual({ status: 200, body: `hello from post.${ZONE_B}` })
  }, 120_000)

  it('with the wildcard record missing from the DNS server, setup and gangway doctor say which record to add', async () => {
    await nsupdate(`update delete *.${DOMAIN} A`)
    const res = await dnsSetup()
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toContain(`✖ dns *.${DOMAIN}  *.${DOMAIN} does not resolve (no A or AAAA record)\n      → Add the DNS record *.${DOMAIN}. 300 IN A ${vps.host}`)
    const doctor = await runCliToEnd(['doctor', '--profile', DOMAIN, '--admin-identity-file', vps.adminKey, '--admin-known-hosts', vps.knownHostsFile], { GANGWAY_CONFIG: config })
    expect(doctor.code).toBe(1)
    expect(doctor.stdout).toContain(`✖ dns *.${DOMAIN}  *.${DOMAIN} does not resolve (no A or AAAA record)\n    → Add the DNS record *.${DOMAIN}. 300 IN A ${vps.host}`)
    // Every other check holds on this proxy.
    const others = doctor.stdout.split('\n').filter((l) => /^[✔✖]/.test(l) && !l.includes(`dns *.${DOMAIN}`))
    expect(others.filter((l) => l.startsWith('✖'))).toEqual([])
    expect(others.map((l) => l.split('  ')[0])).toEqual([
      `✔ dns ${DOMAIN}`, `✔ dns *.${ZONE_B}`, `✔ dns ${ZONE_B}`, '✔ port 80', '✔ port 443', '✔ nginx', '✔ certificates', '✔ renewal', '✔ disk', '✔ tunnel account', '✔ clock',
    ])
    await nsupdate(`update add *.${DOMAIN} 60 A ${vps.host}`)
    expect((await runCliToEnd(['doctor', '--profile', DOMAIN, '--admin-identity-file', vps.adminKey, '--admin-known-hosts', vps.knownHostsFile], { GANGWAY_CONFIG: config })).code).toBe(0)
  }, 120_000)
})
