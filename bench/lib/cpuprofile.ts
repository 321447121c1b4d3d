/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and sums self time by function, so a profile
 * can be compared before/after a change as a short table instead of a flame graph.
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

export interface SelfTime {
  name: string
  where: string
  ms: number
  share: number
}

/** `where` is shortened to the package or the repository path. */
function shortUrl(url: string): string {
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url)
  if (pkg) return `${pkg[1]}/${pkg[2]}`
  const repo = /\/(packages\/.*|bench\/.*)$/.exec(url)
  if (repo) return repo[1]!
  return url.replace(/^node:/, '')
}

export function selfTimes(file: string): { totalMs: number; idleMs: number; rows: SelfTime[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const sums = new Map<string, SelfTime>()
  let totalMs = 0
  let idleMs = 0
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!)!
    // timeDeltas[i] is the time since the previous sample: charge it to this sample.
    const ms = (p.timeDeltas[i] ?? 0) / 1000
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)') {
      idleMs += ms
      continue
    }
    totalMs += ms
    const name = functionName || '(anonymous)'
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : ''
    const key = `${name} ${where}`
    const row = sums.get(key) ?? { name, where, ms: 0, share: 0 }
    row.ms += ms
    sums.set(key, row)
  }
  const rows = [...sums.values()].sort((a, b) => b.ms - a.ms)
  for (const r of rows) r.share = r.ms / totalMs
  return { totalMs, idleMs, rows }
}

export function selfTimeTable(file: string, top = 25): string {
  const { totalMs, idleMs, rows } = selfTimes(file)
  const lines = [`busy ${totalMs.toFixed(0)} ms, idle ${idleMs.toFixed(0)} ms`, '', '| self % | self ms | function | where |', '| ---: | ---: | --- | --- |']
  for (const r of rows.slice(0, top)) lines.push(`| ${(r.share * 100).toFixed(1)} | ${r.ms.toFixed(0)} | ${r.name} | ${r.where} |`)
  return lines.join('\n')
}
