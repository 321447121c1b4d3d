/**
 * One wildcard by DNS-01 on the sandbox (`sandbox up --wildcard`): BIND's named as the
 * zone's authority, pebble resolving through it, certbot's rfc2136 plugin with a TSIG key,
 * the agent's cert-issue verb. What a user checks: the certificate a brand-new name serves,
 * pebble's order count, a renewal under traffic, and what a bad key or zone says.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs'
import { connect as tlsConnect } from 'node:tls'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTunnel, runDoctor, writeProfile, type Tunnel } from '../src/index.js'
import { SANDBOX_PROFILE, sandboxDown, sandboxProfile, sandboxUp, type AgentConfig, type SandboxInfo } from '../src/sandbox/index.js'
import { pickPorts, rfc2136Credentials, startDnsServer } from '../src/sandbox/testing.js'
import { runSandboxAgent } from '../src/sandbox/agent-install.js'
import { sandboxLayout } from '../src/sandbox/layout.js'
import { listen, type LocalServer } from '../../../test/helpers/servers.js'
import { visitorRequest } from '../../../test/helpers/visitor.js'

let root: string
let info: SandboxInfo
let configFile: string
let agentConfig: AgentConfig
const tunnels: Tunnel[] = []
const servers: LocalServer[] = []

const layout = () => sandboxLayout(info.dir)
const admin = (verb: string, args: string[], input?: string) => runSandboxAgent(layout(), verb, args, input)
const credentialsFile = () => join(layout().dnsCredentialsDir, `${info.domain}.ini`)
const wildcardPem = () => join(agentConfig.certbot.liveDir, `_wildcard.${info.domain}`, 'fullchain.pem')

/** The certificate nginx presents for `host` (SNI), verified against the sandbox's CA. */
function servedCert(host: string): Promise<{ san: string; serial: string }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: info.httpsPort, servername: host, ca: readFileSync(info.caFile) }, () => {
      const cert = socket.getPeerCertificate()
      socket.end()
      resolve({ san: cert.subjectaltname ?? '', serial: cert.serialNumber })
    })
    socket.on('error', reject)
  })
}

/** A visitor on a fresh connection (as curl, or a browser's first request). */
async function visit(host: string): Promise<{ status: number; body: string }> {
  const res = await visitorRequest(`https://${host}:${info.httpsPort}/`, { to: info, timeoutMs: 10_000 })
  return { status: res.status, body: res.text }
}

async function share(name: string): Promise<Tunnel> {
  const server = await listen((_req, res) => res.end(`hello from ${name}`))
  servers.push(server)
  const tunnel = await openTunnel({ port: server.port, name, configFile })
  tunnels.push(tunnel)
  return tunnel
}

/** pebble logs "There are now N orders in the db" for every new order. */
function pebbleOrders(): number {
  const counts = [...readFileSync(layout().log('pebble'), 'utf8').matchAll(/There are now (\d+) orders in the db/g)]
  return Number(counts.at(-1)?.[1] ?? 0)
}

/** certbot as the sandbox's agent runs it (its dirs, pebble's listener CA). */
function certbot(args: string[]): Promise<{ code: number; output: string }> {
  const [cmd, ...argv] = agentConfig.certbot.argv
  return new Promise((resolve) =>
    execFile(cmd!, [...argv, ...args], { env: { ...process.env, ...agentConfig.certbot.env }, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: String(stdout) + String(stderr) }),
    ),
  )
}

/** Runs `fn` with agent.json changed, then restores it. */
async function withConfig(change: (cfg: AgentConfig) => AgentConfig, fn: () => Promise<void>): Promise<void> {
  const original = readFileSync(info.agentConfig, 'utf8')
  writeFileSync(info.agentConfig, JSON.stringify(change(JSON.parse(original) as AgentConfig)))
  try {
    await fn()
  } finally {
    writeFileSync(info.agentConfig, original)
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gw-wildcard-'))
  chmodSync(root, 0o755)
  info = await sandboxUp({ dir: join(root, 'sandbox'), wildcard: true })
  agentConfig = JSON.parse(readFileSync(info.agentConfig, 'utf8')) as AgentConfig
  configFile = join(root, 'config.json')
  writeProfile(configFile, SANDBOX_PROFILE, sandboxProfile(info))
}, 120_000)

