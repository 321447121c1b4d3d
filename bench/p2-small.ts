/**
 * P2 small requests: wrk with 1, 32 and 256 keep-alive connections for 10 s against a
 * 12-byte response, each count run twice per side, alternating which side goes first.
 */
import { startAnchor } from './lib/anchor.js'
import type { BenchContext } from './lib/context.js'
import { startGangway } from './lib/gangway-side.js'
import { startOrigin } from './lib/origin.js'
import type { Row } from './lib/table.js'
import { wrk } from './lib/wrk.js'

const CONNECTIONS = [1, 32, 256]
const SECONDS = 10
const RUNS = 2

export async function p2(ctx: BenchContext): Promise<Row[]> {
  const origin = await startOrigin()
  const gangway = await startGangway(ctx)
  const g = await gangway.open('p2-gangway', origin.port)
  const o = await startAnchor(ctx, { name: 'p2-openssh', localPort: origin.port })
  const urls = { gangway: new URL('/small', g.url).href, openssh: new URL('/small', o.url).href }
  const rows: Row[] = []
  try {
    for (const c of CONNECTIONS) {
      const rps: Row = { figure: 'P2', metric: `${c} conn: requests/s`, unit: 'req/s', gangway: [], openssh: [], better: 'higher' }
      const p50: Row = { figure: 'P2', metric: `${c} conn: p50 latency`, unit: 'ms', gangway: [], openssh: [], better: 'lower' }
      const p99: Row = { figure: 'P2', metric: `${c} conn: p99 latency`, unit: 'ms', gangway: [], openssh: [], better: 'lower' }
      let errors = 0
      for (let run = 0; run < RUNS; run++) {
        const order = run % 2 ? (['openssh', 'gangway'] as const) : (['gangway', 'openssh'] as const)
        for (const side of order) {
          const r = await wrk(ctx, urls[side], c, SECONDS)
          rps[side].push(r.reqPerSec)
          p50[side].push(r.p50ms)
          p99[side].push(r.p99ms)
          errors += r.errors
        }
      }
      if (errors) rps.note = `${errors} errors/non-2xx`
      rows.push(rps, p50, p99)
    }
  } finally {
    await gangway.exit()
    await o.close()
    await origin.close()
  }
  return rows
}
