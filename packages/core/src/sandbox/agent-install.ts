/**
 * Installs the proxy agent into the sandbox the way `gangway setup` installs it on a VPS:
 * a copy of the script, an agent.json describing this proxy, and the sandbox's own tunnel
 * key registered with the agent, which renders the authorized_keys line that pins it to
 * "remote socket forwards + the agent, as label L".
 */
import { copyFile, chmod, mkdir, writeFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { connect } from 'node:net'
import { logTail, spawnDetached } from './processes.js'
import { waitUntil } from './ports.js'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import type { SandboxLayout, SandboxState } from './layout.js'
import { nginxArgs } from './nginx.js'
import { pebbleDirectoryUrl } from './pebble.js'
import { publicKey } from './sshd.js'
import { bin } from './binaries.js'
import { AGENT_SOURCE, PLAIN_PATH, renderAgentConfig, toLabel, wildcardCertPaths, type AgentConfig, type AgentZone } from '../proxy/agent-config.js'
import { RENEWAL_HOOK_NAME, renderRenewalHooks } from '../proxy/renewal-hooks.js'
import { agentReply, type AgentReply } from '../ssh/exec.js'

export type { AgentConfig }

/** The label of the sandbox's own tunnel key: the user who started it. */
export function sandboxLabel(): string {
  return toLabel(userInfo().username)
}

/** authorized_keys option values are double-quoted, so the paths must be plain. */
function tunnelCommand(layout: SandboxLayout): string {
  for (const path of [layout.agentScript, layout.agentConfig]) {
    if (!PLAIN_PATH.test(path)) {
      throw new Error(`sandbox path ${JSON.stringify(path)} has characters an authorized_keys command cannot carry`)
    }
  }
  return `${bin('python3')} -I ${layout.agentScript} --config ${layout.agentConfig} --label`
}

export function sandboxAgentConfig(layout: SandboxLayout, state: SandboxState): AgentConfig {
  // --wildcard: as `gangway setup --dns rfc2136` configures a zone (named answers at once: no wait).
  const zone: AgentZone = state.wildcard
    ? { domain: state.domain, certMode: 'wildcard', wildcardCert: wildcardCertPaths(layout.liveDir, state.domain), dns01: { provider: 'rfc2136', propagationSeconds: 0 } }
    : { domain: state.domain, certMode: 'http01' }
  return {
    zones: [zone],
    publicPort: state.ports.https,
    sharesDir: layout.sharesDir,
    stateDir: layout.agentState,
    webroot: layout.webroot,
    socketDir: layout.socketDir,
    liveDir: layout.liveSocketDir,
    authorizedKeys: layout.authorizedKeys,
    dnsCredentialsDir: layout.dnsCredentialsDir,
    tunnelCommand: tunnelCommand(layout),
    adminUid: process.getuid?.() ?? 0,
    httpsListen: [`127.0.0.1:${state.ports.https}`],
    httpListen: [`127.0.0.1:${state.ports.http}`],
    nginx: {
      test: [bin('nginx'), ...nginxArgs(layout), '-t', '-q'],
      reload: [bin('nginx'), ...nginxArgs(layout), '-s', 'reload'],
      pidFile: layout.nginxPid,
      tlsInclude: layout.nginxTls,
      http2: state.nginx!.http2,
      http3: state.nginx!.http3,
    },
    certbot: {
      argv: [
        bin('certbot'),
        '--config-dir', layout.certbotConfig,
        '--work-dir', layout.certbotWork,
        '--logs-dir', layout.certbotLogs,
        '--server', pebbleDirectoryUrl(state),
      ],
      // certbot talks to pebble's listener, whose certificate we made.
      env: { REQUESTS_CA_BUNDLE: layout.pebbleListenerCert },
      liveDir: layout.liveDir,
      email: null,
    },
    authGroup: null,
    // pebble has no rate limits to protect: the limits of a real proxy would only get in
    // the way of trying things (tests of the limits set their own).
    limits: { namesPerLabel: 1000, certsPerWeek: 10_000, reloadsPer10Min: 10_000 },
    sshd: { pidFile: layout.sshdPid, tunnelUser: userInfo().username },
    hold: { socket: layout.holdSocket, dir: layout.holdDir },
  }
}

/** The hold store: keeps webhooks for offline shares (a daemon of the agent itself). */
export async function startHolds(layout: SandboxLayout, state: SandboxState, wrap: string[] = []): Promise<void> {
  const argv = [...wrap, bin('python3'), '-I', layout.agentScript, '--config', layout.agentConfig, 'hold-daemon']
  state.pids.holds = await spawnDetached(argv[0]!, argv.slice(1), { logFile: layout.log('holds'), cwd: layout.dir })
  await waitUntil('the hold store', () => socketAnswers(layout.holdSocket)).catch((e: Error) => {
    throw new Error(`${e.message}\n${logTail(layout.log('holds'))}`)
  })
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path)
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })
}

/** The sandbox's admin: the agent run directly, as the sandbox's user (no label). */
export function runSandboxAgent(layout: SandboxLayout, verb: string, args: string[] = [], input?: string): Promise<AgentReply> {
  return new Promise((resolve, reject) => {
    const child = execFile(bin('python3'), ['-I', layout.agentScript, '--config', layout.agentConfig, verb, ...args], { env: {}, timeout: 120_000 },
      (error, stdout, stderr) => {
        try {
          resolve(agentReply(verb, { code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }))
        } catch (err) {
          reject(err)
        }
      })
    child.stdin!.end(input)
  })
}

export async function installAgent(layout: SandboxLayout, state: SandboxState): Promise<void> {
  await mkdir(layout.agentState, { recursive: true })
  // Sessions bind in socketDir; only the agent writes liveDir. Nobody else enters either.
  for (const dir of [layout.socketDir, layout.liveSocketDir]) {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await chmod(dir, 0o700)
  }
  await copyFile(AGENT_SOURCE, layout.agentScript)
  await chmod(layout.agentScript, 0o755)
  const config = sandboxAgentConfig(layout, state)
  await writeFile(layout.agentConfig, renderAgentConfig(config))
  // certbot renew in the sandbox reloads its nginx once, as on a proxy (certbot's dir is new on every start).
  const hooks = renderRenewalHooks({ nginxTest: config.nginx.test, nginxReload: config.nginx.reload, marker: join(layout.agentState, 'renewed') })
  for (const kind of ['deploy', 'post'] as const) {
    await mkdir(join(layout.certbotConfig, 'renewal-hooks', kind), { recursive: true })
    await writeFile(join(layout.certbotConfig, 'renewal-hooks', kind, RENEWAL_HOOK_NAME), hooks[kind], { mode: 0o755 })
  }
  await runSandboxAgent(layout, 'key-add', ['--label', sandboxLabel(), '--comment', 'gangway-sandbox-tunnel'], `${await publicKey(layout.identityFile)}\n`)
}
