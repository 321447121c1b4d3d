/**
 * P5 recovery. (a) sshd restarted with its sessions killed, both sides connected at once:
 * time from sshd listening again to each URL answering 200. (b) silent drop: one side at
 * a time, its sshd session SIGSTOPped: time until the client notices, and until the URL
 * serves again. The anchor is supervised like autossh, with Gangway's backoff.
 */
import { restartSshd, sshdSessionPids } from '@gangway/core/testing'
import { startAnchor } from './lib/anchor.js'
import type { BenchContext } from './lib/context.js'
import { startGangway, type GangwaySide } from './lib/gangway-side.js'
import { startOrigin } from './lib/origin.js'
import type { Row } from './lib/table.js'
import { until200, visitorAgent } from './lib/visitor.js'

const RUNS = 2

function signalAll(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig)
    } catch {
      // gone
    }
  }
}

export async function p5(ctx: BenchContext): Promise<Row[]> {
  const origin = await startOrigin()
  const gangway = await startGangway(ctx)
  const agent = visitorAgent(ctx)
  const restart: Row = { figure: 'P5', metric: 'sshd restarted → serving again', unit: 'ms', gangway: [], openssh: [], better: 'lower' }
  const detect: Row = { figure: 'P5', metric: 'silent drop (SIGSTOP) → detected', unit: 'ms', gangway: [], openssh: [], better: 'lower' }
  const back: Row = { figure: 'P5', metric: 'silent drop → serving again', unit: 'ms', gangway: [], openssh: [], better: 'lower' }
  try {
    const g = await gangway.open('p5-gangway', origin.port)
    const o = await startAnchor(ctx, { name: 'p5-openssh', localPort: origin.port, supervise: true })
    for (let run = 0; run < RUNS; run++) {
      ctx.info = await restartSshd(ctx.info, { killSessions: true })
      const t0 = Date.now()
      const [tg, to] = await Promise.all([until200(g.url!, agent, 60_000, 20), until200(o.url, agent, 60_000, 20)])
      restart.gangway.push(tg - t0)
      restart.openssh.push(to - t0)
    }
    await o.close()
    await gangway.close('p5-gangway')
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 ? (['openssh', 'gangway'] as const) : (['gangway', 'openssh'] as const)
      for (const side of order) {
        const r = side === 'gangway' ? await silentDropGangway(ctx, gangway, origin.port, agent) : await silentDropAnchor(ctx, origin.port, agent)
        detect[side].push(r.detect)
        back[side].push(r.back)
      }
    }
  } finally {
    await gangway.exit()
    await origin.close()
  }
  detect.note = 'keepalive 3 s × 3 on both'
  return [restart, detect, back]
}

async function silentDrop(ctx: BenchContext, url: string, detected: () => Promise<number>, agent: ReturnType<typeof visitorAgent>) {
  await until200(url, agent)
  const stopped = sshdSessionPids(ctx.info)
  const t0 = Date.now()
  signalAll(stopped, 'SIGSTOP')
  try {
    const seen = await detected()
    const served = await until200(url, agent, 60_000, 20)
    return { detect: seen - t0, back: served - t0 }
  } finally {
    signalAll(stopped, 'SIGCONT')
  }
}

async function silentDropGangway(ctx: BenchContext, gangway: GangwaySide, port: number, agent: ReturnType<typeof visitorAgent>) {
  const r = await gangway.open('p5-gangway', port)
  const offline = gangway.nextState('p5-gangway', 'offline', 60_000)
  try {
    return await silentDrop(ctx, r.url!, () => offline, agent)
  } finally {
    await gangway.close('p5-gangway')
  }
}

async function silentDropAnchor(ctx: BenchContext, port: number, agent: ReturnType<typeof visitorAgent>) {
  const a = await startAnchor(ctx, { name: 'p5-openssh', localPort: port, supervise: true })
  const exited = a.exited()
  try {
    return await silentDrop(ctx, a.url, () => exited, agent)
  } finally {
    await a.close()
  }
}
