/**
 * The embedded sandbox proxy: real sshd + nginx + certbot + pebble on loopback high
 * ports, in one directory, so Gangway can be tried and tested without a VPS.
 *
 *   const info = await sandboxUp()      // idempotent: returns the running one
 *   ... openTunnel({ target: info.target, identityFile: info.identityFile, ... })
 *   await sandboxDown()
 */
import { mkdir, chmod, rm, readdir } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { resolve, join } from 'node:path'
import { userInfo } from 'node:os'
import { GangwayError } from '../errors.js'
import { checkPrograms } from './binaries.js'
import { DAEMON_BINARIES, PORT_KEYS, defaultSandboxDir, readJson, sandboxDaemons, sandboxLayout, writeJson } from './layout.js'
import type { DaemonName, SandboxLayout, SandboxState } from './layout.js'
import { pickPorts, portAnswers } from './ports.js'
import { commandLine, isRunning, processesIn, stopProcesses } from './processes.js'
import { startPebble } from './pebble.js'
import { startNginx } from './nginx.js'
import { ensureKeys, sessionPids, startSshd, writeKnownHosts, writeSshdConfig } from './sshd.js'
import { installAgent, sandboxLabel, startHolds } from './agent-install.js'
import { AGENT_SOURCE } from '../proxy/agent-config.js'
import { issueSandboxWildcard, startSandboxDns } from './wildcard.js'

export { defaultSandboxDir } from './layout.js'
export { SANDBOX_PROFILE, sandboxProfile } from './profile.js'
export { AGENT_SOURCE } from '../proxy/agent-config.js'
export { sandboxAgentConfig, sandboxLabel } from './agent-install.js'
export type { AgentConfig } from './agent-install.js'
export { startPebbleCa } from './pebble.js'
export type { PebbleCa, PebbleCaOptions } from './pebble.js'
export { stopProcesses } from './processes.js'
export { pickPorts } from './ports.js'
export { startDnsServer, rfc2136Credentials } from './dns.js'
export type { DnsServer, DnsServerOptions, DnsZone, TsigKey } from './dns.js'

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

export interface SandboxOptions {
  /** @default $GANGWAY_SANDBOX_DIR or $XDG_STATE_HOME/gangway/sandbox */
  dir?: string
  /**
   * Not `*.localhost`: Vite lets every `.localhost` host through its host check, so
   * tests on it would prove nothing. @default 'gangway.test'
   */
  domain?: string
  /**
   * One `*.DOMAIN` certificate by DNS-01, as `gangway setup --dns rfc2136` gets it: BIND's
   * named serves the zone, pebble resolves through it, certbot's rfc2136 plugin updates it.
   * @default the running sandbox's kind; false for a sandbox that starts
   */
  wildcard?: boolean
}

const DEFAULT_DOMAIN = 'gangway.test'
const DOMAIN_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/

function layoutOf(dir: string | undefined): SandboxLayout {
  return sandboxLayout(resolve(dir ?? defaultSandboxDir()))
}

