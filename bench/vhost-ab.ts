/**
 * `pnpm bench vhost`: evidence for a change to the agent's vhost rather than to the client.
 * P2's 32-connection load through each share's vhost as the agent renders it and through
 * copies of it (own ports) whose upstream keeps KEEPALIVE idle connections instead: with
 * fewer idle upstream connections than concurrent requests, nginx closes the surplus after
 * each burst and the next request opens a new forwarded connection — a new SSH channel and
 * a new connection to the dev server; and a burst of new connections past sshd's listen
 * backlog (128) on the share's Unix socket is refused at once (nginx answers 503). Counts
 * the dev server's new connections and the failed responses per 100 requests.
 */
import { startAnchor } from './lib/anchor.js'
import type { BenchContext } from './lib/context.js'
import { startGangway } from './lib/gangway-side.js'
import { startOrigin } from './lib/origin.js'
import { cpuMs } from './lib/proc.js'
import type { Row } from './lib/table.js'
import { agentVhost, deriveVhost, freePort, installVhost } from './lib/vhost.js'
import { wrk } from './lib/wrk.js'

const KEEPALIVE = [64, 256]
const CONNECTIONS = [32, 256]
const SECONDS = 10
const RUNS = 2

export async function vhostAb(ctx: BenchContext): Promise<Row[]> {
  const origin = await startOrigin()
  let accepted = 0
  origin.server.on('connection', () => accepted++)
  const gangway = await startGangway(ctx)
  const g = await gangway.open('ka-gangway', origin.port)
  const o = await startAnchor(ctx, { name: 'ka-openssh', localPort: origin.port })
  const shares = { gangway: { name: 'ka-gangway', url: g.url!, pid: () => gangway.pid }, openssh: { name: 'ka-openssh', url: o.url, pid: o.pid } }
  const agentKeepalive = /keepalive (\d+);/.exec(agentVhost(ctx, 'ka-gangway'))?.[1] ?? 'none'
  const removers: Array<() => Promise<void>> = []
  const rows: Row[] = []
  try {
    // variant → side → URL
    const variants: Array<{ label: string; urls: Record<'gangway' | 'openssh', string> }> = [
      { label: `agent's vhost (keepalive ${agentKeepalive})`, urls: { gangway: new URL('/small', g.url).href, openssh: new URL('/small', o.url).href } },
    ]
    for (const keepalive of KEEPALIVE) {
      const urls = {} as Record<'gangway' | 'openssh', string>
      for (const side of ['gangway', 'openssh'] as const) {
        const port = await freePort()
        removers.push(await installVhost(ctx, `ka-${side}-${keepalive}`, deriveVhost(ctx, { share: shares[side].name, port, keepalive }), port))
        urls[side] = `https://${new URL(shares[side].url).hostname}:${port}/small`
      }
      variants.push({ label: `keepalive ${keepalive}`, urls })
    }
    for (const c of CONNECTIONS) {
      for (const v of variants) {
        const row = (metric: string, unit: string, better: Row['better']): Row => ({ figure: 'vhost', metric: `${v.label}, ${c} conn: ${metric}`, unit, gangway: [], openssh: [], better })
        const rps = row('requests/s', 'req/s', 'higher')
        const p99 = row('p99 latency', 'ms', 'lower')
        const cpu = row('client CPU per 10k requests', 'ms', 'lower')
        const fresh = row('new local connections per 100 requests', '', 'lower')
        const failed = row('failed responses per 100 requests', '', 'lower')
        for (let run = 0; run < RUNS; run++) {
          for (const side of run % 2 ? (['openssh', 'gangway'] as const) : (['gangway', 'openssh'] as const)) {
            const pid = shares[side].pid()
            const c0 = cpuMs(pid)
            const a0 = accepted
            const r = await wrk(ctx, v.urls[side], c, SECONDS)
            cpu[side].push(((cpuMs(pid) - c0) / r.requests) * 10_000)
            rps[side].push(r.reqPerSec)
            p99[side].push(r.p99ms)
            fresh[side].push(((accepted - a0) / r.requests) * 100)
            failed[side].push((r.errors / r.requests) * 100)
          }
        }
        rows.push(rps, p99, cpu, fresh, failed)
      }
    }
  } finally {
    for (const remove of removers) await remove().catch(() => {})
    await gangway.exit()
    await o.close()
    await origin.close()
  }
  return rows
}
