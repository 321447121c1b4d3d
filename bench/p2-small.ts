/**
 * P2 small requests: wrk with 1, 32 and 256 keep-alive connections for 10 s against a
 * 12-byte response, each count run twice per side, rotating which side goes first. Also
 * the client's CPU time per 10 k requests (the tunnel client's own cost, less noisy than
 * req/s on a shared 2-core box), and the ceiling: the same vhost with the origin as its
 * upstream, no tunnel (on a port of its own, lib/vhost.ts).
 */
import { startAnchor } from './lib/anchor.js'
import type { BenchContext } from './lib/context.js'
import { startGangway } from './lib/gangway-side.js'
import { startOrigin } from './lib/origin.js'
import { cpuMs } from './lib/proc.js'
import type { Row } from './lib/table.js'
import { deriveVhost, freePort, installVhost } from './lib/vhost.js'
import { wrk } from './lib/wrk.js'

const CONNECTIONS = [1, 32, 256]
const SECONDS = 10
const RUNS = 2

type Side = 'gangway' | 'openssh' | 'direct'

export async function p2(ctx: BenchContext): Promise<Row[]> {
  const origin = await startOrigin()
  const gangway = await startGangway(ctx)
  const g = await gangway.open('p2-gangway', origin.port)
  const o = await startAnchor(ctx, { name: 'p2-openssh', localPort: origin.port })
  const directPort = await freePort()
  const removeDirect = await installVhost(ctx, 'p2-direct', deriveVhost(ctx, { share: 'p2-gangway', port: directPort, upstream: `127.0.0.1:${origin.port}` }), directPort)
  const host = new URL(g.url!).hostname
  const urls: Record<Side, string> = {
    gangway: new URL('/small', g.url).href,
    openssh: new URL('/small', o.url).href,
    direct: `https://${host}:${directPort}/small`,
  }
  const pids: Record<Side, (() => number) | undefined> = { gangway: () => gangway.pid, openssh: o.pid, direct: undefined }
  const sides: Side[] = ['gangway', 'openssh', 'direct']
  const rows: Row[] = []
  try {
    for (const c of CONNECTIONS) {
      const row = (metric: string, unit: string, better: Row['better']): Row => ({ figure: 'P2', metric: `${c} conn: ${metric}`, unit, gangway: [], openssh: [], better })
      const rps = row('requests/s', 'req/s', 'higher')
      const p50 = row('p50 latency', 'ms', 'lower')
      const p99 = row('p99 latency', 'ms', 'lower')
      const cpu = row('client CPU per 10k requests', 'ms', 'lower')
      const ceiling = row('requests/s with no tunnel (nginx → origin)', 'req/s', 'higher')
      ceiling.note = 'the ceiling: same vhost, origin as upstream; values in the Gangway column'
      const errors: Record<Side, number> = { gangway: 0, openssh: 0, direct: 0 }
      const said = new Set<string>()
      for (let run = 0; run < RUNS; run++) {
        for (const side of sides.map((_, i) => sides[(i + run) % sides.length]!)) {
          const pid = pids[side]?.()
          const c0 = pid ? cpuMs(pid) : 0
          const r = await wrk(ctx, urls[side], c, SECONDS)
          errors[side] += r.errors
          if (r.errorText) said.add(r.errorText.replace(/\d+/g, 'N'))
          if (side === 'direct') {
            ceiling.gangway.push(r.reqPerSec)
            continue
          }
          cpu[side].push(((cpuMs(pid!) - c0) / r.requests) * 10_000)
          rps[side].push(r.reqPerSec)
          p50[side].push(r.p50ms)
          p99[side].push(r.p99ms)
        }
      }
      if (errors.gangway + errors.openssh + errors.direct) {
        rps.note = `errors (${[...said].join('; ')}): Gangway ${errors.gangway}, OpenSSH ${errors.openssh}, no tunnel ${errors.direct}`
      }
      rows.push(rps, p50, p99, cpu, ceiling)
    }
  } finally {
    await removeDirect().catch(() => {})
    await gangway.exit()
    await o.close()
    await origin.close()
  }
  return rows
}