function toInfo(layout: SandboxLayout, state: SandboxState): SandboxInfo {
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

/** Every daemon runs (the binary we started, not a reused pid) and its port answers. */
async function isLive(state: SandboxState | undefined): Promise<boolean> {
  if (!state) return false
  for (const name of sandboxDaemons(state)) {
    if (!isRunning(state.pids[name], DAEMON_BINARIES[name])) return false
  }
  const ports = [state.ports.ssh, state.ports.https, state.ports.http, state.ports.pebble, state.wildcard ? state.ports.dns : state.ports.dnsMgmt]
  return (await Promise.all(ports.map((p) => portAnswers(p)))).every(Boolean)
}

/** A sandbox started by another version of Gangway runs another agent: start it again. */
function agentIsCurrent(layout: SandboxLayout): boolean {
  try {
    return readFileSync(layout.agentScript, 'utf8') === readFileSync(AGENT_SOURCE, 'utf8')
  } catch {
    return false
  }
}

/**
 * Our recorded daemons (and their children), sshd sessions orphaned by a restart, and
 * any daemon running in the sandbox dir that the state file does not know (a write lost).
 */
async function stopAll(layout: SandboxLayout, state: SandboxState): Promise<void> {
  const pids: number[] = []
  for (const name of Object.keys(DAEMON_BINARIES) as DaemonName[]) {
    const pid = state.pids[name]
    if (isRunning(pid, DAEMON_BINARIES[name])) pids.push(pid)
  }
  pids.push(...state.orphanSessions.filter((pid) => isRunning(pid, 'sshd')))
  pids.push(...processesIn(layout.dir, Object.values(DAEMON_BINARIES)))
  await stopProcesses([...new Set(pids)])
}

/** Vhosts and share records of an earlier run point at certificates of a dead pebble. */
async function clearShares(layout: SandboxLayout): Promise<void> {
  for (const d of [layout.sharesDir, join(layout.agentState, 'shares'), join(layout.agentState, 'auth'), layout.socketDir, layout.liveSocketDir]) {
    const entries = await readdir(d).catch(() => [] as string[])
    await Promise.all(entries.map((e) => rm(join(d, e), { force: true })))
  }
}

export async function sandboxStatus(opts: { dir?: string } = {}): Promise<SandboxInfo | undefined> {
  const layout = layoutOf(opts.dir)
  const state = await readJson<SandboxState>(layout.stateFile)
  return state && (await isLive(state)) ? toInfo(layout, state) : undefined
}

export async function sandboxUp(opts: SandboxOptions = {}): Promise<SandboxInfo> {
  const layout = layoutOf(opts.dir)
  const previous = await readJson<SandboxState>(layout.stateFile)
  const sameKind = opts.wildcard === undefined || opts.wildcard === Boolean(previous?.wildcard)
  if (previous && (!opts.domain || opts.domain === previous.domain) && sameKind && (await isLive(previous)) && agentIsCurrent(layout)) {
    return toInfo(layout, previous)
  }
  const domain = opts.domain ?? previous?.domain ?? DEFAULT_DOMAIN
  const wildcard = opts.wildcard ?? false
  if (!DOMAIN_RE.test(domain)) {
    throw new GangwayError('CONFIG_INVALID', `sandbox domain ${JSON.stringify(domain)} is not a lowercase DNS name`, {
      hint: `Use a name like ${DEFAULT_DOMAIN}.`,
    })
  }
  checkPrograms({ wildcard })
  if (previous) await stopAll(layout, previous) // a half-dead earlier run

  await mkdir(layout.logs, { recursive: true })
  await chmod(layout.dir, 0o755)
  const state: SandboxState = {
    domain,
    ports: await pickPorts(PORT_KEYS, { udp: ['dns'], previous: previous?.ports }),
    pids: {},
    orphanSessions: [],
    wildcard,
  }
  const save = () => writeJson(layout.stateFile, state)
  try {
    await clearShares(layout)
    const acmeKey = wildcard ? await startSandboxDns(layout, state) : undefined
    await startPebble(layout, state)
    await save()
    await startNginx(layout, state)
    await save()
    await ensureKeys(layout)
    await writeSshdConfig(layout, state)
    await installAgent(layout, state)
    await startHolds(layout, state)
    await save()
    if (acmeKey) await issueSandboxWildcard(layout, state, acmeKey)
    await writeKnownHosts(layout, state)
    await startSshd(layout, state)
    await save()
  } catch (error) {
    await stopAll(layout, state)
    state.pids = {}
    await save()
    if (error instanceof GangwayError) throw error
    throw new GangwayError('SANDBOX_FAILED', `sandbox did not start: ${(error as Error).message}`, {
      hint: `See the logs in ${layout.logs}.`,
      cause: error,
    })
  }
  const info = toInfo(layout, state)
  await writeJson(layout.infoFile, info)
  return info
}

/** Stops every daemon (SIGTERM, SIGKILL after 3 s) including sshd sessions; keeps the dir. */
export async function sandboxDown(opts: { dir?: string } = {}): Promise<void> {
  const layout = layoutOf(opts.dir)
  const state = await readJson<SandboxState>(layout.stateFile)
  if (!state) return
  await stopAll(layout, state)
  state.pids = {}
  state.orphanSessions = []
  await writeJson(layout.stateFile, state)
}

/**
 * Restarts the hold store (held requests stay on disk: the proxy restarted while holding).
 * `wrap` runs it under another program, e.g. faketime, for tests of received times.
 */
export async function restartHolds(info: SandboxInfo, opts: { wrap?: string[] } = {}): Promise<SandboxInfo> {
  const layout = sandboxLayout(info.dir)
  const state = await readJson<SandboxState>(layout.stateFile)
  if (!state) throw new GangwayError('SANDBOX_FAILED', `no sandbox state in ${info.dir}`, { hint: 'Run sandboxUp first.' })
  // The store's process, and a wrapper around it (faketime forks): found by their command line.
  await stopProcesses(processesIn(layout.dir, ['python3', 'faketime']).filter((pid) => commandLine(pid).includes('hold-daemon')))
  await startHolds(layout, state, opts.wrap)
  await writeJson(layout.stateFile, state).catch(() => {})
  return toInfo(layout, state)
}

/** The current listener pid: restartSshd changes it, and callers may hold an older info. */
function currentSshdPid(info: SandboxInfo): number | undefined {
  try {
    const state = JSON.parse(readFileSync(sandboxLayout(info.dir).stateFile, 'utf8')) as SandboxState
    return state.pids.sshd
  } catch {
    return info.pids.sshd
  }
}

/** The per-connection sshd processes (children of the listener, found through /proc). */
export function sshdSessionPids(info: SandboxInfo): number[] {
  return sessionPids(currentSshdPid(info))
}

/**
 * Restarts the sshd listener on the same port. With `killSessions: false` the live
 * sessions (and their forwarded ports) survive, as with `systemctl restart ssh`; with
 * `true` they end, as on a reboot. Returns the info with the new pid.
 */
export async function restartSshd(info: SandboxInfo, opts: { killSessions: boolean }): Promise<SandboxInfo> {
  const layout = sandboxLayout(info.dir)
  const state = await readJson<SandboxState>(layout.stateFile)
  if (!state) throw new GangwayError('SANDBOX_FAILED', `no sandbox state in ${info.dir}`, { hint: 'Run sandboxUp first.' })
  const listener = state.pids.sshd
  const sessions = sessionPids(listener)
  await stopProcesses(isRunning(listener, 'sshd') ? [listener] : [], { withDescendants: false })
  if (opts.killSessions) await stopProcesses(sessions)
  else state.orphanSessions = [...new Set([...state.orphanSessions, ...sessions])]
  await startSshd(layout, state)
  const next = toInfo(layout, state)
  // A full disk must not stop the restart: sandboxDown also finds daemons by their cwd.
  await writeJson(layout.stateFile, state).catch(() => {})
  await writeJson(layout.infoFile, next).catch(() => {})
  return next
}
