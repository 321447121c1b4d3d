/**
 * Is the machine quiet enough to quote a figure? The 1-minute load average before a figure
 * (after waiting for the bench's own previous figure to decay) and after it, and the CPU
 * that processes outside the bench took meanwhile — the bench's own load shows in the load
 * average, so the share of others is measured directly: /proc/stat's busy time minus the
 * CPU of the bench's process tree (its children, the sandbox daemons and their children).
 */
import { readdirSync, readFileSync } from 'node:fs'

/** A figure is marked busy when the load before it or others' CPU during it passes these. */
export const BUSY_LOAD = 1.5
export const BUSY_FOREIGN_CORES = 0.25

export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
}

/** Waits (up to `maxMs`) until the 1-minute load average is below BUSY_LOAD; returns it. */
export async function settle(maxMs = 90_000): Promise<number> {
  const deadline = Date.now() + maxMs
  let load = loadAverage()
  while (load >= BUSY_LOAD && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5_000))
    load = loadAverage()
  }
  return load
}

const TICK_MS = 10 // USER_HZ

function busyMs(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) * TICK_MS
}

/** CPU ms of the trees under `roots`, children already reaped included (cutime/cstime). */
function treeMs(roots: number[]): number {
  const parent = new Map<number, number>()
  const cpu = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      parent.set(Number(entry), Number(f[1]))
      cpu.set(Number(entry), (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS)
    } catch {
      // exited meanwhile
    }
  }
  const ours = new Set(roots)
  let total = 0
  for (const [pid, ms] of cpu) {
    for (let p: number | undefined = pid, hops = 0; p && hops < 64; p = parent.get(p), hops++) {
      if (ours.has(p)) {
        total += ms
        break
      }
    }
  }
  return total
}

export interface ForeignMeter {
  /** average cores other processes used since start */
  stop(): number
}

export function foreignCpu(roots: () => number[]): ForeignMeter {
  const t0 = performance.now()
  const busy0 = busyMs()
  const ours0 = treeMs(roots())
  return {
    stop() {
      const wall = performance.now() - t0
      const foreign = busyMs() - busy0 - (treeMs(roots()) - ours0)
      return Math.max(0, foreign) / wall
    },
  }
}
