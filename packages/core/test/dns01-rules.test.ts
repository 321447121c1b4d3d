/**
 * The rules of DNS-01 that need no proxy: what `setup --dns` accepts (and that it never
 * echoes a secret), which mode each zone gets, how agent.json's dns01 zones are checked,
 * that a tunnel key cannot reach the certificate verbs, and how certbot's failures are told
 * apart (its messages for each provider, as the plugins word them).
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { validateSetup } from '../src/setup/options.js'
import { planZones } from '../src/setup/dns01.js'
import { sandboxAgentConfig, type AgentConfig } from '../src/sandbox/index.js'
import { AGENT_SOURCE } from '../src/proxy/agent-config.js'
import { sandboxLayout, type SandboxState } from '../src/sandbox/layout.js'

const root = mkdtempSync(join(tmpdir(), 'gw-dns-rules-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA=='
function file(name: string, text: string): string {
  const path = join(root, name)
  writeFileSync(path, text, { mode: 0o600 })
  return path
}
const setup = (dns: { provider: string; credentialsFile: string; propagationSeconds?: number }) =>
  validateSetup({ target: 'admin@203.0.113.7', domain: 'dev.example.com', dns })

describe('setup --dns: the credentials file', () => {
  it('accepts a complete rfc2136 file and keeps its text for the proxy', () => {
    const text = `dns_rfc2136_server = 192.0.2.53\ndns_rfc2136_port = 53\ndns_rfc2136_name = acme\ndns_rfc2136_secret = ${SECRET}\ndns_rfc2136_algorithm = HMAC-SHA512\n`
    expect(setup({ provider: 'rfc2136', credentialsFile: file('ok.ini', text), propagationSeconds: 30 }).dns).toEqual({ provider: 'rfc2136', credentials: text, propagationSeconds: 30 })
  })

  it('lists every problem at once, naming keys and never a value', () => {
    const bad = file('bad.ini', `dns_rfc2136_server = ns1.example.com\ndns_rfc2136_secret = zz!!hunter2??\ndns_rfc2136_algorithm = HMAC-FOO\n# dns_rfc2136_name = acme\n`)
    let message = ''
    try {
      setup({ provider: 'rfc2136', credentialsFile: bad, propagationSeconds: 900 })
    } catch (err) {
      expect(err).toMatchObject({ code: 'CONFIG_INVALID' })
      message = (err as Error).message
    }
    expect(message).toContain('--dns-propagation-seconds 900 is not 0-600')
    expect(message).toContain('lacks dns_rfc2136_name')
    expect(message).toContain('dns_rfc2136_server in')
    expect(message).toContain('must be an IP address')
    expect(message).toContain('dns_rfc2136_secret in')
    expect(message).toContain('dns_rfc2136_algorithm in')
    expect(message).not.toMatch(/ns1\.example\.com|hunter2|HMAC-FOO/)
  })

  it('knows each provider\'s keys; an unknown provider or a missing file is refused', () => {
    expect(setup({ provider: 'cloudflare', credentialsFile: file('cf.ini', 'dns_cloudflare_api_token = abc\n') }).dns?.provider).toBe('cloudflare')
    expect(setup({ provider: 'cloudflare', credentialsFile: file('cf2.ini', 'dns_cloudflare_email = a@b.c\ndns_cloudflare_api_key = k\n') }).dns?.provider).toBe('cloudflare')
    expect(() => setup({ provider: 'cloudflare', credentialsFile: file('cf3.ini', 'dns_cloudflare_email = a@b.c\n') })).toThrow(/lacks dns_cloudflare_api_token, or dns_cloudflare_api_key/)
    expect(() => setup({ provider: 'digitalocean', credentialsFile: file('do.ini', 'token = x\n') })).toThrow(/lacks dns_digitalocean_token/)
    expect(() => setup({ provider: 'google', credentialsFile: file('g.json', '{"type": "user"}') })).toThrow(/not a Google service account key/)
    expect(() => setup({ provider: 'route53', credentialsFile: file('r.ini', 'x = y\n') })).toThrow(/--dns "route53" is not one of rfc2136, cloudflare/)
    expect(() => setup({ provider: 'rfc2136', credentialsFile: join(root, 'nothing.ini') })).toThrow(/nothing\.ini: does not exist/)
  })
})

describe('which certificate each zone gets', () => {
  const dns = { provider: 'rfc2136' as const, credentials: '', propagationSeconds: undefined }
  const wildcard = { domain: 'a.example.com', certMode: 'wildcard' as const, wildcardCert: { fullchain: '/etc/letsencrypt/live/_wildcard.a.example.com/fullchain.pem', privkey: '/etc/letsencrypt/live/_wildcard.a.example.com/privkey.pem' }, dns01: { provider: 'rfc2136' as const } }

  it('this run\'s zones get the wildcard; zones set up before keep their mode', () => {
    const installed = [{ domain: 'old.example.com', certMode: 'http01' as const }, { domain: 'mine.example.com', certMode: 'wildcard' as const, wildcardCert: { fullchain: '/etc/gangway/wildcard/fullchain.pem', privkey: '/etc/gangway/wildcard/privkey.pem' } }]
    expect(planZones({ domains: ['a.example.com'], dns }, installed, false)).toEqual([wildcard, ...installed])
    // A run without --dns or --wildcard-cert leaves every mode as it is (the user's wildcard included).
    expect(planZones({ domains: ['mine.example.com'] }, installed, false)).toEqual([installed[1], installed[0]])
  })

  it('before its wildcard exists, a zone that already serves keeps its old mode; a new zone starts as a wildcard zone', () => {
    const installed = [{ domain: 'a.example.com', certMode: 'http01' as const }]
    expect(planZones({ domains: ['a.example.com', 'b.example.com'], dns }, installed, true)).toEqual([installed[0], { ...wildcard, domain: 'b.example.com', wildcardCert: { fullchain: '/etc/letsencrypt/live/_wildcard.b.example.com/fullchain.pem', privkey: '/etc/letsencrypt/live/_wildcard.b.example.com/privkey.pem' } }])
    expect(planZones({ domains: ['a.example.com'], dns }, installed, false)).toEqual([wildcard])
  })
})

function agent(config: AgentConfig | string, args: string[], extra: string[] = []): Promise<{ code?: string; message?: string; ok: boolean; zones?: unknown }> {
  const path = join(root, `agent-${Math.random().toString(36).slice(2)}.json`)
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config))
  return new Promise((resolve) =>
    execFile('/usr/bin/python3', ['-I', AGENT_SOURCE, '--config', path, ...extra, ...args], { env: {} }, (_e, out) => resolve(JSON.parse(String(out).trim().split('\n').pop()!))).stdin!.end(),
  )
}

describe('agent.json: dns01 zones', () => {
  const state: SandboxState = { domain: 'gangway.test', ports: { ssh: 1, https: 2, http: 3, pebble: 4, pebbleMgmt: 5, dns: 6, dnsMgmt: 7 }, pids: {}, orphanSessions: [], nginx: { version: '1.22.1', http2: 'listen', http3: false }, wildcard: true }
  const cfg = sandboxAgentConfig(sandboxLayout(join(root, 'sb')), state)

  it('a dns01 zone is a wildcard zone on certbot\'s _wildcard.ZONE lineage', async () => {
    expect(await agent(cfg, ['info'])).toMatchObject({ ok: true, zones: [{ domain: 'gangway.test', certMode: 'wildcard' }] })
    const zone = cfg.zones[0]!
    const { wildcardCert: _omitted, ...derived } = zone
    expect((await agent({ ...cfg, zones: [derived] }, ['info'])).ok).toBe(true) // the lineage is implied
    expect(await agent({ ...cfg, zones: [{ ...zone, wildcardCert: { fullchain: '/tmp/x.pem', privkey: '/tmp/y.pem' } }] }, ['info'])).toMatchObject({ ok: false, message: expect.stringContaining("zones[].wildcardCert of a dns01 zone must be certbot's lineage") })
    expect(await agent({ ...cfg, zones: [{ ...zone, dns01: { provider: 'route53' as never } }] }, ['info'])).toMatchObject({ ok: false, message: expect.stringContaining('zones[].dns01 needs certMode "wildcard" and a provider') })
    expect(await agent({ ...cfg, zones: [{ ...zone, certMode: 'http01' }] }, ['info'])).toMatchObject({ ok: false, message: expect.stringContaining('zones[].dns01') })
    expect(await agent({ ...cfg, zones: [{ ...zone, dns01: { provider: 'rfc2136', propagationSeconds: 9999 } }] }, ['info'])).toMatchObject({ ok: false, message: expect.stringContaining('propagationSeconds must be 0-600') })
  })

  it('cert-issue and cert-adopt are the admin\'s: a tunnel key gets FORBIDDEN; bad flags are USAGE', async () => {
    const forced = ['--label', 'bob', '--ssh-command']
    expect(await agent(cfg, ['gangway-proxy cert-issue --zone gangway.test --provider rfc2136 --credentials-stdin'], forced)).toMatchObject({ ok: false, code: 'FORBIDDEN' })
    expect(await agent(cfg, ['gangway-proxy cert-adopt --zone gangway.test'], forced)).toMatchObject({ ok: false, code: 'FORBIDDEN' })
    expect(await agent(cfg, ['cert-issue', '--zone', 'gangway.test', '--provider', 'route53'])).toMatchObject({ ok: false, code: 'USAGE', message: expect.stringContaining("unknown DNS provider 'route53'") })
    expect(await agent(cfg, ['cert-issue', '--zone', 'gangway.test', '--provider', 'rfc2136', '--propagation-seconds', '-1'])).toMatchObject({ ok: false, code: 'USAGE' })
    expect(await agent(cfg, ['cert-issue', '--zone', 'other.test', '--provider', 'rfc2136'])).toMatchObject({ ok: false, code: 'INVALID_HOST' })
  })
})

describe("certbot's failures, told apart", () => {
  const CA = 'Certbot failed to authenticate some domains (authenticator: dns-X). The Certificate Authority reported these problems:\n  Domain: z.example\n'
  const cases: Array<[string, string, string]> = [
    ['rfc2136', "Encountered error when making query: The peer didn't like the signature we sent", 'DNS_AUTH_FAILED'],
    ['rfc2136', "Encountered error when making query: The peer didn't know the key we used", 'DNS_AUTH_FAILED'],
    ['rfc2136', 'Received response from server: REFUSED', 'DNS_ZONE_REFUSED'],
    ['rfc2136', "Unable to determine base domain for _acme-challenge.z.example using names: ['_acme-challenge.z.example', 'z.example', 'example'].", 'DNS_ZONE_REFUSED'],
    ['rfc2136', `${CA}  Type:   unauthorized\n  Detail: No TXT records found for DNS challenge`, 'DNS_PROPAGATION_TIMEOUT'],
    ['cloudflare', `${CA}  Type:   dns\n  Detail: DNS problem: NXDOMAIN looking up TXT for _acme-challenge.z.example - check that a DNS record exists for this domain`, 'DNS_PROPAGATION_TIMEOUT'],
    ['cloudflare', `${CA}  Type:   unauthorized\n  Detail: Incorrect TXT record "abc" found at _acme-challenge.z.example`, 'DNS_PROPAGATION_TIMEOUT'],
    ['cloudflare', 'Error determining zone_id: 6003 Invalid request headers. Please confirm that you have supplied valid Cloudflare API credentials.', 'DNS_AUTH_FAILED'],
    ['cloudflare', "Unable to determine zone_id for z.example using zone names: ['z.example', 'example']. Please confirm that the domain name has been entered correctly and is already associated with the supplied Cloudflare account.", 'DNS_ZONE_REFUSED'],
    ['digitalocean', 'Error finding domain using the DigitalOcean API: Unable to authenticate you', 'DNS_AUTH_FAILED'],
    ['linode', 'Error determining zone identifier for z.example: 401 Client Error: Unauthorized for url: https://api.linode.com/v4/domains.', 'DNS_AUTH_FAILED'],
    ['ovh', 'Error determining zone identifier for z.example: Domain not found.', 'DNS_ZONE_REFUSED'],
    ['rfc2136', 'Encountered error when making query: [Errno 111] Connection refused', 'CERTIFICATE_FAILED'],
    ['cloudflare', 'The requested dns-cloudflare plugin does not appear to be installed', 'CERTIFICATE_FAILED'],
    ['rfc2136', "HTTPSConnectionPool(host='127.0.0.1', port=14010): Max retries exceeded with url: /dir (Caused by SSLError(CERTIFICATE_VERIFY_FAILED))", 'CERTIFICATE_FAILED'],
  ]

  it('each message maps to the code whose hint fixes it', async () => {
    const script = `import importlib.machinery, importlib.util, json, sys
loader = importlib.machinery.SourceFileLoader("agent", sys.argv[1])
module = importlib.util.module_from_spec(importlib.util.spec_from_loader("agent", loader))
loader.exec_module(module)
print(json.dumps([module.dns_failure("z.example", p, t, True).code for p, t in json.load(sys.stdin)]))`
    const codes = await new Promise<string[]>((resolve, reject) =>
      execFile('/usr/bin/python3', ['-I', '-B', '-c', script, AGENT_SOURCE], (err, out, stderr) => (err ? reject(new Error(stderr)) : resolve(JSON.parse(String(out))))).stdin!.end(JSON.stringify(cases.map(([p, t]) => [p, t]))),
    )
    expect(cases.map(([p, t], i) => [p, t.slice(0, 60), codes[i]])).toEqual(cases.map(([p, t, code]) => [p, t.slice(0, 60), code]))
  })
})
