/**
 * Commands on the proxy as the admin account, for `gangway setup`. Every command is an
 * argv quoted by buildCommand (never a shell string we glue together); privileged ones
 * run through `sudo -n`, so a sudo that wants a password fails at once instead of hanging.
 * File contents travel on stdin.
 */
import type { Client as SshClient } from 'ssh2'
import { GangwayError } from '../errors.js'
import { agentReply, buildCommand, type AgentReply } from '../ssh/exec.js'

/** Where setup installs the agent and its config (setup/proxy-files.ts PROXY). */
const AGENT = '/usr/local/lib/gangway/gangway-proxy'
const AGENT_CONFIG = '/etc/gangway/agent.json'

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

const tail = (text: string) => text.trim().split('\n').slice(-15).join('\n')

export class Remote {
  /** argv prefix of privileged commands: none when the admin is root. */
  private sudo: string[] = ['sudo', '-n']

  constructor(
    readonly client: SshClient,
    readonly where: string,
  ) {}

  /** Runs argv; resolves whatever the exit code. */
  run(argv: string[], options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
    const command = buildCommand(argv)
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, stream) => {
        if (err) return reject(new GangwayError('SETUP_FAILED', `${this.where} refused to run ${argv[0]}: ${err.message}`, { hint: 'Check that the admin account has a normal login shell.' }))
        let stdout = ''
        let stderr = ''
        const timer = setTimeout(() => stream.close(), options.timeoutMs ?? 600_000)
        stream.setEncoding('utf8')
        stream.stderr.setEncoding('utf8')
        stream.on('data', (d: string) => (stdout += d))
        stream.stderr.on('data', (d: string) => (stderr += d))
        stream.on('close', (code: number | null) => {
          clearTimeout(timer)
          resolve({ code, stdout, stderr })
        })
        stream.end(options.input)
      })
    })
  }

  /** Runs argv as root. */
  root(argv: string[], options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
    return this.run([...this.sudo, ...argv], options)
  }

  /** Runs argv as root; throws SETUP_FAILED with stderr's tail when it fails. */
  async must(argv: string[], options: { input?: string | Buffer; timeoutMs?: number; hint?: string } = {}): Promise<string> {
    const res = await this.root(argv, options)
    if (res.code !== 0) {
      throw new GangwayError('SETUP_FAILED', `on ${this.where}: ${argv.join(' ')} failed (exit ${res.code}):\n${tail(res.stderr || res.stdout)}`, {
        hint: options.hint ?? 'Fix the error above on the proxy and run gangway setup again; a failed run leaves the proxy as it was.',
      })
    }
    return res.stdout
  }

  /** The proxy agent as its admin (root, no label): key registry, upgrades, anyone's share. */
  async agent(verb: string, args: string[] = [], input?: string, timeoutMs = 300_000): Promise<AgentReply> {
    const res = await this.root([AGENT, '--config', AGENT_CONFIG, verb, ...args], { input, timeoutMs })
    return agentReply(verb, res)
  }

  /** Checks that privileged commands work, without a password prompt. */
  async checkSudo(): Promise<void> {
    const id = await this.run(['id', '-u'])
    if (id.stdout.trim() === '0') {
      this.sudo = []
      return
    }
    const res = await this.run(['sudo', '-n', 'true'])
    if (res.code !== 0) {
      throw new GangwayError('SETUP_FAILED', `the admin account on ${this.where} cannot sudo without a password: ${tail(res.stderr)}`, {
        hint: 'Use an account with passwordless sudo (e.g. "admin ALL=(ALL) NOPASSWD:ALL" in /etc/sudoers.d/), or log in as root.',
      })
    }
  }

  /** True when `test ARGS` succeeds as root (existence checks). */
  async test(...args: string[]): Promise<boolean> {
    return (await this.root(['test', ...args])).code === 0
  }

  /** sha256 and `mode owner:group` of each existing file; missing files are absent. */
  async fileStates(paths: string[]): Promise<Map<string, { sha256: string; meta: string }>> {
    const out = new Map<string, { sha256: string; meta: string }>()
    if (!paths.length) return out
    const sums = await this.root(['sha256sum', '--', ...paths])
    const stats = await this.root(['stat', '-c', '%a %U:%G %n', '--', ...paths])
    const meta = new Map<string, string>()
    for (const line of stats.stdout.split('\n')) {
      const m = /^(\d+ \S+) (.+)$/.exec(line)
      if (m) meta.set(m[2]!, m[1]!)
    }
    for (const line of sums.stdout.split('\n')) {
      const m = /^([0-9a-f]{64})  (.+)$/.exec(line)
      if (m) out.set(m[2]!, { sha256: m[1]!, meta: meta.get(m[2]!) ?? '' })
    }
    return out
  }

  /** Text of a root-readable file, or undefined when it does not exist. */
  async readFile(path: string): Promise<string | undefined> {
    const res = await this.root(['cat', '--', path])
    return res.code === 0 ? res.stdout : undefined
  }

  /** Creates `path` with mode and owner first, then fills it: a key is never briefly world-readable. */
  async writeFile(path: string, data: string | Buffer, mode: string, owner = 'root'): Promise<void> {
    await this.must(['install', '-m', mode, '-o', owner, '-g', owner, '/dev/null', path])
    await this.must(['dd', `of=${path}`, 'status=none'], { input: data })
  }
}
