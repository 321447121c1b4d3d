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
}

const median = (xs: number[]) => {
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

function cells(row: Row): string[] {
  const r = ratio(row)
  return [
    row.figure,
    `${row.metric} (${row.unit})`,
    row.gangway.map(fmt).join(' / '),
    row.openssh.map(fmt).join(' / '),
    Number.isFinite(r) ? `${r.toFixed(2)}×` : '–',
    row.note ?? '',
  ]
}

const HEAD = ['fig', 'metric', 'Gangway (runs)', 'OpenSSH ssh -R (runs)', 'ratio', 'note']

export function terminalTable(rows: Row[]): string {
  const all = [HEAD, ...rows.map(cells)]
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)))
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')
}

export function markdownTable(rows: Row[]): string {
  const line = (r: string[]) => `| ${r.join(' | ')} |`
  return [line(HEAD), line(HEAD.map(() => '---')), ...rows.map((r) => line(cells(r)))].join('\n')
}
