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
import { PLAIN_PATH, renderAgentConfig, tunnelKeyLine, type AgentConfig } from '../proxy/agent-config.js'

export type { AgentConfig }

/**
 * The agent shipped with this package. Same depth from src/sandbox/ (tests) and
 * dist/sandbox/ (published; package.json "files" includes "proxy").
 */
export const AGENT_SOURCE = fileURLToPath(new URL('../../proxy/gangway-proxy', import.meta.url))

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
    if (!PLAIN_PATH.test(path)) {
      throw new Error(`sandbox path ${JSON.stringify(path)} has characters an authorized_keys command cannot carry`)
    }
  }
  return `${bin('python3')} ${layout.agentScript} --config ${layout.agentConfig}`
}

export async function installAgent(layout: SandboxLayout, state: SandboxState): Promise<void> {
  await mkdir(layout.agentState, { recursive: true })
  await copyFile(AGENT_SOURCE, layout.agentScript)
  await chmod(layout.agentScript, 0o755)
  await writeFile(layout.agentConfig, renderAgentConfig(sandboxAgentConfig(layout, state)))
  const line = tunnelKeyLine(forcedCommand(layout), await publicKey(layout.identityFile), 'gangway-sandbox-tunnel')
  await writeFile(layout.authorizedKeys, line, { mode: 0o600 })
}
