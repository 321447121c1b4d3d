/**
 * Before/after of a core change, in one run: Gangway with TCP_NODELAY on its ssh socket
 * (now) against Gangway as before it (Nagle on), alternating, on P2's small requests.
 * Not part of the default set: `pnpm bench ab`. Columns: after | before.
 */
import type { BenchContext } from './lib/context.js'
import { startGangway } from './lib/gangway-side.js'
import { startOrigin } from './lib/origin.js'
import type { Row } from './lib/table.js'
import { wrk } from './lib/wrk.js'

const RUNS = 2

export async function ab(ctx: BenchContext): Promise<Row[]> {
  const origin = await startOrigin()
  const after = await startGangway(ctx)
  const before = await startGangway(ctx, { GANGWAY_BENCH_BEFORE: 'nodelay' })
  const urls = {
    gangway: new URL('/small', (await after.open('ab-after', origin.port)).url!).href,
    openssh: new URL('/small', (await before.open('ab-before', origin.port)).url!).href,
  }
  const rows: Row[] = []
  try {
    for (const c of [1, 32]) {
      const note = 'columns: after (noDelay) | before (Nagle)'
      const rps: Row = { figure: 'A/B', metric: `${c} conn: requests/s`, unit: 'req/s', gangway: [], openssh: [], better: 'higher', note }
      const p99: Row = { figure: 'A/B', metric: `${c} conn: p99 latency`, unit: 'ms', gangway: [], openssh: [], better: 'lower', note }
      for (let run = 0; run < RUNS; run++) {
        const order = run % 2 ? (['openssh', 'gangway'] as const) : (['gangway', 'openssh'] as const)
        for (const side of order) {
          const r = await wrk(ctx, urls[side], c, 10)
          rps[side].push(r.reqPerSec)
          p99[side].push(r.p99ms)
        }
      }
      rows.push(rps, p99)
    }
  } finally {
    await after.exit()
    await before.exit()
    await origin.close()
  }
  return rows
}