afterAll(async () => {
  await Promise.all(tunnels.map((t) => t.close().catch(() => {})))
  await Promise.all(servers.map((s) => s.close()))
  if (info) await sandboxDown({ dir: info.dir })
  if (!process.env.GANGWAY_KEEP_SANDBOX) rmSync(root, { recursive: true, force: true })
})

describe('sandbox up --wildcard: *.ZONE by DNS-01 through a real DNS server', () => {
  it('obtains *.ZONE and ZONE from pebble through named, with the TSIG key stored root-only', async () => {
    expect(info).toMatchObject({ wildcard: true, pids: { named: expect.any(Number), pebble: expect.any(Number) } })
    expect(info.pids.challtestsrv).toBeUndefined()
    // Running: `sandbox up` without the flag takes it as it is, with it too.
    expect(await sandboxUp({ dir: info.dir })).toEqual(info)
    expect(await sandboxUp({ dir: info.dir, wildcard: true })).toEqual(info)
    expect(agentConfig.zones).toEqual([{ domain: info.domain, certMode: 'wildcard', wildcardCert: { fullchain: wildcardPem(), privkey: wildcardPem().replace('fullchain', 'privkey') }, dns01: { provider: 'rfc2136', propagationSeconds: 0 } }])
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600)
    expect(statSync(layout().dnsCredentialsDir).mode & 0o777).toBe(0o700)
    const renewal = readFileSync(join(agentConfig.certbot.liveDir, '..', 'renewal', `_wildcard.${info.domain}.conf`), 'utf8')
    expect(renewal).toContain('authenticator = dns-rfc2136')
    expect(renewal).toContain(`dns_rfc2136_credentials = ${credentialsFile()}`)
    // The TSIG secret is in the credentials file only: not in agent.json, the logs or the renewal file.
    const secret = /dns_rfc2136_secret = (\S+)/.exec(readFileSync(credentialsFile(), 'utf8'))![1]!
    const certbotLog = join(agentConfig.certbot.argv[agentConfig.certbot.argv.indexOf('--logs-dir') + 1]!, 'letsencrypt.log')
    for (const file of [info.agentConfig, layout().log('pebble'), layout().log('named'), certbotLog]) expect(readFileSync(file, 'utf8'), file).not.toContain(secret)
    expect(renewal).not.toContain(secret)
  })

  it('a brand-new name serves at once with the wildcard (SAN *.ZONE); pebble gets no order per name', async () => {
    const orders = pebbleOrders()
    for (const name of ['fresh-one', 'fresh-two', 'fresh-three']) {
      const tunnel = await share(name)
      expect(await visit(tunnel.share.hostname)).toEqual({ status: 200, body: `hello from ${name}` })
      expect((await servedCert(tunnel.share.hostname)).san).toBe(`DNS:*.${info.domain}, DNS:${info.domain}`)
    }
    expect(pebbleOrders()).toBe(orders)
    // Nothing per name in certbot's live dir: only the wildcard's lineage.
    expect((await certbot(['certificates'])).output.match(/Certificate Name: (\S+)/g)).toEqual([`Certificate Name: _wildcard.${info.domain}`])
  })

  it('a second cert-issue with the same key changes nothing and runs no order', async () => {
    const orders = pebbleOrders()
    const again = await admin('cert-issue', ['--zone', info.domain, '--provider', 'rfc2136', '--propagation-seconds', '0', '--credentials-stdin'], readFileSync(credentialsFile(), 'utf8'))
    expect(again).toMatchObject({ ok: true, certificate: 'reused', credentials: 'unchanged' })
    expect(pebbleOrders()).toBe(orders)
  })

  it('certbot renew --force-renewal swaps the certificate under live traffic with no failed request', async () => {
    const tunnel = await share('busy')
    const before = await servedCert(tunnel.share.hostname)
    let stop = false
    const failures: string[] = []
    let requests = 0
    const traffic = (async () => {
      while (!stop) {
        const res = await visit(tunnel.share.hostname).catch((e: Error) => ({ status: 0, body: e.message }))
        requests++
        if (res.status !== 200) failures.push(`${res.status} ${res.body}`)
      }
    })()
    // As an admin types it; certbot sleeps at random first when it has no terminal, hence the flag.
    const renewed = await certbot(['renew', '--force-renewal', '--no-random-sleep-on-renew'])
    // A few more requests after the reload, on the new certificate.
    const until = requests + 20
    await expect.poll(() => requests, { timeout: 30_000, interval: 10 }).toBeGreaterThanOrEqual(until)
    stop = true
    await traffic
    expect(renewed.code, renewed.output).toBe(0)
    expect(renewed.output).toContain('all renewals succeeded')
    expect(failures).toEqual([])
    const after = await servedCert(tunnel.share.hostname)
    expect(after.serial).not.toBe(before.serial)
    expect(after.san).toBe(before.san)
  })

  it('a zone switched from per-name certificates to its wildcard: cert-adopt moves its vhosts and deletes their certificates', async () => {
    const perName = (cfg: AgentConfig): AgentConfig => ({ ...cfg, zones: [{ domain: info.domain, certMode: 'http01' }] })
    let tunnel!: Tunnel
    await withConfig(perName, async () => {
      tunnel = await share('before-switch') // HTTP-01 through named's * record
      expect((await servedCert(tunnel.share.hostname)).san).toBe(`DNS:${tunnel.share.hostname}`)
    })
    const vhost = join(agentConfig.sharesDir, `${tunnel.share.hostname}.conf`)
    expect(readFileSync(vhost, 'utf8')).toContain(`live/${tunnel.share.hostname}/fullchain.pem;`)
    const adopted = await admin('cert-adopt', ['--zone', info.domain])
    expect(adopted).toMatchObject({ ok: true, vhosts: [tunnel.share.hostname], deleted: [tunnel.share.hostname] })
    expect(readFileSync(vhost, 'utf8')).toContain(`ssl_certificate ${wildcardPem()};`)
    expect((await servedCert(tunnel.share.hostname)).san).toBe(`DNS:*.${info.domain}, DNS:${info.domain}`)
    expect(await visit(tunnel.share.hostname)).toEqual({ status: 200, body: 'hello from before-switch' })
    expect((await certbot(['certificates'])).output).not.toContain(`Certificate Name: ${tunnel.share.hostname}`)
    // Nothing left to do: a second run changes nothing.
    expect(await admin('cert-adopt', ['--zone', info.domain])).toMatchObject({ vhosts: [], deleted: [] })
  })

  it('a wrong TSIG key: DNS_AUTH_FAILED with the fix; the stored key and the served certificate stay', async () => {
    const stored = readFileSync(credentialsFile(), 'utf8')
    const served = await servedCert(`fresh-one.${info.domain}`)
    const wrong = stored.replace(/^dns_rfc2136_secret = .*$/m, `dns_rfc2136_secret = ${Buffer.alloc(32, 7).toString('base64')}`)
    const failed = admin('cert-issue', ['--zone', info.domain, '--provider', 'rfc2136', '--propagation-seconds', '0', '--credentials-stdin'], wrong)
    await expect(failed).rejects.toMatchObject({
      code: 'DNS_AUTH_FAILED',
      message: expect.stringMatching(/refused the credentials for gangway\.test; the proxy keeps serving the certificate it had\.\n[\s\S]*didn't like the signature/),
      hint: expect.stringContaining('dns_rfc2136_secret'),
    })
    expect(readFileSync(credentialsFile(), 'utf8')).toBe(stored)
    expect(await servedCert(`fresh-one.${info.domain}`)).toEqual(served)
    expect((await visit(`fresh-one.${info.domain}`)).status).toBe(200)
  })

  it('a zone the key cannot edit: DNS_ZONE_REFUSED', async () => {
    const other = 'elsewhere.test' // a zone of the proxy, but not one named serves
    await withConfig((cfg) => ({ ...cfg, zones: [...cfg.zones, { domain: other, certMode: 'http01' }] }), async () => {
      await expect(admin('cert-issue', ['--zone', other, '--provider', 'rfc2136', '--propagation-seconds', '0', '--credentials-stdin'], readFileSync(credentialsFile(), 'utf8'))).rejects.toMatchObject({
        code: 'DNS_ZONE_REFUSED',
        message: expect.stringContaining(`cannot edit ${other}; no certificate was installed for *.${other}`),
        hint: expect.stringContaining(`grant KEY-NAME name _acme-challenge.${other}. TXT`),
      })
    })
  })

  it('the record written where the CA does not look (propagation): DNS_PROPAGATION_TIMEOUT, old certificate kept', async () => {
    // A second server for the same zone: the update succeeds there, pebble asks the first.
    const ports = await pickPorts(['dns'] as const, { udp: ['dns'] })
    const shadow = await startDnsServer({ dir: join(root, 'shadow-dns'), logFile: join(root, 'shadow-named.log'), listen: '127.0.0.1', port: ports.dns, zones: [{ domain: info.domain, address: '127.0.0.1' }], acmeKeys: [{ name: 'shadow', zones: [info.domain] }] })
    try {
      const served = await servedCert(`fresh-one.${info.domain}`)
      await expect(admin('cert-issue', ['--zone', info.domain, '--provider', 'rfc2136', '--propagation-seconds', '0', '--credentials-stdin'], rfc2136Credentials(shadow, shadow.keys.shadow!))).rejects.toMatchObject({
        code: 'DNS_PROPAGATION_TIMEOUT',
        message: expect.stringContaining(`did not see the TXT record _acme-challenge.${info.domain} in time; the proxy keeps serving the certificate it had`),
        hint: expect.stringContaining('--dns-propagation-seconds'),
      })
      expect(await servedCert(`fresh-one.${info.domain}`)).toEqual(served)
    } finally {
      await shadow.stop()
    }
  })
})

