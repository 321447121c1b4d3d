/** What a running sandbox tells its clients (and its own helpers): ports, files, pids. */
import { userInfo } from 'node:os'
import { sandboxLabel } from './agent-install.js'
import type { SandboxLayout, SandboxState } from './layout.js'

export interface SandboxInfo {
  dir: string
  domain: string
  sshHost: '127.0.0.1'
  sshPort: number
  /** The OS user that ran sandboxUp: a non-root sshd can only log that user in. */
  user: string
  /** user@127.0.0.1:port */
  target: string
  identityFile: string
  knownHostsFile: string
  httpsPort: number
  httpPort: number
  /** pebble's root CA of this run: trust it to verify share certificates. */
  caFile: string
  /** Share hosts (NAME.domain) are not in DNS: connect here with SNI/Host set. */
  resolveTo: '127.0.0.1'
  agentConfig: string
  /** Where this sandbox's sessions bind their sockets. */
  socketDir: string
  /** The label of the sandbox's own tunnel key (the user who started it). */
  label: string
  nginxPrefix: string
  pids: Record<string, number>
  /** One `*.domain` certificate by DNS-01 (named + certbot's rfc2136 plugin) serves every share. */
  wildcard: boolean
  /** The DNS server pebble resolves through (127.0.0.1): named with --wildcard, else challtestsrv. */
  dnsPort: number
  /** With --wildcard: nsupdate -k file of named's admin key (any record of the zone). */
  dnsAdminKeyFile?: string
}

export function toInfo(layout: SandboxLayout, state: SandboxState): SandboxInfo {
  const user = userInfo().username
  return {
    dir: layout.dir,
    domain: state.domain,
    sshHost: '127.0.0.1',
    sshPort: state.ports.ssh,
    user,
    target: `${user}@127.0.0.1:${state.ports.ssh}`,
    identityFile: layout.identityFile,
    knownHostsFile: layout.knownHostsFile,
    httpsPort: state.ports.https,
    httpPort: state.ports.http,
    caFile: layout.caFile,
    resolveTo: '127.0.0.1',
    agentConfig: layout.agentConfig,
    socketDir: layout.socketDir,
    label: sandboxLabel(),
    nginxPrefix: layout.nginxPrefix,
    pids: { ...state.pids } as Record<string, number>,
    wildcard: Boolean(state.wildcard),
    dnsPort: state.ports.dns,
    ...(state.wildcard ? { dnsAdminKeyFile: layout.dnsAdminKey } : {}),
  }
}
