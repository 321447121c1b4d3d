/**
 * pebble (a throwaway ACME CA) and pebble-challtestsrv (its DNS, answering 127.0.0.1 for
 * every name). Facts from the field notes: pebble makes a new root CA and forgets every
 * account on each start, so certbot's state is wiped whenever pebble starts; its own
 * listener needs a certificate we make; with challtestsrv's default `-defaultIPv6 ::1`
 * validation fails, hence the empty value.
 */
import { request } from 'node:https'
import { readFile, writeFile, rm, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { SandboxLayout, SandboxState } from './layout.js'
import { logTail, runTool, spawnDetached } from './processes.js'
import { waitUntil, portAnswers } from './ports.js'
import { bin } from './binaries.js'

/** GET over HTTPS trusting only `ca`; resolves with status and body. */
export function httpsGet(url: string, ca: string | Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: 5000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)))
    req.on('error', reject)
    req.end()
  })
}

/** A self-signed certificate for pebble's own HTTPS listener (certbot trusts it). */
async function makeListenerCert(cert: string, key: string, ip: string): Promise<void> {
  await runTool(bin('openssl'), [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert,
    '-days', '3650', '-subj', '/CN=localhost',
    // certbot on another host reaches pebble by IP (it has no DNS): that IP must be in the SAN.
    '-addext', `subjectAltName=DNS:localhost,IP:127.0.0.1${ip === '127.0.0.1' ? '' : `,IP:${ip}`}`,
  ])
}

export function pebbleDirectoryUrl(state: Pick<SandboxState, 'ports'>): string {
  return `https://127.0.0.1:${state.ports.pebble}/dir`
}

/** A pebble ACME CA + its DNS: the sandbox's, or one for a test VPS on another address. */
export interface PebbleCaOptions {
  /** Holds pebble-config.json, listener-cert.pem/-key.pem and root-ca.pem. */
  dir: string
  /** Log file of each daemon. */
  log: (name: 'pebble' | 'challtestsrv') => string
  /** Address pebble's ACME listener binds (the listener certificate names it). */
  listenHost: string
  /** Every name resolves here for pebble's validation (challtestsrv -defaultIPv4). */
  resolveTo: string
  /** pebble/pebbleMgmt/dns/dnsMgmt: free ports; http/https: where validation connects. */
  ports: { pebble: number; pebbleMgmt: number; dns: number; dnsMgmt: number; http: number; https: number }
  /**
   * A real DNS server (`host:port`, sandbox/dns.ts) to resolve through instead of
   * challtestsrv: DNS-01 then sees what certbot's DNS plugin wrote there.
   */
  dnsServer?: string
}

export interface PebbleCa {
  directoryUrl: string
  /** Certificate of pebble's own listener: what ACME clients must trust (REQUESTS_CA_BUNDLE). */
  listenerCert: string
  /** Root CA of this run: what visitors must trust. */
  caFile: string
}

/**
 * Starts challtestsrv + pebble, waits for the ACME directory, saves the root CA. Each pid
 * goes into `pids` as soon as it exists, so a caller can stop what a failed start left.
 */
export async function startPebbleCa(o: PebbleCaOptions, pids: { challtestsrv?: number; pebble?: number } = {}): Promise<PebbleCa> {
  const { ports } = o
  const file = (name: string) => join(o.dir, name)
  const ca: PebbleCa = {
    directoryUrl: `https://${o.listenHost}:${ports.pebble}/dir`,
    listenerCert: file('listener-cert.pem'),
    caFile: file('root-ca.pem'),
  }
  await mkdir(o.dir, { recursive: true, mode: 0o755 })
  await makeListenerCert(ca.listenerCert, file('listener-key.pem'), o.listenHost)

  if (!o.dnsServer) pids.challtestsrv = await spawnDetached(
    bin('pebble-challtestsrv'),
    [
      '-dns01', `127.0.0.1:${ports.dns}`,
      '-defaultIPv4', o.resolveTo, '-defaultIPv6', '',
      '-http01', '', '-https01', '', '-tlsalpn01', '',
      '-management', `127.0.0.1:${ports.dnsMgmt}`,
    ],
    { logFile: o.log('challtestsrv'), cwd: o.dir },
  )
  if (!o.dnsServer) await waitUntil('pebble-challtestsrv', () => portAnswers(ports.dnsMgmt)).catch((e: Error) => {
    throw new Error(`${e.message}\n${logTail(o.log('challtestsrv'))}`)
  })

  await writeFile(
    file('pebble-config.json'),
    JSON.stringify(
      {
        pebble: {
          listenAddress: `${o.listenHost}:${ports.pebble}`,
          managementListenAddress: `127.0.0.1:${ports.pebbleMgmt}`,
          certificate: ca.listenerCert,
          privateKey: file('listener-key.pem'),
          httpPort: ports.http, // HTTP-01 validation goes to nginx's plain-HTTP port
          tlsPort: ports.https, // TLS-ALPN-01 is not used
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      },
      null,
      2,
    ),
  )
  pids.pebble = await spawnDetached(bin('pebble'), ['-config', file('pebble-config.json'), '-dnsserver', o.dnsServer ?? `127.0.0.1:${ports.dns}`], {
    logFile: o.log('pebble'),
    cwd: o.dir,
    // AUTHZREUSE=0: every order proves control again (pebble's default reuses half of the
    // valid authorizations), so a check of new DNS credentials really uses them.
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
  })
  const listenerCa = await readFile(ca.listenerCert)
  await waitUntil('pebble', async () => (await httpsGet(ca.directoryUrl, listenerCa)).status === 200).catch((e: Error) => {
    throw new Error(`${e.message}\n${logTail(o.log('pebble'))}`)
  })
  const root = await httpsGet(`https://127.0.0.1:${ports.pebbleMgmt}/roots/0`, listenerCa)
  if (root.status !== 200 || !root.body.includes('BEGIN CERTIFICATE')) {
    throw new Error(`pebble did not give its root CA (HTTP ${root.status})`)
  }
  await writeFile(ca.caFile, root.body)
  return ca
}

/** The sandbox's CA on loopback; certbot's state is wiped because pebble forgot it. */
export async function startPebble(layout: SandboxLayout, state: SandboxState): Promise<void> {
  // A new pebble knows no accounts and has a new root: old certbot state is useless
  // (certbot 2.1 even crashes on it) and old certificates are invalid.
  await rm(layout.certbotDir, { recursive: true, force: true })
  for (const d of [layout.certbotConfig, layout.certbotWork, layout.certbotLogs]) await mkdir(d, { recursive: true })
  const log = (name: string) => layout.log(name)
  const dnsServer = state.wildcard ? `127.0.0.1:${state.ports.dns}` : undefined // named (dns.ts) when --wildcard
  await startPebbleCa({ dir: layout.pebbleDir, log, listenHost: '127.0.0.1', resolveTo: '127.0.0.1', ports: state.ports, dnsServer }, state.pids)
}
