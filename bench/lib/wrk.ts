/**
 * Small-request load with Debian's `wrk` (C: leaves the 2 cores to the parts measured).
 * wrk sends the URL's host as SNI and resolves it with the system resolver, so it runs in
 * a private mount namespace whose /etc/hosts maps the share hosts to loopback. One thread: the machine's 2 cores serve every part.
 */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BenchContext } from './context.js'

export interface WrkResult {
  /** completed requests in the run */
  requests: number
  reqPerSec: number
  p50ms: number
  p99ms: number
  errors: number
  /** wrk's own words about the errors (socket errors, non-2xx), when there were any */
  errorText?: string
}

function ms(value: string, unit: string): number {
  const n = Number(value)
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n
}

export function parseWrk(out: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)
  const total = /(\d+) requests in /.exec(out)
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)`, 'm').exec(out)
    return m ? ms(m[1]!, m[2]!) : NaN
  }
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)
  const errors = (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0)
  if (!rps) throw new Error(`cannot read wrk output:\n${out}`)
  const errorText = [socket?.[0], non2xx?.[0]].filter(Boolean).join('; ') || undefined
  return { errorText, requests: total ? Number(total[1]) : NaN, reqPerSec: Number(rps[1]), p50ms: pct('50'), p99ms: pct('99'), errors }
}

export function wrk(ctx: BenchContext, url: string, connections: number, seconds: number): Promise<WrkResult> {
  const host = new URL(url).hostname
  const hosts = join(ctx.tmp, `hosts-${host}`)
  writeFileSync(hosts, `127.0.0.1 localhost\n127.0.0.1 ${host}\n`)
  const script = `mount --bind "$1" /etc/hosts && exec wrk -t1 -c${connections} -d${seconds}s --latency --timeout 10s "$2"`
  return new Promise((resolve, reject) =>
    execFile('unshare', ['-m', 'sh', '-c', script, 'sh', hosts, url], { timeout: (seconds + 30) * 1000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`wrk: ${err.message} ${stderr}`))
      try {
        resolve(parseWrk(stdout))
      } catch (e) {
        reject(e)
      }
    }),
  )
}
