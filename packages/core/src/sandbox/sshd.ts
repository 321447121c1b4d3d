/**
 * OpenSSH sshd for the sandbox, on 127.0.0.1 with its own config, host key and
 * authorized_keys. Logins are for the current OS user only (a non-root sshd cannot switch
 * users); the tunnel key can only open loopback remote forwards and run the agent.
 */
import { mkdir, readFile, writeFile, access } from 'node:fs/promises'
import { connect } from 'node:net'
import { userInfo } from 'node:os'
import type { SandboxLayout, SandboxState } from './layout.js'
import { descendants, isRunning, logTail, runTool, spawnDetached } from './processes.js'
import { waitUntil } from './ports.js'
import { bin } from './binaries.js'
import { tunnelSshdLines } from '../proxy/sshd-tunnel.js'

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  )
}

/**
 * Host key and tunnel key are kept across restarts: a stable host key keeps the user's
 * known_hosts valid, a stable tunnel key keeps their profile valid.
 */
export async function ensureKeys(layout: SandboxLayout): Promise<void> {
  await mkdir(layout.sshDir, { recursive: true, mode: 0o700 })
  for (const [file, comment] of [
    [layout.hostKey, 'gangway-sandbox-host'],
    [layout.identityFile, 'gangway-sandbox-tunnel'],
  ] as const) {
    if (!(await exists(file))) await runTool(bin('ssh-keygen'), ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file])
  }
}

/** "ssh-ed25519 AAAA..." without the comment. */
export async function publicKey(privateKeyFile: string): Promise<string> {
  const [type, blob] = (await readFile(`${privateKeyFile}.pub`, 'utf8')).trim().split(/\s+/)
  return `${type} ${blob}`
}

export async function writeKnownHosts(layout: SandboxLayout, state: SandboxState): Promise<void> {
  // Non-22 ports are written "[host]:port"; the client connects to host '127.0.0.1'.
  await writeFile(layout.knownHostsFile, `[127.0.0.1]:${state.ports.ssh} ${await publicKey(layout.hostKey)}\n`)
}

export async function writeSshdConfig(layout: SandboxLayout, state: SandboxState): Promise<void> {
  const conf = `# Gangway sandbox sshd: written by sandboxUp.
Port ${state.ports.ssh}
ListenAddress 127.0.0.1
HostKey ${layout.hostKey}
PidFile ${layout.sshdPid}
AuthorizedKeysFile ${layout.authorizedKeys}
AuthenticationMethods publickey
PubkeyAuthentication yes
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
# the sandbox dir may be group/world-readable (nginx workers need the webroot)
StrictModes no
PermitRootLogin prohibit-password
AllowUsers ${userInfo().username}
${tunnelSshdLines()}
PermitUserEnvironment no
PrintMotd no
UseDNS no
# sshd runs the forced command through the login shell; Debian's bash then sources
# ~/.bashrc for ssh sessions unless SHLVL is already set (a slow rc, like pyenv's, would
# add seconds to every share-up). The tunnel account of a real proxy has no such rc.
SetEnv SHLVL=1
# A frozen client (laptop asleep, process stopped) is dropped after ~3 s (measured here:
# sshd gives up after about (2 × CountMax + 1) × Interval), so visitors get the offline page.
ClientAliveInterval 1
ClientAliveCountMax 1
# Many shares reconnect at once after a network blip.
MaxStartups 200:30:400
MaxSessions 200
LogLevel VERBOSE
`
  await writeFile(layout.sshdConfig, conf)
}

/**
 * Waits until sshd sends its "SSH-2.0-" banner, then hangs up and waits for sshd to hang
 * up too: the child it forked for this probe is gone then, so it is never counted as a
 * session of the fresh listener (sshdSessionPids right after a restart).
 */
function bannerArrives(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    let ok = false
    const done = () => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, done)
    socket.once('data', (data) => {
      ok = data.toString('latin1').startsWith('SSH-')
      if (ok) socket.end()
      else done()
    })
    socket.once('close', done)
    socket.once('error', done)
  })
}

export async function startSshd(layout: SandboxLayout, state: SandboxState): Promise<void> {
  // sshd's privilege-separation dir; only checked when it runs as root.
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 })
  await runTool(bin('sshd'), ['-t', '-f', layout.sshdConfig])
  // -D: no daemonizing, so the pid we get is the listener's; -E: log to a file.
  state.pids.sshd = await spawnDetached(bin('sshd'), ['-D', '-f', layout.sshdConfig, '-E', layout.log('sshd')], {
    logFile: layout.log('sshd-stderr'),
    cwd: layout.dir,
  })
  await waitUntil('sshd', () => bannerArrives(state.ports.ssh)).catch((e: Error) => {
    throw new Error(`${e.message}\n${logTail(layout.log('sshd'))}`)
  })
}

/** The `Port` the sandbox's sshd_config names: what finds its sessions when state.json is lost. */
export async function configuredSshPort(layout: SandboxLayout): Promise<number | undefined> {
  const conf = await readFile(layout.sshdConfig, 'utf8').catch(() => '')
  const m = /^Port (\d+)$/m.exec(conf)
  return m ? Number(m[1]) : undefined
}

/** The per-connection sshd processes: every sshd descendant of the listener. */
export function sessionPids(listenerPid: number | undefined): number[] {
  if (!isRunning(listenerPid, 'sshd')) return []
  return descendants(listenerPid).filter((pid) => isRunning(pid, 'sshd'))
}
