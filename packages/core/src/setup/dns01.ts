/**
 * `gangway setup --dns PROVIDER --dns-credentials FILE`: each zone of this run gets one
 * `*.ZONE` + `ZONE` certificate by DNS-01, obtained and renewed on the proxy by certbot's
 * DNS plugin from Debian (python3-certbot-dns-PROVIDER). The credentials file is read here,
 * checked for the keys its plugin needs (never printed: errors name keys, not values), and
 * sent on the agent's stdin over the admin login; the agent stores it root-only (0600) and
 * names it in the lineage's renewal configuration, so certbot's own timer renews it.
 *
 * Order, so a failure leaves the proxy serving what it served: agent.json keeps a zone's
 * old mode until its wildcard exists (a new zone starts as a wildcard zone: it has no
 * shares to break); after the certificate, agent.json switches the zone, then cert-adopt
 * moves the zone's existing vhosts to it and deletes their per-name certificates.
 */
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { DNS_PROVIDERS, wildcardCertPaths, type AgentZone, type DnsProvider } from '../proxy/agent-config.js'
import type { Remote } from './remote.js'

/** certbot's live dir on a proxy (agent.json certbot.liveDir). */
const LIVE_DIR = '/etc/letsencrypt/live'

export interface DnsOptions {
  /** One of DNS_PROVIDERS: certbot's dns-PROVIDER plugin. */
  provider: string
  /** The plugin's credentials file (INI; a service-account JSON for google). */
  credentialsFile: string
  /** How long the plugin waits for DNS before the CA looks. @default the plugin's own (rfc2136: 60 s) */
  propagationSeconds?: number
}

export interface ValidDns {
  provider: DnsProvider
  /** The file's text: goes to the proxy on stdin only. */
  credentials: string
  propagationSeconds: number | undefined
}

/** Keys each plugin reads (any one of the alternatives), as its docs name them. */
const REQUIRED: Record<Exclude<DnsProvider, 'google'>, string[][]> = {
  rfc2136: [['dns_rfc2136_server', 'dns_rfc2136_name', 'dns_rfc2136_secret']],
  cloudflare: [['dns_cloudflare_api_token'], ['dns_cloudflare_email', 'dns_cloudflare_api_key']],
  digitalocean: [['dns_digitalocean_token']],
  dnsimple: [['dns_dnsimple_token']],
  gandi: [['dns_gandi_api_key']],
  gehirn: [['dns_gehirn_api_token', 'dns_gehirn_api_secret']],
  linode: [['dns_linode_key']],
  ovh: [['dns_ovh_endpoint', 'dns_ovh_application_key', 'dns_ovh_application_secret', 'dns_ovh_consumer_key']],
  sakuracloud: [['dns_sakuracloud_api_token', 'dns_sakuracloud_api_secret']],
}
const TSIG_ALGORITHMS = ['HMAC-MD5', 'HMAC-SHA1', 'HMAC-SHA224', 'HMAC-SHA256', 'HMAC-SHA384', 'HMAC-SHA512']

export const dnsPackage = (provider: DnsProvider) => `python3-certbot-dns-${provider}`

/** `key = value` lines of a certbot credentials file (configobj syntax, no sections). */
function iniKeys(text: string): Map<string, string> {
  const keys = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line)
    if (m && !/^\s*[#;]/.test(line)) keys.set(m[1]!, m[2]!.replace(/^(["'])(.*)\1$/, '$2'))
  }
  return keys
}

/** Problems of `--dns*` (each names a key, never a value); the parsed options when there are none. */
export function validateDns(dns: DnsOptions | undefined, problems: string[]): ValidDns | undefined {
  if (!dns) return undefined
  const start = problems.length
  const provider = dns.provider as DnsProvider
  if (!DNS_PROVIDERS.includes(provider)) problems.push(`--dns "${dns.provider}" is not one of ${DNS_PROVIDERS.join(', ')} (certbot's DNS plugins in Debian)`)
  const seconds = dns.propagationSeconds
  if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 0 || seconds > 600)) problems.push(`--dns-propagation-seconds ${String(seconds)} is not 0-600`)
  let credentials = ''
  try {
    credentials = readFileSync(dns.credentialsFile, 'utf8')
  } catch (err) {
    problems.push(`--dns-credentials ${dns.credentialsFile}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (err as Error).message}`)
    return undefined
  }
  if (!credentials.trim() || Buffer.byteLength(credentials) > 16384) problems.push(`--dns-credentials ${dns.credentialsFile} must be a credentials file of at most 16 KiB`)
  if (provider === 'google') {
    try {
      const json = JSON.parse(credentials) as { type?: string; private_key?: string; client_email?: string }
      if (json.type !== 'service_account' || !json.private_key || !json.client_email) throw new Error()
    } catch {
      problems.push(`--dns-credentials ${dns.credentialsFile} is not a Google service account key (JSON with type "service_account")`)
    }
  } else if (DNS_PROVIDERS.includes(provider)) {
    const keys = iniKeys(credentials)
    const options = REQUIRED[provider]
    if (!options.some((set) => set.every((k) => keys.get(k)))) {
      problems.push(`--dns-credentials ${dns.credentialsFile} lacks ${options.map((set) => set.filter((k) => !keys.get(k)).join(' and ')).join(', or ')} (certbot's dns-${provider} plugin needs ${options.map((s) => s.join(' + ')).join(' or ')})`)
    }
    if (provider === 'rfc2136') {
      const server = keys.get('dns_rfc2136_server')
      if (server && !isIP(server)) problems.push(`dns_rfc2136_server in ${dns.credentialsFile} must be an IP address (the plugin does not resolve names)`)
      const port = keys.get('dns_rfc2136_port')
      if (port && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) problems.push(`dns_rfc2136_port in ${dns.credentialsFile} is not a port`)
      const secret = keys.get('dns_rfc2136_secret')
      if (secret && !/^[A-Za-z0-9+/]+={0,2}$/.test(secret)) problems.push(`dns_rfc2136_secret in ${dns.credentialsFile} is not base64 (a TSIG secret as tsig-keygen prints it)`)
      const algorithm = keys.get('dns_rfc2136_algorithm')
      if (algorithm && !TSIG_ALGORITHMS.includes(algorithm.toUpperCase())) problems.push(`dns_rfc2136_algorithm in ${dns.credentialsFile} is not one of ${TSIG_ALGORITHMS.join(', ')}`)
    }
  }
  return problems.length === start ? { provider, credentials, propagationSeconds: seconds } : undefined
}

