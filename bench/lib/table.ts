/** Result rows, the terminal table and the README's markdown table. */
export interface Row {
  figure: string
  metric: string
  unit: string
  /** one value per run, in run order */
  gangway: number[]
  openssh: number[]
  /** 'higher' when more is better (throughput), 'lower' for times and memory */
  better: 'higher' | 'lower'
  note?: string
  /** P8: Gangway's median / the seed chain's (the anchor column) */
  vsSeed?: number
  /** P8: Gangway's median / the bound (direct load + TLS + one round trip of each leg per waterfall round) */
  vsBound?: number
  /** P4: Gangway's median / a bare ssh2 connect + auth + forward, same run */
  vsHandshake?: number
  /** 1-minute load average when the figure started (after settling) and when it ended, and
   * the CPU other work took meanwhile (cores, averaged), from run.ts */
  load?: { before: number; after: number; foreignCores: number }
  /** the machine was busy while this was measured (see load): don't quote the figure */
  busy?: boolean
}

export const median = (xs: number[]): number => {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b)
  if (!s.length) return NaN
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Gangway relative to OpenSSH, >1 = Gangway better, from the median of each side. */
export function ratio(row: Row): number {
  const g = median(row.gangway)
  const o = median(row.openssh)
  return row.better === 'higher' ? g / o : o / g
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return '–'
  const a = Math.abs(n)
  return a >= 100 ? n.toFixed(0) : a >= 10 ? n.toFixed(1) : n.toFixed(2)
}

function notes(row: Row): string {
  const parts: string[] = []
  if (row.vsSeed !== undefined) parts.push(`vsSeed ${row.vsSeed.toFixed(2)}×`)
  if (row.vsBound !== undefined) parts.push(`vsBound ${row.vsBound.toFixed(2)}×`)
  if (row.vsHandshake !== undefined) parts.push(`vsHandshake ${row.vsHandshake.toFixed(2)}×`)
  if (row.note) parts.push(row.note)
  if (row.busy) parts.push('⚠ machine busy')
  return parts.join('; ')
}

function loadCell(row: Row): string {
  const l = row.load
  return l ? `${l.before.toFixed(2)} → ${l.after.toFixed(2)}, other ${l.foreignCores.toFixed(2)}` : ''
}

function cells(row: Row): string[] {
  const r = ratio(row)
  return [
    row.figure,
    `${row.metric} (${row.unit})`,
    row.gangway.map(fmt).join(' / '),
    row.openssh.map(fmt).join(' / '),
    Number.isFinite(r) ? `${r.toFixed(2)}×` : '–',
    notes(row),
    loadCell(row),
  ]
}

const HEAD = ['fig', 'metric', 'Gangway (runs)', 'OpenSSH ssh -R (runs)', 'ratio', 'note', 'load']

export function terminalTable(rows: Row[]): string {
  const all = [HEAD, ...rows.map(cells)]
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)))
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')
}

export function markdownTable(rows: Row[]): string {
  const line = (r: string[]) => `| ${r.join(' | ')} |`
  return [line(HEAD), line(HEAD.map(() => '---')), ...rows.map((r) => line(cells(r)))].join('\n')
}
