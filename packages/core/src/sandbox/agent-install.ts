/**
 * Installs the proxy agent into the sandbox the way `gangway setup` installs it on a VPS:
 * a copy of the script, an agent.json describing this proxy, and an authorized_keys line
 * that pins the tunnel key to "loopback remote forwards + the agent".
 */
import { copyFile, chmod, mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { SandboxLayout, SandboxState } from './layout.js'
import { nginxArgs } from './nginx.js'
import { pebbleDirectoryUrl } from './pebble.js'
import { publicKey } from './sshd.js'
import { bin } from './binaries.js'

/**
 * The agent shipped with this package. Same depth from src/sandbox/ (tests) and
 * dist/sandbox/ (published; package.json "files" includes "proxy").
 */
export const AGENT_SOURCE = fileURLToPath(new URL('../../proxy/gangway-proxy', import.meta.url))

/** Shape of agent.json, shared with the agent (packages/core/proxy/gangway-proxy). */
export interface AgentConfig {
  domain: string
  publicHttpsPort: number
  sharesDir: string
  stateDir: string
  webroot: string
  /** nginx `listen` values of the share vhosts; the agent defaults to the public port. */
  httpsListen?: string[]
  /** Plain-HTTP listens for the per-share redirect + ACME route; none by default. */
  httpListen?: string[]
  nginx: { test: string[]; reload: string[]; pidFile?: string }
  certbot: { argv: string[]; env: Record<string, string>; liveDir: string; email: string | null }
  certMode: 'http01'
}

export function sandboxAgentConfig(layout: SandboxLayout, state: SandboxState): AgentConfig {
  return {
    domain: state.domain,
    publicHttpsPort: state.ports.https,
    sharesDir: layout.sharesDir,
    stateDir: layout.agentState,
    webroot: layout.webroot,
    httpsListen: [`127.0.0.1:${state.ports.https}`],
    httpListen: [`127.0.0.1:${state.ports.http}`],
    nginx: {
      test: [bin('nginx'), ...nginxArgs(layout), '-t', '-q'],
      reload: [bin('nginx'), ...nginxArgs(layout), '-s', 'reload'],
      pidFile: layout.nginxPid,
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
    certMode: 'http01',
  }
}

/** authorized_keys: option values are double-quoted, so the paths must be plain. */
function forcedCommand(layout: SandboxLayout): string {
  for (const path of [layout.agentScript, layout.agentConfig]) {
    if (!/^\/[A-Za-z0-9._/@+=,:-]*$/.test(path)) {
      throw new Error(`sandbox path ${JSON.stringify(path)} has characters an authorized_keys command cannot carry`)
    }
  }
  return `${bin('python3')} ${layout.agentScript} --config ${layout.agentConfig}`
}

export async function installAgent(layout: SandboxLayout, state: SandboxState): Promise<void> {
  await mkdir(layout.agentState, { recursive: true })
  await copyFile(AGENT_SOURCE, layout.agentScript)
  await chmod(layout.agentScript, 0o755)
  await writeFile(layout.agentConfig, JSON.stringify(sandboxAgentConfig(layout, state), null, 2) + '\n')
  // restrict = no pty, agent/X11 forwarding or ~/.ssh/rc; then only loopback remote
  // forwards (permitlisten matches the literal "127.0.0.1", not "localhost") and the agent.
  const options = `restrict,port-forwarding,permitlisten="127.0.0.1:*",command="${forcedCommand(layout)}"`
  await writeFile(layout.authorizedKeys, `${options} ${await publicKey(layout.identityFile)} gangway-sandbox-tunnel\n`, {
    mode: 0o600,
  })
}
