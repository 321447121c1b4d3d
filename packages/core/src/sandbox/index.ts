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
import { GangwayError } from '../errors.js'
import { checkPrograms } from './binaries.js'
import { DAEMON_BINARIES, PORT_KEYS, defaultSandboxDir, readJson, sandboxDaemons, sandboxLayout, writeJson } from './layout.js'
import type { DaemonName, SandboxLayout, SandboxState } from './layout.js'
import { pickPorts, portAnswers } from './ports.js'
import { isRunning, processesIn, sshdListeners, sshdOnPort, stopProcesses } from './processes.js'
import { startPebble } from './pebble.js'
import { startNginx } from './nginx.js'
import { configuredSshPort, ensureKeys, startSshd, writeKnownHosts, writeSshdConfig } from './sshd.js'
import { installAgent, startHolds } from './agent-install.js'
import { toInfo, type SandboxInfo } from './info.js'
import { AGENT_SOURCE } from '../proxy/agent-config.js'
import { issueSandboxWildcard, startSandboxDns } from './wildcard.js'

export { defaultSandboxDir } from './layout.js'
export { SANDBOX_PROFILE, sandboxProfile } from './profile.js'
export { sandboxAgentConfig, sandboxLabel } from './agent-install.js'
export type { AgentConfig } from './agent-install.js'
export type { SandboxInfo } from './info.js'

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
 * every daemon of the sandbox that the state file does not know (a write lost to a full
 * disk, or no state file at all): pebble and nginx by their working directory, sshd by
 * its config file and its port.
 */
async function stopAll(layout: SandboxLayout, state: SandboxState | undefined): Promise<void> {
  const pids: number[] = []
  for (const name of Object.keys(DAEMON_BINARIES) as DaemonName[]) {
    const pid = state?.pids[name]
    if (isRunning(pid, DAEMON_BINARIES[name])) pids.push(pid)
  }
  pids.push(...(state?.orphanSessions ?? []).filter((pid) => isRunning(pid, 'sshd')))
  pids.push(...processesIn(layout.dir, Object.values(DAEMON_BINARIES)))
  pids.push(...sshdListeners(layout.sshdConfig))
  const sshPort = state?.ports.ssh ?? (await configuredSshPort(layout))
  if (sshPort) pids.push(...sshdOnPort(sshPort))
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
    // On a full disk this write fails too: the error to report is the first one.
    await save().catch(() => {})
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

/**
 * Stops every daemon (SIGTERM, SIGKILL after 3 s) including sshd sessions; keeps the dir.
 * Without a state file (lost, never written) the daemons are still found (stopAll).
 */
export async function sandboxDown(opts: { dir?: string } = {}): Promise<void> {
  const layout = layoutOf(opts.dir)
  const state = await readJson<SandboxState>(layout.stateFile)
  await stopAll(layout, state)
  if (!state) return
  state.pids = {}
  state.orphanSessions = []
  // Everything it named is stopped: a state file that cannot be rewritten (full disk) only
  // names dead pids, and every pid is checked against its binary before it is signalled.
  await writeJson(layout.stateFile, state).catch(() => {})
}
