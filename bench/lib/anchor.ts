/**
 * The anchor: OpenSSH `ssh -R 127.0.0.1:0:localhost:PORT` to the same sshd, with the
 * same key and cipher, then the agent's share-up for the allocated port run over the
 * same connection (ControlMaster), as Gangway runs it over its ssh2 connection: the
 * nginx vhost is rendered by the same agent from the same template.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
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
  /** The port sshd allocated for the current forward. */
  remotePort(): number
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

function shareUp(ctx: BenchContext, control: string, port: number, name: string, remotePort: number, client: string): Promise<string> {
  const args = [...sshArgs(ctx, port, control), '127.0.0.1', 'gangway-proxy', 'share-up', '--name', name, '--port', String(remotePort), '--client', client, '--max-body', '2g']
  return new Promise((resolve, reject) =>
    execFile('ssh', args, { timeout: 120_000 }, (err, stdout, stderr) => {
      const last = stdout.trim().split('\n').pop() ?? ''
      try {
        const reply = JSON.parse(last)
        if (reply.ok) return resolve(reply.url)
        reject(new Error(`share-up ${name}: ${reply.code} ${reply.message}`))
      } catch {
        reject(new Error(`share-up ${name}: ${err?.message ?? ''} ${stderr}`))
      }
    }),
  )
}

/** One `ssh -M -N -R` connection: resolves with the child and its allocated port. */
function connect(ctx: BenchContext, o: AnchorOptions, control: string): Promise<{ child: ChildProcess; remotePort: number }> {
  const port = o.sshPort ?? ctx.info.sshPort
  const child = spawn('ssh', [...sshArgs(ctx, port, control), '-M', '-N', '-o', 'ExitOnForwardFailure=yes', '-R', `127.0.0.1:0:localhost:${o.localPort}`, '127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      const m = /Allocated port (\d+)/.exec(err)
      if (m) resolve({ child, remotePort: Number(m[1]) })
    })
    child.once('exit', (code) => reject(new Error(`ssh exited ${code}: ${err}`)))
  })
}

export async function startAnchor(ctx: BenchContext, o: AnchorOptions): Promise<Anchor> {
  const id = `anchor-${process.pid}-${++counter}`
  const control = join(ctx.tmp, `${id}.ctl`)
  const port = o.sshPort ?? ctx.info.sshPort
  let current = await connect(ctx, o, control)
  const url = await shareUp(ctx, control, port, o.name, current.remotePort, id)
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
          current = await connect(ctx, o, control)
          await shareUp(ctx, control, port, o.name, current.remotePort, id)
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
    pid: () => current.child.pid!,
    remotePort: () => current.remotePort,
    exited: () => new Promise((r) => exitWaiters.push(r)),
    nextUp: () => new Promise((r) => upWaiters.push(r)),
    async close() {
      closed = true
      const child = current.child
      if (child.exitCode !== null || child.signalCode !== null) return
      const gone = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await gone
    },
  }
}

export interface Forward {
  remotePort: number
  pid: number
  close(): Promise<void>
}

/**
 * The seed's tunnel (P8): a bare `ssh -N -R 127.0.0.1:0:localhost:PORT`, no agent, no
 * share-up — the vhost in front of it is the bench's (lib/vhost.ts seedVhost).
 * TODO(lead's Unix-socket forwards): if the tunnel key loses TCP forwards, this becomes
 * `-R /path.sock:localhost:PORT` and the seed vhost `proxy_pass http://unix:/path.sock:`.
 */
export async function startForward(ctx: BenchContext, o: { localPort: number; sshPort?: number }): Promise<Forward> {
  const control = join(ctx.tmp, `forward-${process.pid}-${++counter}.ctl`)
  const { child, remotePort } = await connect(ctx, { name: '', localPort: o.localPort, sshPort: o.sshPort }, control)
  return {
    remotePort,
    pid: child.pid!,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const gone = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await gone
    },
  }
}
