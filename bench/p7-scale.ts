/**
 * P7 scale: 200 shares from 200 clients (200 ssh2 connections in one Gangway process),
 * added one after the other. Right after Gangway's share #k for k in SAMPLES, one
 * `ssh -R` share is added too, so the anchor meets the same proxy (a full interleave of
 * 400 shares took over 12 min here: every share-up runs nginx -t + reload over all vhosts).
 * Certificates are put in place beforehand (P4 measures issuance): this is the cost of a
 * share-up against N vhosts. GANGWAY_BENCH_P7_SHARES changes the count.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startAnchor, type Anchor } from './lib/anchor.js'
import type { BenchContext } from './lib/context.js'
import { startGangway } from './lib/gangway-side.js'
import { startOrigin } from './lib/origin.js'
import type { Row } from './lib/table.js'
import { get, visitorAgent } from './lib/visitor.js'

const SHARES = Number(process.env.GANGWAY_BENCH_P7_SHARES) || 200
const SAMPLES = [...new Set([1, 2, Math.round(SHARES / 2), SHARES])]

/** One self-signed certificate naming every share, copied where certbot would put it. */
function seedCertificates(ctx: BenchContext, hosts: string[]): Buffer {
  const dir = join(ctx.tmp, 'p7-cert')
  mkdirSync(dir, { recursive: true })
  const key = join(dir, 'privkey.pem')
  const cert = join(dir, 'fullchain.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '90',
    '-subj', '/CN=gangway-bench-p7', '-keyout', key, '-out', cert, '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`], { stdio: 'ignore' })
  const liveDir = JSON.parse(readFileSync(ctx.info.agentConfig, 'utf8')).certbot.liveDir as string
  for (const host of hosts) {
    mkdirSync(join(liveDir, host), { recursive: true })
    copyFileSync(cert, join(liveDir, host, 'fullchain.pem'))
    copyFileSync(key, join(liveDir, host, 'privkey.pem'))
  }
  return readFileSync(cert)
}

export async function p7(ctx: BenchContext): Promise<Row[]> {
  const names = { gangway: (i: number) => `p7-g-${i}`, openssh: (i: number) => `p7-o-${i}` }
  const hosts = [...Array.from({ length: SHARES }, (_, i) => names.gangway(i + 1)), ...SAMPLES.map(names.openssh)].map((n) => `${n}.${ctx.info.domain}`)
  const ca = seedCertificates(ctx, hosts)
  const origin = await startOrigin()
  const gangway = await startGangway(ctx)
  const anchors: Anchor[] = []
  const times = { gangway: [] as number[], openssh: new Map<number, number>() }
  const urls = { gangway: [] as string[], openssh: [] as string[] }
  try {
    for (let i = 1; i <= SHARES; i++) {
      const g = await gangway.open(names.gangway(i), origin.port)
      times.gangway.push(g.ms!)
      urls.gangway.push(g.url!)
      if (!SAMPLES.includes(i)) continue
      const t0 = performance.now()
      const a = await startAnchor(ctx, { name: names.openssh(i), localPort: origin.port })
      times.openssh.set(i, performance.now() - t0)
      urls.openssh.push(a.url)
      anchors.push(a)
    }
    // Every share still serves (none was disturbed by the ones added after it).
    const agent = visitorAgent({ ...ctx, ca }, { keepAlive: true, maxSockets: 20 })
    const all = [...urls.gangway, ...urls.openssh]
    const status = await Promise.all(all.map((u) => get(new URL('/small', u).href, agent, 30_000).then((r) => r.status, () => 0)))
    const bad = all.filter((_, i) => status[i] !== 200)
    agent.destroy()
    const rows: Row[] = SAMPLES.map((k) => ({
      figure: 'P7', metric: `time to add share #${k}`, unit: 'ms', better: 'lower' as const,
      gangway: [times.gangway[k - 1]!], openssh: [times.openssh.get(k)!],
    }))
    rows.push({
      figure: 'P7', metric: `share #${SHARES} / share #1`, unit: '×', better: 'lower',
      gangway: [times.gangway[SHARES - 1]! / times.gangway[0]!], openssh: [times.openssh.get(SHARES)! / times.openssh.get(1)!],
      note: bad.length ? `${bad.length} of ${all.length} shares not serving` : `all ${all.length} shares serving`,
    })
    return rows
  } finally {
    await gangway.exit()
    await Promise.all(anchors.map((a) => a.close()))
    await origin.close()
  }
}
