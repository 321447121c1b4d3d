/**
 * `sandbox up --wildcard`: the production DNS-01 path on loopback. BIND's named is the
 * sandbox zone's authority (pebble resolves through it instead of challtestsrv), and the
 * agent obtains `*.DOMAIN` + `DOMAIN` with certbot's rfc2136 plugin and a TSIG key, from
 * credentials on its stdin — the same verb `gangway setup --dns rfc2136` runs on a proxy.
 */
import type { SandboxLayout, SandboxState } from './layout.js'
import { rfc2136Credentials, startDnsServer, type TsigKey } from './dns.js'
import { runSandboxAgent } from './agent-install.js'

/** The TSIG key certbot updates the sandbox zone with. */
export const SANDBOX_ACME_KEY = 'gangway-acme'

/** named on 127.0.0.1:ports.dns with the sandbox zone; returns the ACME key. */
export async function startSandboxDns(layout: SandboxLayout, state: SandboxState): Promise<TsigKey> {
  const server = await startDnsServer(
    {
      dir: layout.dnsDir,
      logFile: layout.log('named'),
      listen: '127.0.0.1',
      port: state.ports.dns,
      zones: [{ domain: state.domain, address: '127.0.0.1' }],
      acmeKeys: [{ name: SANDBOX_ACME_KEY, zones: [state.domain] }],
    },
    state.pids,
  )
  return server.keys[SANDBOX_ACME_KEY]!
}

/** The credentials file a user of the sandbox would hand to `gangway setup --dns rfc2136`. */
export function sandboxCredentials(state: SandboxState, key: TsigKey): string {
  return rfc2136Credentials({ listen: '127.0.0.1', port: state.ports.dns }, key)
}

/** The wildcard, through the agent's cert-issue verb (credentials on stdin, stored 0600). */
export async function issueSandboxWildcard(layout: SandboxLayout, state: SandboxState, key: TsigKey): Promise<void> {
  await runSandboxAgent(layout, 'cert-issue', ['--zone', state.domain, '--provider', 'rfc2136', '--propagation-seconds', '0', '--credentials-stdin'], sandboxCredentials(state, key))
}
