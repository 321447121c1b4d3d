/**
 * `pnpm bench prof`: where the client's CPU goes. Runs P2's 32-connection load and P1's
 * bulk transfer against a Gangway child started with `node --cpu-prof`, reports its CPU
 * time per 10 k requests and per GiB next to OpenSSH's (same run, same vhost), and writes
 * the top self-time functions of each profile to results/profile-{small,bulk}.md.
 * Profiling slows the child down: compare profiles with profiles, not with P1/P2 figures.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startAnchor } from './lib/anchor.js'
import type { BenchContext } from './lib/context.js'
import { selfTimeTable } from './lib/cpuprofile.js'
import { startGangway } from './lib/gangway-side.js'
import { startOrigin } from './lib/origin.js'
import { cpuMs } from './lib/proc.js'
import type { Row } from './lib/table.js'
import { curl } from './lib/visitor.js'
import { wrk } from './lib/wrk.js'

const SECONDS = 10
const BULK = 256 * 1024 ** 2
const results = fileURLToPath(new URL('./results/', import.meta.url))

async function profiled(ctx: BenchContext, kind: 'small' | 'bulk', originPort: number, row: Row): Promise<void> {
  const dir = join(ctx.tmp, `prof-${kind}`)
  mkdirSync(dir, { recursive: true })
  const gangway = await startGangway(ctx, {}, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
  const g = await gangway.open(`prof-${kind}`, originPort)
  const o = await startAnchor(ctx, { name: `prof-${kind}-o`, localPort: originPort })
  try {
    for (const side of ['gangway', 'openssh'] as const) {
      const url = side === 'gangway' ? g.url! : o.url
      const pid = side === 'gangway' ? gangway.pid : o.pid()
      const c0 = cpuMs(pid)
      if (kind === 'small') {
        const r = await wrk(ctx, new URL('/small', url).href, 32, SECONDS)
        row[side].push(((cpuMs(pid) - c0) / r.requests) * 10_000)
      } else {
        const d = await curl(ctx, new URL(`/bytes/${BULK}`, url).href)
        if (d.bytes !== BULK) throw new Error(`${side}: ${d.bytes} bytes`)
        row[side].push((cpuMs(pid) - c0) / (BULK / 1024 ** 3))
      }
    }
  } finally {
    await o.close()
    await gangway.exit()
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (!file) throw new Error('no .cpuprofile written')
  mkdirSync(results, { recursive: true })
  // The raw profile (MBs) stays out of the repository; open it in Chrome DevTools.
  const keep = join(tmpdir(), `gangway-profile-${kind}.cpuprofile`)
  copyFileSync(join(dir, file), keep)
  process.stderr.write(`bench: profile of the ${kind} load: ${keep}\n`)
  writeFileSync(join(results, `profile-${kind}.md`), `# Gangway client, ${kind === 'small' ? `wrk 32 connections × ${SECONDS} s on /small` : `${BULK / 1024 ** 2} MiB download`} (node --cpu-prof)\n\n${selfTimeTable(join(dir, file))}\n`)
}

export async function prof(ctx: BenchContext): Promise<Row[]> {
  const origin = await startOrigin()
  const small: Row = { figure: 'prof', metric: 'client CPU per 10k requests, 32 conn (profiled)', unit: 'ms', gangway: [], openssh: [], better: 'lower' }
  const bulk: Row = { figure: 'prof', metric: `client CPU per GiB, download (profiled)`, unit: 'ms', gangway: [], openssh: [], better: 'lower' }
  try {
    await profiled(ctx, 'small', origin.port, small)
    await profiled(ctx, 'bulk', origin.port, bulk)
  } finally {
    await origin.close()
  }
  return [small, bulk]
}
