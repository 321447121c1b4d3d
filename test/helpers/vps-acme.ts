/**
 * A pebble ACME CA for a test VPS (test/helpers/vps.ts): the sandbox's pebble code, bound
 * to the host's end of the VPS veth so the VPS's certbot reaches it by IP (the VPS has no
 * DNS), with every name resolving to the VPS and HTTP-01 going to its nginx on port 80.
 */
import { join } from 'node:path'
import { pickPorts, startPebbleCa, stopProcesses } from '@gangway/core/testing'
import type { Vps } from './vps.js'

export interface VpsAcme {
  directoryUrl: string
  /** pebble's listener certificate: the VPS's certbot must trust it (--acme-ca-file). */
  listenerCert: string
  /** Root of the certificates pebble issues: visitors must trust it. */
  caFile: string
  stop(): Promise<void>
}

/** `dnsServer`: resolve through a real DNS server (host:port) instead of challtestsrv (DNS-01 tests). */
export async function startVpsAcme(vps: Vps, dir: string, opts: { dnsServer?: string } = {}): Promise<VpsAcme> {
  const free = await pickPorts(['pebble', 'pebbleMgmt', 'dns', 'dnsMgmt'] as const, { udp: ['dns'] })
  const pids: { challtestsrv?: number; pebble?: number } = {}
  const stop = () => stopProcesses(Object.values(pids).filter((p): p is number => Boolean(p)))
  try {
    const ca = await startPebbleCa(
      { dir, log: (name) => join(dir, `${name}.log`), listenHost: vps.hostSideAddress, resolveTo: vps.host, ports: { ...free, http: 80, https: 443 }, dnsServer: opts.dnsServer },
      pids,
    )
    return { ...ca, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
