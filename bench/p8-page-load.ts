/**
 * P8 a real page load: a generated Vite app of ~300 ES modules (lib/vite-app.ts) loaded
 * cold in headless Chromium (fresh context, cache off) until the marker its last module
 * sets, with 20 ms each way on the visitor↔proxy leg and on the workstation↔proxy leg
 * (relays: this kernel has no netem). Paths, in rotating order, one discarded warm-up each:
 *   direct  — the Vite server itself, no tunnel, no delay: the floor;
 *   seed    — the seed's chain: its nginx vhost (HTTP/1.1, no upstream keepalive) in front
 *             of a bare OpenSSH `ssh -R` (the anchor column). The proxy allows only
 *             Unix-socket forwards, so it is `-R SOCKET:localhost:PORT` and
 *             `proxy_pass http://unix:SOCKET:` where the seed had TCP port 3000;
 *   Gangway — the share's vhost as the agent renders it, Gangway's tunnel;
 *   Gangway + h2 — the same vhost with `http2` on its listen (on a port of its own), the
 *             edge change proposed to the agent; skipped once the agent renders h2 itself.
 * The bound: the direct load + TCP and TLS setup (2 visitor round trips) + one round trip
 * of each leg per fetch round of the waterfall (the document, then each module level).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { startForward } from './lib/anchor.js'
import { startVisitor, type PageLoad } from './lib/browser.js'
import type { BenchContext } from './lib/context.js'
import { startGangway } from './lib/gangway-side.js'
import { measureRelayRtt, startRelay, type Relay } from './lib/relay.js'
import { median, type Row } from './lib/table.js'
import { startViteApp } from './lib/vite-app.js'
import { agentVhost, deriveVhost, freePort, installVhost, seedVhost, selfSignedCert, tlsInclude } from './lib/vhost.js'

const DELAY_MS = 20
const RUNS = Number(process.env.GANGWAY_BENCH_P8_RUNS) || 3
/** Where share hosts resolve for the browser: relays listen there on nginx's own ports. */
const VISITOR_IP = '127.0.0.2'

type Path = 'direct' | 'seed' | 'gangway' | 'gangwayH2'

export async function p8(ctx: BenchContext): Promise<Row[]> {
  const { domain, user } = ctx.info
  const names = { gangway: 'p8-gangway', seed: 'p8-seed' }
  const hosts = { gangway: `${names.gangway}.${domain}`, seed: `${names.seed}.${domain}` }
  const rtt = await measureRelayRtt(DELAY_MS)
  const appDir = join(ctx.tmp, 'p8-app')
  mkdirSync(appDir, { recursive: true })
  const app = await startViteApp(appDir, [hosts.gangway, hosts.seed])
  const cleanups: Array<() => Promise<void>> = [() => app.close()]
  const relays: Relay[] = []
  try {
    // The workstation↔proxy leg, shared by both tunnels.
    const sshLeg = await startRelay(ctx.info.sshPort, DELAY_MS)
    relays.push(sshLeg)
    ctx.trustPort(sshLeg.port)

    const gangway = await startGangway(ctx)
    cleanups.push(() => gangway.exit())
    const share = await gangway.open(names.gangway, app.port, `${user}@127.0.0.1:${sshLeg.port}`)

    const forward = await startForward(ctx, { localPort: app.port, sshPort: sshLeg.port })
    cleanups.push(() => forward.close())
    const seedPort = await freePort()
    const cert = selfSignedCert(ctx.tmp, hosts.seed)
    const seed = seedVhost({ port: seedPort, host: hosts.seed, upstream: `unix:${forward.path}:`, tls: tlsInclude(ctx), ...cert })
    cleanups.push(await installVhost(ctx, 'p8-seed', seed, seedPort))

    const urls: Partial<Record<Path, string>> = {
      direct: `http://127.0.0.1:${app.port}/`,
      seed: `https://${hosts.seed}:${seedPort}/`,
      gangway: share.url!,
    }
    const agentHasH2 = /listen [^;]*\bhttp2\b|^\s*http2 on;/m.test(agentVhost(ctx, names.gangway))
    if (!agentHasH2) {
      const h2Port = await freePort()
      cleanups.push(await installVhost(ctx, 'p8-h2', deriveVhost(ctx, { share: names.gangway, port: h2Port, http2: true }), h2Port))
      urls.gangwayH2 = `https://${hosts.gangway}:${h2Port}/`
    }
    // The visitor↔proxy leg: one relay per nginx port, on VISITOR_IP with the same port.
    for (const u of [urls.seed, urls.gangway, urls.gangwayH2]) {
      if (!u) continue
      const port = Number(new URL(u).port)
      relays.push(await startRelay(port, DELAY_MS, { host: VISITOR_IP, port }))
    }

    const visitor = await startVisitor({ domain, resolveTo: VISITOR_IP })
    cleanups.push(() => visitor.close())
    const paths = Object.keys(urls) as Path[]
    const loads = Object.fromEntries(paths.map((p) => [p, [] as PageLoad[]])) as Record<Path, PageLoad[]>
    // Vite transforms each module on its first request: do that for every path's sake, then one
    // discarded load per path so each measured load meets the same state (nginx's idle upstreams).
    for (const p of paths) await visitor.load(urls[p]!)
    for (let run = 0; run < RUNS; run++) {
      const order = paths.map((_, i) => paths[(i + run) % paths.length]!)
      for (const p of order) loads[p].push(await visitor.load(urls[p]!))
    }

    const ms = (p: Path) => loads[p].map((l) => l.ms)
    const direct = median(ms('direct'))
    const bound = direct + 2 * rtt + app.rounds * 2 * rtt
    const how = (p: Path) => {
      const l = loads[p].at(-1)!
      return `${l.requests} requests over ${l.protocols.join('+')}, ${l.connections} connection${l.connections === 1 ? '' : 's'}`
    }
    const rows: Row[] = [
      {
        figure: 'P8', metric: `page load, ${app.modules} modules: dev server directly (the floor)`, unit: 'ms', better: 'lower',
        gangway: ms('direct'), openssh: [], note: `no tunnel, no delay; ${how('direct')}`,
      },
      {
        figure: 'P8', metric: 'page load bound', unit: 'ms', better: 'lower', gangway: [bound], openssh: [],
        note: `floor + TCP/TLS (2 × ${rtt.toFixed(1)} ms) + ${app.rounds} rounds × (${rtt.toFixed(1)} + ${rtt.toFixed(1)} ms)`,
      },
    ]
    const vs = (p: Path): Row => {
      const g = median(ms(p))
      return {
        figure: 'P8', metric: p === 'gangway' ? `page load, ${app.modules} modules, ${2 * DELAY_MS} ms RTT on each leg` : `page load, Gangway with HTTP/2 to the visitor (proposed vhost)`,
        unit: 'ms', better: 'lower', gangway: ms(p), openssh: ms('seed'),
        vsSeed: g / median(ms('seed')), vsBound: g / bound,
        note: `anchor column: the seed's chain (${how('seed')}); Gangway: ${how(p)}`,
      }
    }
    rows.push(vs('gangway'))
    if (urls.gangwayH2) rows.push(vs('gangwayH2'))
    return rows
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {})
    for (const r of relays) await r.close()
  }
}
