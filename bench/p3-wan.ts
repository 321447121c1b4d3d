/**
 * P3 WAN: a relay adds 20 ms each way between the workstation side and sshd (40 ms round
 * trip). A warm request (visitor keep-alive, nginx upstream keep-alive, channel open)
 * should cost one round trip; a new visitor connection is reported too.
 */
import { startAnchor } from './lib/anchor.js'
import type { BenchContext } from './lib/context.js'
import { startGangway } from './lib/gangway-side.js'
import { startOrigin } from './lib/origin.js'
import { startRelay } from './lib/relay.js'
import type { Row } from './lib/table.js'
import { get, visitorAgent } from './lib/visitor.js'

const DELAY_MS = 20
const REQUESTS = 20
const RUNS = 2

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

async function sequential(url: string, agent: ReturnType<typeof visitorAgent>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < REQUESTS; i++) {
    const r = await get(url, agent)
    if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status}`)
    times.push(r.ms)
  }
  return median(times)
}

export async function p3(ctx: BenchContext): Promise<Row[]> {
  const origin = await startOrigin()
  const relay = await startRelay(ctx.info.sshPort, DELAY_MS)
  ctx.trustPort(relay.port)
  const gangway = await startGangway(ctx)
  const warm: Row = { figure: 'P3', metric: `warm request, +${DELAY_MS} ms each way`, unit: 'ms', gangway: [], openssh: [], better: 'lower' }
  const fresh: Row = { figure: 'P3', metric: 'new visitor connection (TLS + request)', unit: 'ms', gangway: [], openssh: [], better: 'lower' }
  try {
    const g = await gangway.open('p3-gangway', origin.port, `${ctx.info.user}@127.0.0.1:${relay.port}`)
    const o = await startAnchor(ctx, { name: 'p3-openssh', localPort: origin.port, sshPort: relay.port })
    const urls = { gangway: new URL('/small', g.url).href, openssh: new URL('/small', o.url).href }
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 ? (['openssh', 'gangway'] as const) : (['gangway', 'openssh'] as const)
      for (const side of order) {
        const keep = visitorAgent(ctx, { keepAlive: true, maxSockets: 1 })
        await get(urls[side], keep) // opens the visitor connection and warms nginx's upstream
        warm[side].push(await sequential(urls[side], keep))
        keep.destroy()
        fresh[side].push(await sequential(urls[side], visitorAgent(ctx)))
      }
    }
    await o.close()
  } finally {
    await gangway.exit()
    await relay.close()
    await origin.close()
  }
  warm.note = `round trip on the leg: ${2 * DELAY_MS} ms`
  return [warm, fresh]
}
