/**
 * Detached daemons and short tool runs for the sandbox. The daemons must outlive the
 * process that started them (a CLI `gangway sandbox up` exits at once), so they are
 * spawned detached with their output in log files, and found again later by the pids in
 * state.json. Before signalling a recorded pid we check that it still runs the binary we
 * started: pids get reused.
 */
import { spawn, execFile } from 'node:child_process'
import { openSync, closeSync, readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { basename } from 'node:path'

/** Starts `command` detached from this process; stdout+stderr append to `logFile`. */
export function spawnDetached(
  command: string,
  args: readonly string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<number> {
  const fd = openSync(options.logFile, 'a')
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
    })
    return new Promise((resolve, reject) => {
      child.once('error', reject) // e.g. ENOENT: reported before 'spawn'
      child.once('spawn', () => {
        child.unref()
        resolve(child.pid!)
      })
    })
  } finally {
    closeSync(fd)
  }
}

/** Last lines of a text, so a failure explains itself without flooding the message. */
export function tailLines(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

/** Runs a short tool; rejects with its stderr tail in the message. */
export function runTool(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: options.env, timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${tailLines(String(stderr))}`))
      else resolve({ stdout: String(stdout), stderr: String(stderr) })
    })
  })
}

/** Reads the end of a log file for error messages ('' when missing). */
export function logTail(file: string, lines = 20): string {
  try {
    return tailLines(readFileSync(file, 'utf8'), lines)
  } catch {
    return ''
  }
}

/** pid → ppid for every process we can see in /proc. */
function parentMap(): Map<number, number> {
  const parents = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // comm may contain spaces and parens: fields resume after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parents.set(Number(entry), ppid)
    } catch {
      // the process exited while we looked
    }
  }
  return parents
}

/** All descendants of `pid` (children, grandchildren, ...), found by walking ppids. */
export function descendants(pid: number): number[] {
  const parents = parentMap()
  const out: number[] = []
  const queue = [pid]
  while (queue.length) {
    const current = queue.shift()!
    for (const [child, parent] of parents) {
      if (parent === current) {
        out.push(child)
        queue.push(child)
      }
    }
  }
  return out
}

/** The basename of the executable running as `pid`, or undefined when it is gone. */
export function processBinary(pid: number): string | undefined {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`))
  } catch {
    try {
      const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]
      return argv0 ? basename(argv0.split(' ')[0]!) : undefined
    } catch {
      return undefined
    }
  }
}

/**
 * The processes of one sandbox, found without its state file: every daemon is started
 * with the sandbox dir as its working directory, so a lost or unwritable state.json (a
 * full disk) never leaves a daemon that sandboxDown cannot find.
 */
export function processesIn(dir: string, binaries: readonly string[]): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`)
      const binary = processBinary(Number(entry))
      if ((cwd === dir || cwd.startsWith(`${dir}/`)) && binaries.some((b) => sameBinary(binary, b))) found.push(Number(entry))
    } catch {
      // gone, or not ours to look at
    }
  }
  return found
}

/** A process's arguments, space-separated ('' when it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
  } catch {
    return ''
  }
}

/** Socket inodes bound or connected on 127.0.0.1/::1 port `port` (TCP, any state). */
function socketInodesOnPort(port: number): Set<string> {
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      // cols[1] is local address:port in hex, cols[9] the socket's inode
      if (cols.length > 9 && Number.parseInt(cols[1]!.split(':')[1]!, 16) === port && cols[9] !== '0') inodes.add(cols[9]!)
    }
  }
  return inodes
}

/** Every live pid running `binary` for which `match` holds. */
function scan(binary: string, match: (pid: number) => boolean): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const pid = Number(entry)
    if (processBinary(pid) === binary && isRunning(pid) && match(pid)) found.push(pid)
  }
  return found
}

/**
 * sshd changes its working directory to / (processesIn cannot see it), so a sandbox's sshd
 * is found another way: its listeners by the config file on their command line…
 */
export function sshdListeners(sshdConfig: string): number[] {
  // (sandbox paths are plain: no spaces, see agent-install's PLAIN_PATH)
  return scan('sshd', (pid) => ` ${commandLine(pid)} `.includes(` -f ${sshdConfig} `))
}

/** …and every sshd process with a socket on its port: the listener and each session, orphans of an earlier listener included. */
export function sshdOnPort(port: number): number[] {
  const inodes = socketInodesOnPort(port)
  return inodes.size ? scan('sshd', (pid) => holdsSocket(pid, inodes)) : []
}

function holdsSocket(pid: number, inodes: Set<string>): boolean {
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' })
      if (target.startsWith('socket:[') && inodes.has(target.slice(8, -1))) return true
    }
  } catch {
    // gone, or not ours to look at
  }
  return false
}

/** True when `pid` is alive and (if given) runs `binary`. Zombies count as dead. */
export function isRunning(pid: number | undefined, binary?: string): pid is number {
  if (!pid) return false
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false
  } catch {
    return false
  }
  return binary === undefined || sameBinary(processBinary(pid), binary)
}

/** python3 runs as python3.11 (the symlink's target): a versioned name is the same program. */
function sameBinary(actual: string | undefined, wanted: string): boolean {
  return actual === wanted || (wanted === 'python3' && /^python3\.\d+$/.test(actual ?? ''))
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

/**
 * SIGTERM every pid (and, collected first, their descendants: nginx workers, sshd
 * sessions), then SIGKILL whatever is left after `graceMs`.
 */
export async function stopProcesses(
  pids: readonly number[],
  options: { graceMs?: number; withDescendants?: boolean } = {},
): Promise<void> {
  const { graceMs = 3000, withDescendants = true } = options
  const tree = pids.flatMap((pid) => (withDescendants ? [pid, ...descendants(pid)] : [pid]))
  const all = [...new Set(tree)].filter((pid) => isRunning(pid))
  for (const pid of all) signal(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (all.some((pid) => isRunning(pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  for (const pid of all) if (isRunning(pid)) signal(pid, 'SIGKILL')
  while (all.some((pid) => isRunning(pid)) && Date.now() < deadline + 2000) await new Promise((r) => setTimeout(r, 20))
}
