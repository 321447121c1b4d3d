/**
 * The anchor: OpenSSH `ssh -R SOCKET:localhost:PORT` to the same sshd, with the same key
 * and cipher — a remote Unix-socket forward at a random path in the proxy's socket dir,
 * as Gangway's client makes — then the agent's share-up for that socket run over the same
 * connection (ControlMaster), as Gangway runs it over its ssh2 connection: the agent
 * checks the listener belongs to the calling session and routes the share's vhost (the
 * same template) to it.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { backoffDelay } from '../../packages/core/src/tunnel/backoff.js'
import type { BenchContext } from './context.js'

export interface AnchorOptions {
  name: string
  localPort: number
  /** sshd port to dial (a relay's, for the WAN figure). */
  sshPort?: number
  /** Restart ssh (and share-up again) when it exits, like autossh. */
  supervise?: boolean
}

export interface Anchor {
  url: string
  pid(): number
  /** Resolves when the current ssh exits (a drop detected), with the time. */
  exited(): Promise<number>
  /** Resolves when a restarted ssh has the share back up. */
  nextUp(): Promise<number>
  close(): Promise<void>
}

let counter = 0

function sshArgs(ctx: BenchContext, port: number, control: string): string[] {
  const { info } = ctx
  return [
    '-F', '/dev/null',
    '-i', info.identityFile,
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${ctx.knownHosts}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', `Ciphers=${ctx.cipher}`,
    // Gangway's defaults: keepalive every 3 s, 3 missed = dead.
    '-o', 'ServerAliveInterval=3',
    '-o', 'ServerAliveCountMax=3',
    '-o', `ControlPath=${control}`,
    '-p', String(port),
    '-l', info.user,
  ]
}

/** Where sessions bind their sockets on the proxy (the agent's config; the bench shares its filesystem). */
export function socketDir(ctx: BenchContext): string {
  return (JSON.parse(readFileSync(ctx.info.agentConfig, 'utf8')) as { socketDir: string }).socketDir
}

function shareUp(ctx: BenchContext, control: string, port: number, host: string, token: string, instance: string): Promise<string> {
  const args = [...sshArgs(ctx, port, control), '127.0.0.1', 'gangway-proxy', 'share-up', '--host', host, '--socket', token,
    '--instance', instance, '--client', 'bench-openssh', '--cmd', 'ssh', '--max-body', '2g']
  return new Promise((resolve, reject) =>
    execFile('ssh', args, { timeout: 120_000 }, (err, stdout, stderr) => {
      const last = stdout.trim().split('\n').pop() ?? ''
      try {
        const reply = JSON.parse(last)
        if (reply.ok) return resolve(reply.url)
        reject(new Error(`share-up ${host}: ${reply.code} ${reply.message}`))
      } catch {
        reject(new Error(`share-up ${host}: ${err?.message ?? ''} ${stderr}`))
      }
    }),
  )
}

export interface Forward {
  child: ChildProcess
  /** the socket's path on the proxy, and the token (its file name) share-up names */
  path: string
  token: string
  pid: number
  close(): Promise<void>
}

/**
 * One `ssh -M -N -R PATH:localhost:PORT` connection to a fresh random path in the socket
 * dir; resolves once sshd has bound it (the bench sees the proxy's filesystem).
 */
export function startForward(ctx: BenchContext, o: { localPort: number; sshPort?: number; control?: string }): Promise<Forward> {
  const port = o.sshPort ?? ctx.info.sshPort
  const control = o.control ?? join(ctx.tmp, `forward-${process.pid}-${++counter}.ctl`)
  const token = randomBytes(16).toString('hex')
  const path = join(socketDir(ctx), `${token}.sock`)
  const child = spawn('ssh', [...sshArgs(ctx, port, control), '-M', '-N', '-o', 'ExitOnForwardFailure=yes', '-R', `${path}:localhost:${o.localPort}`, '127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const forward: Forward = {
    child,
    path,
    token,
    pid: child.pid!,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const gone = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await gone
    },
  }
  return new Promise((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    const onExit = (code: number | null) => reject(new Error(`ssh exited ${code}: ${err}`))
    child.once('exit', onExit)
    const poll = setInterval(() => {
      if (!existsSync(path)) return
      clearInterval(poll)
      child.off('exit', onExit)
      resolve(forward)
    }, 5)
    child.once('exit', () => clearInterval(poll))
  })
}

export async function startAnchor(ctx: BenchContext, o: AnchorOptions): Promise<Anchor> {
  const id = `anchor-${process.pid}-${++counter}`
  const control = join(ctx.tmp, `${id}.ctl`)
  const port = o.sshPort ?? ctx.info.sshPort
  const host = `${o.name}.${ctx.info.domain}`
  const instance = randomBytes(8).toString('hex')
  const connect = () => startForward(ctx, { localPort: o.localPort, sshPort: o.sshPort, control })
  let current = await connect()
  const url = await shareUp(ctx, control, port, host, current.token, instance)
  let closed = false
  let exitWaiters: Array<(t: number) => void> = []
  let upWaiters: Array<(t: number) => void> = []
  const watch = (child: ChildProcess) =>
    child.once('exit', async () => {
      const at = Date.now()
      exitWaiters.forEach((w) => w(at))
      exitWaiters = []
      if (closed || !o.supervise) return
      for (let attempt = 1; !closed; attempt++) {
        await new Promise((r) => setTimeout(r, backoffDelay(attempt)))
        try {
          current = await connect()
          await shareUp(ctx, control, port, host, current.token, instance)
          watch(current.child)
          const up = Date.now()
          upWaiters.forEach((w) => w(up))
          upWaiters = []
          return
        } catch {
          // sshd not back yet: next attempt
        }
      }
    })
  watch(current.child)
  return {
    url,
    pid: () => current.pid,
    exited: () => new Promise((r) => exitWaiters.push(r)),
    nextUp: () => new Promise((r) => upWaiters.push(r)),
    close: () => {
      closed = true
      return current.close()
    },
  }
}
