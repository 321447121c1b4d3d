/**
 * Where everything of one sandbox lives inside its directory, and its state file.
 * One place for paths, so the daemons' configs, agent.json and sandboxDown agree.
 */
import { join } from 'node:path'
import { homedir } from 'node:os'
import { readFile, writeFile, rename, rm } from 'node:fs/promises'
import type { NginxFeatures } from '../proxy/nginx-base.js'

export type PortKey = 'ssh' | 'https' | 'http' | 'pebble' | 'pebbleMgmt' | 'dns' | 'dnsMgmt'
export const PORT_KEYS: readonly PortKey[] = ['ssh', 'https', 'http', 'pebble', 'pebbleMgmt', 'dns', 'dnsMgmt']

/** The binary each recorded pid must run; checked before any signal is sent. */
export const DAEMON_BINARIES = {
  challtestsrv: 'pebble-challtestsrv',
  /** The zone's DNS server of a --wildcard sandbox (which runs no challtestsrv). */
  named: 'named',
  pebble: 'pebble',
  nginx: 'nginx',
  sshd: 'sshd',
  holds: 'python3',
} as const
export type DaemonName = keyof typeof DAEMON_BINARIES

/** Written to dir/state.json: what sandboxDown and the idempotency check need. */
export interface SandboxState {
  domain: string
  ports: Record<PortKey, number>
  pids: Partial<Record<DaemonName, number>>
  /** sshd sessions left running by restartSshd({ killSessions: false }); killed on down. */
  orphanSessions: number[]
  /** What the sandbox's nginx can do (nginx -V), for its vhosts. */
  nginx?: NginxFeatures
  /** One *.DOMAIN certificate by DNS-01 (named + certbot's rfc2136 plugin) instead of one per name. */
  wildcard?: boolean
}

/** The daemons a sandbox of this kind runs. */
export function sandboxDaemons(state: Pick<SandboxState, 'wildcard'>): DaemonName[] {
  return (Object.keys(DAEMON_BINARIES) as DaemonName[]).filter((d) => d !== (state.wildcard ? 'challtestsrv' : 'named'))
}

export function defaultSandboxDir(): string {
  if (process.env.GANGWAY_SANDBOX_DIR) return process.env.GANGWAY_SANDBOX_DIR
  const state = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state')
  return join(state, 'gangway', 'sandbox')
}

export function sandboxLayout(dir: string) {
  const ssh = join(dir, 'ssh')
  const nginx = join(dir, 'nginx')
  const certbot = join(dir, 'certbot')
  return {
    dir,
    stateFile: join(dir, 'state.json'),
    infoFile: join(dir, 'sandbox.json'),
    logs: join(dir, 'logs'),
    log: (name: string) => join(dir, 'logs', `${name}.log`),
    // pebble + its DNS
    pebbleDir: join(dir, 'pebble'),
    pebbleConfig: join(dir, 'pebble', 'pebble-config.json'),
    pebbleListenerCert: join(dir, 'pebble', 'listener-cert.pem'),
    pebbleListenerKey: join(dir, 'pebble', 'listener-key.pem'),
    caFile: join(dir, 'pebble', 'root-ca.pem'),
    // named of a --wildcard sandbox: the zone's authority, TSIG dynamic updates
    dnsDir: join(dir, 'dns'),
    dnsAdminKey: join(dir, 'dns', 'admin.key'),
    // nginx
    nginxPrefix: nginx,
    nginxConf: join(nginx, 'nginx.conf'),
    nginxPid: join(nginx, 'nginx.pid'),
    nginxErrorLog: join(nginx, 'error.log'),
    nginxTemp: join(nginx, 'temp'),
    nginxTls: join(nginx, 'gangway-tls.conf'),
    sharesDir: join(nginx, 'shares'),
    webroot: join(dir, 'acme-webroot'),
    // certbot (recreated on every pebble start)
    certbotDir: certbot,
    certbotConfig: join(certbot, 'config'),
    certbotWork: join(certbot, 'work'),
    certbotLogs: join(certbot, 'logs'),
    liveDir: join(certbot, 'config', 'live'),
    // sshd and the client's key material
    sshDir: ssh,
    sshdConfig: join(ssh, 'sshd_config'),
    sshdPid: join(ssh, 'sshd.pid'),
    hostKey: join(ssh, 'ssh_host_ed25519_key'),
    authorizedKeys: join(ssh, 'authorized_keys'),
    identityFile: join(ssh, 'id_ed25519'),
    knownHostsFile: join(ssh, 'known_hosts'),
    // the agent, installed like `gangway setup` installs it on a VPS
    agentScript: join(dir, 'agent', 'gangway-proxy'),
    agentConfig: join(dir, 'agent', 'agent.json'),
    agentState: join(dir, 'agent', 'state'),
    // forwarded sockets: bound by sessions in socketDir, moved by the agent to liveSocketDir
    socketDir: join(dir, 'agent', 'in'),
    liveSocketDir: join(dir, 'agent', 'live'),
    // the hold store: webhooks kept while a share is offline
    holdSocket: join(dir, 'agent', 'holds.sock'),
    holdDir: join(dir, 'agent', 'held'),
    // the DNS provider's credentials of dns01 zones, as /etc/gangway/dns on a proxy
    dnsCredentialsDir: join(dir, 'agent', 'dns'),
  }
}
export type SandboxLayout = ReturnType<typeof sandboxLayout>

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T
  } catch {
    return undefined
  }
}

/** Write-then-rename so a crash never leaves half a state file (nor a full disk a stray temp file). */
export async function writeJson(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`
  try {
    await writeFile(tmp, JSON.stringify(value, null, 2) + '\n')
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}
