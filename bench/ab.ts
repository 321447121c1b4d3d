/**
 * `pnpm bench ab`: before/after of core changes in one run. Two Gangway children, one on
 * this tree's core ("after"), one on another revision's (GANGWAY_BENCH_BEFORE, default
 * `main`; see lib/before-tree.ts), against the same origin and proxy, alternating which
 * goes first: P2's small requests (req/s, p99, client CPU per 10 k requests) and a bulk
 * transfer each way (MB/s, client CPU per GiB). Columns: after | before.
 * GANGWAY_BENCH_AB_RUNS sets the runs per cell (default 3).
 */
import { prepareBefore } from './lib/before-tree.js'
import type { BenchContext } from './lib/context.js'
import { startGangway } from './lib/gangway-side.js'
import { startOrigin } from './lib/origin.js'
import { cpuMs } from './lib/proc.js'
import type { Row } from './lib/table.js'
import { curl } from './lib/visitor.js'
import { wrk } from './lib/wrk.js'
import { uploadFile } from './p1-bulk.js'

const RUNS = Number(process.env.GANGWAY_BENCH_AB_RUNS) || 3
const BULK = 512 * 1024 ** 2
const GIB = 1024 ** 3

export async function ab(ctx: BenchContext): Promise<Row[]> {
  const before = prepareBefore(ctx.tmp, process.env.GANGWAY_BENCH_BEFORE || 'main')
  const note = `columns: after (this tree) | before (${before.rev} ${before.commit})`
  const origin = await startOrigin()
  const upload = uploadFile(ctx.tmp, BULK)
  const children = { gangway: await startGangway(ctx), openssh: await startGangway(ctx, { GANGWAY_BENCH_CORE: before.coreEntry }) }
  const urls = {
    gangway: (await children.gangway.open('ab-after', origin.port)).url!,
    openssh: (await children.openssh.open('ab-before', origin.port)).url!,
  }
  const row = (metric: string, unit: string, better: Row['better']): Row => ({ figure: 'A/B', metric, unit, gangway: [], openssh: [], better, note })
  const rows: Row[] = []
  const orders = (run: number) => (run % 2 ? (['openssh', 'gangway'] as const) : (['gangway', 'openssh'] as const))
  try {
    for (const c of [1, 32]) {
      const rps = row(`${c} conn: requests/s`, 'req/s', 'higher')
      const p99 = row(`${c} conn: p99 latency`, 'ms', 'lower')
      const cpu = row(`${c} conn: client CPU per 10k requests`, 'ms', 'lower')
      for (let run = 0; run < RUNS; run++) {
        for (const side of orders(run)) {
          const pid = children[side].pid
          const c0 = cpuMs(pid)
          const r = await wrk(ctx, new URL('/small', urls[side]).href, c, 10)
          cpu[side].push(((cpuMs(pid) - c0) / r.requests) * 10_000)
          rps[side].push(r.reqPerSec)
          p99[side].push(r.p99ms)
        }
      }
      rows.push(rps, p99, cpu)
    }
    const down = row(`${BULK / 1024 ** 2} MiB download`, 'MB/s', 'higher')
    const up = row(`${BULK / 1024 ** 2} MiB upload`, 'MB/s', 'higher')
    const cpu = row('client CPU per GiB moved', 'ms', 'lower')
    for (let run = 0; run < RUNS; run++) {
      for (const side of orders(run)) {
        const pid = children[side].pid
        const c0 = cpuMs(pid)
        const d = await curl(ctx, new URL(`/bytes/${BULK}`, urls[side]).href)
        const u = await curl(ctx, new URL('/sink', urls[side]).href, upload)
        if (d.bytes !== BULK || JSON.parse(u.body).size !== BULK) throw new Error(`${side}: short transfer`)
        cpu[side].push((cpuMs(pid) - c0) / ((2 * BULK) / GIB))
        down[side].push(d.bytesPerSec / 1e6)
        up[side].push(u.bytesPerSec / 1e6)
      }
    }
    rows.push(down, up, cpu)
  } finally {
    await children.gangway.exit()
    await children.openssh.exit()
    await origin.close()
  }
  return rows
}