/** The zones an installed agent.json serves, as it describes them (v1 files name one `domain`). */
export function installedZones(text: string | undefined): AgentZone[] {
  if (!text) return []
  try {
    const cfg = JSON.parse(text) as { zones?: AgentZone[]; domain?: unknown }
    const zones = cfg.zones ?? (typeof cfg.domain === 'string' ? [{ domain: cfg.domain, certMode: 'http01' as const }] : [])
    return zones.filter((z) => typeof z?.domain === 'string')
  } catch {
    return []
  }
}

export interface ZonePlan {
  domains: string[]
  /** Zones covered by a user-supplied --wildcard-cert. */
  wildcard?: { zones: string[]; fullchain: string; privkey: string }
  dns?: ValidDns
}

function dnsZone(domain: string, dns: ValidDns): AgentZone {
  return {
    domain,
    certMode: 'wildcard',
    wildcardCert: wildcardCertPaths(LIVE_DIR, domain),
    dns01: { provider: dns.provider, ...(dns.propagationSeconds === undefined ? {} : { propagationSeconds: dns.propagationSeconds }) },
  }
}

/**
 * Every zone of the proxy with its certificate mode: this run's zones first (the first is
 * the profile's), then the ones already set up, which keep the mode they have. `pending`:
 * before the wildcards exist, a zone that already serves keeps its old mode.
 */
export function planZones(o: ZonePlan, installed: AgentZone[], pending: boolean): AgentZone[] {
  const before = new Map(installed.map((z) => [z.domain, z]))
  const domains = [...new Set([...o.domains, ...before.keys()])]
  return domains.map((domain): AgentZone => {
    const old = before.get(domain)
    if (o.dns && o.domains.includes(domain)) return pending && old ? old : dnsZone(domain, o.dns)
    if (o.wildcard?.zones.includes(domain)) return { domain, certMode: 'wildcard', wildcardCert: { fullchain: o.wildcard.fullchain, privkey: o.wildcard.privkey } }
    return old ?? { domain, certMode: 'http01' }
  })
}

type Change = (text: string) => void

/**
 * For each zone of this run: the wildcard (cert-issue: a no-op while it is valid and made
 * the same way), then agent.json with the zones switched (`installZones`), then cert-adopt.
 */
export async function obtainWildcards(remote: Remote, o: { domains: string[]; dns: ValidDns }, installZones: () => Promise<void>, change: Change): Promise<void> {
  const { provider, credentials, propagationSeconds } = o.dns
  for (const zone of o.domains) {
    const args = ['--zone', zone, '--provider', provider, ...(propagationSeconds === undefined ? [] : ['--propagation-seconds', String(propagationSeconds)]), '--credentials-stdin']
    const reply = await remote.agent('cert-issue', args, credentials, (360 + (propagationSeconds ?? 120)) * 1000)
    if (reply.credentials === 'stored') change(`stored the ${provider} DNS credentials for ${zone} on the proxy (root only, mode 600)`)
    if (reply.certificate === 'issued') change(`obtained *.${zone} and ${zone} by DNS-01 (${provider}), valid until ${String(reply.expires).slice(0, 10)}; certbot renews it`)
  }
  await installZones()
  for (const zone of o.domains) {
    const adopted = await remote.agent('cert-adopt', ['--zone', zone])
    const vhosts = adopted.vhosts as string[]
    const deleted = adopted.deleted as string[]
    if (vhosts.length) change(`moved ${vhosts.length} share(s) of ${zone} to the wildcard certificate`)
    if (deleted.length) change(`deleted ${deleted.length} per-name certificate(s) of ${zone}, which certbot would renew for nothing: ${deleted.join(', ')}`)
  }
}