describe('gangway doctor on the sandbox', () => {
  const nsupdate = (commands: string) =>
    new Promise<void>((resolve, reject) =>
      execFile('nsupdate', ['-k', info.dnsAdminKeyFile!], (err, _out, stderr) => (err ? reject(new Error(stderr)) : resolve())).stdin!.end(`server 127.0.0.1 ${info.dnsPort}\nzone ${info.domain}\n${commands}\nsend\n`),
    )

  it('every check passes on a sandbox just started', async () => {
    const checks = await runDoctor({ configFile })
    expect(checks.filter((c) => !c.ok)).toEqual([])
    expect(checks.map((c) => c.name)).toEqual([
      `dns *.${info.domain}`, `dns ${info.domain}`, `port ${info.httpPort}`, `port ${info.httpsPort}`, 'nginx', 'certificates', 'renewal', 'disk', 'tunnel account', 'clock',
    ])
  })

  it('with the zone\'s wildcard record gone from the DNS server, says which record to add', async () => {
    await nsupdate(`update delete *.${info.domain} A`)
    const checks = await runDoctor({ configFile })
    expect(checks.find((c) => c.name === `dns *.${info.domain}`)).toEqual({
      name: `dns *.${info.domain}`, ok: false, optional: false,
      summary: `*.${info.domain} does not resolve (no A or AAAA record)`,
      fix: `Add the DNS record *.${info.domain}. 300 IN A 127.0.0.1`,
    })
    await nsupdate(`update add ${info.domain} 60 A 192.0.2.1\nupdate delete ${info.domain} A 127.0.0.1`)
    expect((await runDoctor({ configFile })).find((c) => c.name === `dns ${info.domain}`)).toMatchObject({
      ok: false, optional: true, summary: `${info.domain} resolves to 192.0.2.1, not to the proxy (127.0.0.1)`, fix: `Change the record to ${info.domain}. 300 IN A 127.0.0.1`,
    })
  })
})
