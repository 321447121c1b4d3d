/**
 * `pnpm bench [p1 p2 ...]`: starts a private sandbox proxy, runs each figure for Gangway
 * and for OpenSSH `ssh -R` side by side, prints the table and writes
 * bench/results/latest.json (+ latest.md, the README's table; `pnpm bench ab` → ab.json). Ratios are reported,
 * never asserted: >1× means Gangway did better.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { benchContext } from './lib/context.js'
import { machine } from './lib/machine.js'
import { BUSY_FOREIGN_CORES, BUSY_LOAD, foreignCpu, loadAverage, settle } from './lib/hygiene.js'
import { markdownTable, ratio, terminalTable, type Row } from './lib/table.js'
import type { BenchContext } from './lib/context.js'
import { p1 } from './p1-bulk.js'
import { p2 } from './p2-small.js'
import { p3 } from './p3-wan.js'
import { p4 } from './p4-time-to-url.js'
import { p5 } from './p5-recovery.js'
import { p6 } from './p6-footprint.js'
import { p7 } from './p7-scale.js'
import { p8 } from './p8-page-load.js'
import { ab } from './ab.js'
import { prof } from './profile.js'
import { vhostAb } from './vhost-ab.js'

const SCENARIOS: Record<string, (ctx: BenchContext) => Promise<Row[]>> = { p1, p2, p3, p4, p5, p6, p7, p8 }
/** Run only when named: before/after measurements of core changes. */
const EXTRA: Record<string, (ctx: BenchContext) => Promise<Row[]>> = { ab, prof, vhost: vhostAb }

const wanted = process.argv.slice(2).map((a) => a.toLowerCase())
const unknown = wanted.filter((w) => !(w in SCENARIOS) && !(w in EXTRA))
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(', ')}; choose from ${[...Object.keys(SCENARIOS), ...Object.keys(EXTRA)].join(' ')}`)
  process.exit(2)
}
const chosen = wanted.length ? wanted : Object.keys(SCENARIOS)

const started = Date.now()
const out = fileURLToPath(new URL('./results/', import.meta.url))
mkdirSync(out, { recursive: true })
const rows: Row[] = []
const failures: string[] = []
// A before/after run (only extras named) gets its own file and leaves latest.* alone.
const stem = chosen.every((n) => n in EXTRA) ? chosen.join('-') : 'latest'

/** Written after every figure, so a run cut short keeps what it measured. */
function save(): string {
  const m = machine()
  const date = new Date(started).toISOString().slice(0, 16).replace('T', ' ')
  const busy = rows.filter((r) => r.busy).length
  const about = `Measured ${date} UTC on ${m.cpu}, ${m.cores} cores, Linux ${m.kernel}, Node ${m.node}, ${m.openssh}, nginx ${m.nginx}; ` +
    `load column: 1-min load average before → after each figure, and the cores other processes used during it; load average at the end ${m.load}` +
    (busy ? `; ${busy} rows measured on a busy machine (⚠): not for quoting` : '; no figure was measured on a busy machine')
  const result = { date: new Date(started).toISOString(), machine: m, scenarios: chosen, rows: rows.map((r) => ({ ...r, ratio: ratio(r) })), failures }
  writeFileSync(`${out}${stem}.json`, JSON.stringify(result, null, 2) + '\n')
  writeFileSync(`${out}${stem}.md`, `${markdownTable(rows)}\n\n${about}\n`)
  return about
}

const ctx = await benchContext()
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void ctx.close().finally(() => process.exit(130)))
try {
  for (const name of chosen) {
    // Let the previous figure's own load decay first, then measure what others take meanwhile.
    const before = await settle()
    const t0 = Date.now()
    process.stderr.write(`bench: ${name}… (load ${before.toFixed(2)})\n`)
    const others = foreignCpu(() => [process.pid, ...Object.values(ctx.info.pids)])
    try {
      const got = await (SCENARIOS[name] ?? EXTRA[name])!(ctx)
      const load = { before, after: loadAverage(), foreignCores: others.stop() }
      const busy = load.before >= BUSY_LOAD || load.foreignCores >= BUSY_FOREIGN_CORES
      if (busy) process.stderr.write(`bench: WARNING ${name} measured on a busy machine (load before ${load.before.toFixed(2)}, other processes ${load.foreignCores.toFixed(2)} cores): marked, do not quote\n`)
      rows.push(...got.map((r) => ({ ...r, load, ...(busy && { busy }) })))
    } catch (err) {
      failures.push(`${name}: ${(err as Error).stack ?? err}`)
      process.stderr.write(`bench: ${name} failed: ${(err as Error).message}\n`)
    }
    process.stderr.write(`bench: ${name} took ${((Date.now() - t0) / 1000).toFixed(0)} s\n`)
    save()
  }
} finally {
  await ctx.close()
}

const about = save()
console.log(terminalTable(rows))
console.log(`\n${about}; ${((Date.now() - started) / 1000).toFixed(0)} s`)
for (const f of failures) console.log(`FAILED ${f}`)

process.exit(failures.length ? 1 : 0)
