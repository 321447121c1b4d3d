/**
 * A real authoritative DNS server for DNS-01: BIND 9's named (Debian's bind9), serving the
 * sandbox's zones on one address and port, with TSIG keys for dynamic updates (RFC 2136).
 * pebble resolves through it, certbot's rfc2136 plugin writes the _acme-challenge TXT
 * records into it: the path a proxy takes with its DNS provider, on loopback.
 *
 * Each zone has `@` and `*` A records to one address (a zone made with `wildcard: false`
 * lacks `*`, like a zone whose owner forgot it). Every ACME key may change only the TXT
 * records of `_acme-challenge.ZONE` of its zones, as a provider's scoped token would; the
 * admin key may change any record (tests remove records with it, through nsupdate).
 */
import { randomBytes } from 'node:crypto'
import { Resolver } from 'node:dns/promises'
import { mkdir, rm, writeFile, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { GangwayError } from '../errors.js'
import { logTail, spawnDetached, stopProcesses } from './processes.js'
import { waitUntil } from './ports.js'
import { bin } from './binaries.js'

export interface TsigKey {
  name: string
  /** As certbot's dns_rfc2136_algorithm and BIND write it. */
  algorithm: 'HMAC-SHA256'
  /** base64 */
  secret: string
}

export interface DnsZone {
  domain: string
  /** What `@` and `*` resolve to (A). */
  address: string
  /** @default true: a `*` record; false leaves it out. */
  wildcard?: boolean
}

export interface DnsServerOptions {
  /** named.conf, zone files and their journals; emptied on start. */
  dir: string
  logFile: string
  /** IPv4 address named listens on (UDP and TCP). */
  listen: string
  port: number
  zones: DnsZone[]
  /** ACME keys: each may update _acme-challenge.ZONE TXT of the zones named. */
  acmeKeys: Array<{ name: string; zones: string[] }>
}

export interface DnsServer {
  listen: string
  port: number
  pid: number
  /** The ACME keys by name. */
  keys: Record<string, TsigKey>
  /** nsupdate -k file of the admin key (0600): any record of every zone. */
  adminKeyFile: string
  stop(): Promise<void>
}

const KEY_NAME = /^[a-z0-9][a-z0-9.-]{0,62}$/

function newKey(name: string): TsigKey {
  return { name, algorithm: 'HMAC-SHA256', secret: randomBytes(32).toString('base64') }
}

const keyClause = (k: TsigKey) => `key "${k.name}" { algorithm ${k.algorithm.toLowerCase()}; secret "${k.secret}"; };\n`

function zoneFile(z: DnsZone): string {
  return `$TTL 60
@ IN SOA ns.${z.domain}. hostmaster.${z.domain}. 1 60 60 600 60
@ IN NS ns.${z.domain}.
ns IN A ${z.address}
@ IN A ${z.address}
${z.wildcard === false ? '' : `* IN A ${z.address}\n`}`
}

/** The credentials file of certbot's rfc2136 plugin for `key` at this server. */
export function rfc2136Credentials(server: { listen: string; port: number }, key: TsigKey): string {
  return `# certbot dns-rfc2136 credentials (Gangway)
dns_rfc2136_server = ${server.listen}
dns_rfc2136_port = ${server.port}
dns_rfc2136_name = ${key.name}
dns_rfc2136_secret = ${key.secret}
dns_rfc2136_algorithm = ${key.algorithm}
`
}

/** Starts named; `pids.named` is set as soon as it runs, so a caller can stop what a failed start left. */
export async function startDnsServer(o: DnsServerOptions, pids: { named?: number } = {}): Promise<DnsServer> {
  for (const k of o.acmeKeys) if (!KEY_NAME.test(k.name)) throw new Error(`bad TSIG key name ${JSON.stringify(k.name)}`)
  await rm(o.dir, { recursive: true, force: true })
  await mkdir(o.dir, { recursive: true, mode: 0o700 })
  const keys = Object.fromEntries(o.acmeKeys.map((k) => [k.name, newKey(k.name)]))
  const admin = newKey('gangway-dns-admin')
  const file = (name: string) => join(o.dir, name)
  let conf = `# Gangway: an authoritative server for DNS-01 (written on every start).
options {
  directory "${o.dir}";
  pid-file "${file('named.pid')}";
  session-keyfile "${file('session.key')}";
  managed-keys-directory "${o.dir}";
  listen-on port ${o.port} { ${o.listen}; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
  allow-transfer { none; };
};
controls { };
${Object.values(keys).map(keyClause).join('')}${keyClause(admin)}`
  for (const z of o.zones) {
    await writeFile(file(`${z.domain}.zone`), zoneFile(z))
    const grants = o.acmeKeys.filter((k) => k.zones.includes(z.domain)).map((k) => `grant ${k.name} name _acme-challenge.${z.domain}. TXT; `)
    conf += `zone "${z.domain}" { type primary; file "${file(`${z.domain}.zone`)}"; update-policy { ${grants.join('')}grant ${admin.name} zonesub ANY; }; };\n`
  }
  await writeFile(file('named.conf'), conf, { mode: 0o600 })
  const adminKeyFile = file('admin.key')
  await writeFile(adminKeyFile, keyClause(admin), { mode: 0o600 })
  await chmod(adminKeyFile, 0o600)

  // -g: foreground, log to stderr (our log file); -4: no IPv6 sockets.
  const pid = await spawnDetached(bin('named'), ['-g', '-4', '-c', file('named.conf')], { logFile: o.logFile, cwd: o.dir })
  pids.named = pid
  const stop = () => stopProcesses([pid])
  const resolver = new Resolver({ timeout: 500, tries: 1 })
  resolver.setServers([`${o.listen}:${o.port}`])
  await waitUntil('named', async () => (await resolver.resolveSoa(o.zones[0]!.domain)).serial === 1).catch(async (e: Error) => {
    await stop()
    throw new GangwayError('SANDBOX_FAILED', `${e.message}\n${logTail(o.logFile)}`, { hint: `See ${o.logFile}.` })
  })
  return { listen: o.listen, port: o.port, pid, keys, adminKeyFile, stop }
}
