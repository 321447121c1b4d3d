/**
 * P4 time to URL: from "local server listening" to "public URL answers 200", for a name
 * that needs a certificate (pebble issues it) and again for the same name (certificate
 * exists). Gangway's process is already running (as in a dev server plugin); the anchor's
 * time includes starting ssh. Polls every 10 ms. The yardstick: a bare ssh2 connect + auth +
 * the remote socket forward Gangway makes, from the same process, same run (`vsHandshake` on
 * the warm row).
 */
import { socketDir, startAnchor } from './lib/anchor.js'
import type { BenchContext } from './lib/context.js'
import { startGangway } from './lib/gangway-side.js'
import { startOrigin } from './lib/origin.js'
import { median, type Row } from './lib/table.js'
import { until200, visitorAgent } from './lib/visitor.js'

const RUNS = 2

export async function p4(ctx: BenchContext): Promise<Row[]> {
  const origin = await startOrigin()
  const gangway = await startGangway(ctx)
  const agent = visitorAgent(ctx)
  const issue: Row = { figure: 'P4', metric: 'time to URL, certificate issued', unit: 'ms', gangway: [], openssh: [], better: 'lower' }
  const exist: Row = { figure: 'P4', metric: 'time to URL, certificate exists', unit: 'ms', gangway: [], openssh: [], better: 'lower' }
  const bare: Row = { figure: 'P4', metric: 'bare ssh2 connect + auth + socket forward', unit: 'ms', gangway: [], openssh: [], better: 'lower', note: 'the yardstick, in the Gangway column' }
  const sides = {
    async gangway(name: string) {
      const t0 = Date.now()
      const r = await gangway.open(name, origin.port)
      const ms = (await until200(r.url!, agent)) - t0
      await gangway.close(name)
      return ms
    },
    async openssh(name: string) {
      const t0 = Date.now()
      const a = await startAnchor(ctx, { name, localPort: origin.port })
      const ms = (await until200(a.url, agent)) - t0
      await a.close()
      return ms
    },
  }
  try {
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 ? (['openssh', 'gangway'] as const) : (['gangway', 'openssh'] as const)
      for (const side of order) {
        const name = `p4-${side}-${run}`
        issue[side].push(await sides[side](name))
        exist[side].push(await sides[side](name))
        if (side === 'gangway') bare.gangway.push(await gangway.handshake(`p4-bare-${run}`, ctx.info.target, ctx.info.identityFile, socketDir(ctx)))
      }
    }
    exist.vsHandshake = median(exist.gangway) / median(bare.gangway)
  } finally {
    await gangway.exit()
    await origin.close()
  }
  return [issue, exist, bare]
}
