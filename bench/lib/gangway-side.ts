/** Drives bench/lib/gangway-child.ts: one Node process holding Gangway tunnels. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { BenchContext } from './context.js'

const CHILD = fileURLToPath(new URL('./gangway-child.ts', import.meta.url))

export interface Reply {
  ok?: boolean
  ready?: boolean
  url?: string
  ms?: number
  rss?: number
  error?: string
  event?: string
  state?: string
  name?: string
}

export interface GangwaySide {
  pid: number
  child: ChildProcess
  /** RSS of the child right after start-up (Node + Gangway loaded, no tunnel). */
  baseRss: number
  open(name: string, port: number, proxy?: string): Promise<Reply>
  close(name: string): Promise<void>
  /** A bare ssh2 connect + auth + forward from the same process, ms (P4's yardstick). */
  handshake(name: string, target: string, keyFile: string, socketDir: string): Promise<number>
  /** Resolves at the next status event with this state. */
  nextState(name: string, state: string, timeoutMs: number): Promise<number>
  exit(): Promise<void>
}

/** `execArgv`: extra Node flags for the child, e.g. `--cpu-prof` (`pnpm bench prof`). */
export async function startGangway(ctx: BenchContext, env: NodeJS.ProcessEnv = {}, execArgv: string[] = []): Promise<GangwaySide> {
  const child = spawn(process.execPath, [...execArgv, '--import', 'tsx', CHILD], {
    env: { ...process.env, GANGWAY_CONFIG: ctx.configFile, GANGWAY_PROFILE: 'sandbox', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const waiting: Array<(r: Reply) => boolean> = []
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let reply: Reply
    try {
      reply = JSON.parse(line)
    } catch {
      return
    }
    const i = waiting.findIndex((w) => w(reply))
    if (i >= 0) waiting.splice(i, 1)
  })
  const expect = (match: (r: Reply) => boolean, timeoutMs = 120_000) =>
    new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('gangway child: no answer')), timeoutMs)
      waiting.push((r) => {
        if (!match(r)) return false
        clearTimeout(timer)
        resolve(r)
        return true
      })
    })
  const send = (line: string) => child.stdin!.write(line + '\n')
  const ready = await expect((r) => !!r.ready, 30_000)
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  return {
    pid: child.pid!,
    child,
    baseRss: ready.rss!,
    async open(name, port, proxy) {
      const reply = expect((r) => r.name === name && r.ok !== undefined)
      send(`open ${name} ${port}${proxy ? ' ' + proxy : ''}`)
      const r = await reply
      if (!r.ok) throw new Error(`gangway open ${name}: ${r.error}`)
      return r
    },
    async handshake(name, target, keyFile, socketDir) {
      const reply = expect((r) => r.name === name && r.ok !== undefined)
      send(`handshake ${name} ${target} ${keyFile} ${socketDir}`)
      const r = await reply
      if (!r.ok) throw new Error(`bare handshake: ${r.error}`)
      return r.ms!
    },
    async close(name) {
      const reply = expect((r) => r.name === name && r.ok !== undefined)
      send(`close ${name}`)
      await reply
    },
    nextState: (name, state, timeoutMs) =>
      expect((r) => r.event === 'status' && r.name === name && r.state === state, timeoutMs).then(() => Date.now()),
    async exit() {
      send('exit')
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000)
      await exited
      clearTimeout(t)
    },
  }
}
