/**
 * P6 footprint: RSS of the client process with an idle tunnel, RSS the tunnel adds to a
 * running Node process, and peak RSS while 1000 visitor connections are open at once
 * (the local server answers them all only when the 1000th has arrived; all must get 200).
 */
import { startAnchor, type Anchor } from './lib/anchor.js'
import type { BenchContext } from './lib/context.js'
import { startGangway } from './lib/gangway-side.js'
import { startOrigin } from './lib/origin.js'
import { rssBytes, rssPeak } from './lib/proc.js'
import type { Row } from './lib/table.js'
import { get, visitorAgent } from './lib/visitor.js'

const CONCURRENT = 1000
const RUNS = 2
const MB = 1024 * 1024

async function burst(ctx: BenchContext, url: string, pid: number): Promise<number> {
  const agent = visitorAgent(ctx)
  const peak = rssPeak(pid, 20)
  const results = await Promise.allSettled(Array.from({ length: CONCURRENT }, () => get(new URL(`/hold/${CONCURRENT}`, url).href, agent, 60_000)))
  const mb = peak.stop() / MB
  agent.destroy()
  const ok = results.filter((r) => r.status === 'fulfilled' && r.value.status === 200).length
  if (ok !== CONCURRENT) throw new Error(`${url}: only ${ok} of ${CONCURRENT} connections completed`)
  return mb
}

export async function p6(ctx: BenchContext): Promise<Row[]> {
  const origin = await startOrigin()
  const idle: Row = { figure: 'P6', metric: 'client RSS, idle tunnel', unit: 'MB', gangway: [], openssh: [], better: 'lower' }
  const added: Row = { figure: 'P6', metric: 'RSS added by the open tunnel', unit: 'MB', gangway: [], openssh: [], better: 'lower' }
  const loaded: Row = { figure: 'P6', metric: `client peak RSS, ${CONCURRENT} open connections`, unit: 'MB', gangway: [], openssh: [], better: 'lower' }
  try {
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 ? (['openssh', 'gangway'] as const) : (['gangway', 'openssh'] as const)
      for (const side of order) {
        if (side === 'gangway') {
          const g = await startGangway(ctx)
          const r = await g.open(`p6-gangway-${run}`, origin.port)
          await new Promise((res) => setTimeout(res, 2000))
          idle.gangway.push(rssBytes(g.pid) / MB)
          added.gangway.push((rssBytes(g.pid) - g.baseRss) / MB)
          loaded.gangway.push(await burst(ctx, r.url!, g.pid))
          await g.exit()
        } else {
          const a: Anchor = await startAnchor(ctx, { name: `p6-openssh-${run}`, localPort: origin.port })
          await new Promise((res) => setTimeout(res, 2000))
          idle.openssh.push(rssBytes(a.pid()) / MB)
          added.openssh.push(rssBytes(a.pid()) / MB)
          loaded.openssh.push(await burst(ctx, a.url, a.pid()))
          await a.close()
        }
      }
    }
  } finally {
    await origin.close()
  }
  added.note = 'Gangway: after open − before, same process; ssh: whole process'
  return [idle, added, loaded]
}
