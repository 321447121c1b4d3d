/**
 * pebble (a throwaway ACME CA) and pebble-challtestsrv (its DNS, answering 127.0.0.1 for
 * every name). Facts from the field notes: pebble makes a new root CA and forgets every
 * account on each start, so certbot's state is wiped whenever pebble starts; its own
 * listener needs a certificate we make; with challtestsrv's default `-defaultIPv6 ::1`
 * validation fails, hence the empty value.
 */
import { request } from 'node:https'
import { readFile, writeFile, rm, mkdir } from 'node:fs/promises'
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
async function makeListenerCert(layout: SandboxLayout): Promise<void> {
  await runTool(bin('openssl'), [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', layout.pebbleListenerKey, '-out', layout.pebbleListenerCert,
    '-days', '3650', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ])
}

export function pebbleDirectoryUrl(state: Pick<SandboxState, 'ports'>): string {
  return `https://127.0.0.1:${state.ports.pebble}/dir`
}

/** Starts challtestsrv + pebble, waits for the ACME directory, saves the root CA. */
export async function startPebble(layout: SandboxLayout, state: SandboxState): Promise<void> {
  const { ports } = state
  await mkdir(layout.pebbleDir, { recursive: true, mode: 0o755 })
  await makeListenerCert(layout)

  state.pids.challtestsrv = await spawnDetached(
    bin('pebble-challtestsrv'),
    [
      '-dns01', `127.0.0.1:${ports.dns}`,
      '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '',
      '-http01', '', '-https01', '', '-tlsalpn01', '',
      '-management', `127.0.0.1:${ports.dnsMgmt}`,
    ],
    { logFile: layout.log('challtestsrv') },
  )
  await waitUntil('pebble-challtestsrv', () => portAnswers(ports.dnsMgmt)).catch((e: Error) => {
    throw new Error(`${e.message}\n${logTail(layout.log('challtestsrv'))}`)
  })

  await writeFile(
    layout.pebbleConfig,
    JSON.stringify(
      {
        pebble: {
          listenAddress: `127.0.0.1:${ports.pebble}`,
          managementListenAddress: `127.0.0.1:${ports.pebbleMgmt}`,
          certificate: layout.pebbleListenerCert,
          privateKey: layout.pebbleListenerKey,
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
  // A new pebble knows no accounts and has a new root: old certbot state is useless
  // (certbot 2.1 even crashes on it) and old certificates are invalid.
  await rm(layout.certbotDir, { recursive: true, force: true })
  for (const d of [layout.certbotConfig, layout.certbotWork, layout.certbotLogs]) await mkdir(d, { recursive: true })

  state.pids.pebble = await spawnDetached(bin('pebble'), ['-config', layout.pebbleConfig, '-dnsserver', `127.0.0.1:${ports.dns}`], {
    logFile: layout.log('pebble'),
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
  })
  const listenerCa = await readFile(layout.pebbleListenerCert)
  await waitUntil('pebble', async () => (await httpsGet(pebbleDirectoryUrl(state), listenerCa)).status === 200).catch(
    (e: Error) => {
      throw new Error(`${e.message}\n${logTail(layout.log('pebble'))}`)
    },
  )
  const root = await httpsGet(`https://127.0.0.1:${ports.pebbleMgmt}/roots/0`, listenerCa)
  if (root.status !== 200 || !root.body.includes('BEGIN CERTIFICATE')) {
    throw new Error(`pebble did not give its root CA (HTTP ${root.status})`)
  }
  await writeFile(layout.caFile, root.body)
}
