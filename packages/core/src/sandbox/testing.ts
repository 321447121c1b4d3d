/**
 * Test fixtures: restart the sandbox's sshd (with or without its sessions), list the
 * sessions, the parts the VPS tests build their own CA from, and a visitor's request
 * (visitUrl, core's own, behind checkPublicUrl). Workspace-only
 * (`@gangway/core/testing` is not in the published package's exports): fault tests and the
 * bench use them, users do not.
 */
import { readFileSync } from 'node:fs'
import { GangwayError } from '../errors.js'
import { toInfo, type SandboxInfo } from './info.js'
import { readJson, sandboxLayout, writeJson, type SandboxState } from './layout.js'
import { commandLine, isRunning, processesIn, sshdListeners, sshdOnPort, stopProcesses } from './processes.js'
import { sessionPids, startSshd } from './sshd.js'
import { startHolds } from './agent-install.js'

export { visitUrl, type Visit, type VisitOptions } from '../http/check-url.js'
export { startPebbleCa } from './pebble.js'
export { startDnsServer, rfc2136Credentials } from './dns.js'
export type { DnsServer, DnsServerOptions, DnsZone, TsigKey } from './dns.js'
export type { PebbleCa, PebbleCaOptions } from './pebble.js'
export { isRunning, sshdOnPort, stopProcesses } from './processes.js'
export { pickPorts } from './ports.js'

/**
 * The running listener: the recorded one, else the one started with this sandbox's config
 * (after a restart whose state write was lost to a full disk). Callers may hold an older info.
 */
function currentListener(dir: string, state: SandboxState | undefined): number | undefined {
  const recorded = state?.pids.sshd
  if (isRunning(recorded, 'sshd')) return recorded
  return sshdListeners(sandboxLayout(dir).sshdConfig)[0]
}

function readState(dir: string): SandboxState | undefined {
  try {
    return JSON.parse(readFileSync(sandboxLayout(dir).stateFile, 'utf8')) as SandboxState
  } catch {
    return undefined
  }
}

/** The per-connection sshd processes of the current listener (found through /proc). */
export function sshdSessionPids(info: SandboxInfo): number[] {
  return sessionPids(currentListener(info.dir, readState(info.dir)) ?? info.pids.sshd)
}

/**
 * Restarts the sshd listener on the same port. With `killSessions: false` the live
 * sessions (and their forwarded ports) survive, as with `systemctl restart ssh`; with
 * `true` every session of the sandbox ends, as on a reboot: the listener's, and those an
 * earlier `killSessions: false` restart left behind. Returns the info with the new pid.
 */
export async function restartSshd(info: SandboxInfo, opts: { killSessions: boolean }): Promise<SandboxInfo> {
  const layout = sandboxLayout(info.dir)
  const state = await readJson<SandboxState>(layout.stateFile)
  if (!state) throw new GangwayError('SANDBOX_FAILED', `no sandbox state in ${info.dir}`, { hint: 'Run sandboxUp first.' })
  const listener = currentListener(info.dir, state)
  const sessions = sessionPids(listener)
  await stopProcesses(listener ? [listener] : [], { withDescendants: false })
  if (opts.killSessions) {
    // Orphans are no listener's children: found by the record and by the port they hold.
    const orphans = state.orphanSessions.filter((pid) => isRunning(pid, 'sshd'))
    await stopProcesses([...new Set([...sessions, ...orphans, ...sshdOnPort(state.ports.ssh)])])
    state.orphanSessions = []
  } else state.orphanSessions = [...new Set([...state.orphanSessions, ...sessions])]
  await startSshd(layout, state)
  const next = toInfo(layout, state)
  // A full disk must not stop the restart: sandboxDown finds the daemons without the file.
  await writeJson(layout.stateFile, state).catch(() => {})
  await writeJson(layout.infoFile, next).catch(() => {})
  return next
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
