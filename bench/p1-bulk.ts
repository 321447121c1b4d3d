/**
 * P1 bulk: 1 GiB down and 1 GiB up through the public HTTPS URL, with each cipher forced
 * on sshd for both sides. Runs alternate which side goes first. Also the client's CPU
 * time per GiB (less noisy than MB/s on a shared 2-core box).
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { startAnchor } from './lib/anchor.js'
import { DEFAULT_CIPHER, type BenchContext } from './lib/context.js'
import { startGangway } from './lib/gangway-side.js'
import { startOrigin } from './lib/origin.js'
import { cpuMs } from './lib/proc.js'
import type { Row } from './lib/table.js'
import { curl } from './lib/visitor.js'

const GIB = 1024 ** 3
const CIPHERS = [DEFAULT_CIPHER, 'chacha20-poly1305@openssh.com']
const RUNS = 2

/** A file of `bytes` (a multiple of 1 MiB) to upload. */
export function uploadFile(dir: string, bytes = GIB): string {
  const file = join(dir, `upload-${bytes}.bin`)
  const fd = openSync(file, 'w')
  const block = Buffer.alloc(1 << 20, 'upload-bench ')
  for (let i = 0; i < bytes / block.length; i++) writeSync(fd, block)
  closeSync(fd)
  return file
}

export async function p1(ctx: BenchContext): Promise<Row[]> {
  const origin = await startOrigin()
  const upload = uploadFile(ctx.tmp)
  const gangway = await startGangway(ctx)
  const rows: Row[] = []
  try {
    for (const cipher of CIPHERS) {
      await ctx.setCipher(cipher)
      const short = cipher.split(/[-@]/)[0]
      const g = await gangway.open('p1-gangway', origin.port)
      const o = await startAnchor(ctx, { name: 'p1-openssh', localPort: origin.port })
      const sides = { gangway: { url: g.url!, pid: () => gangway.pid }, openssh: { url: o.url, pid: o.pid } }
      const down: Row = { figure: 'P1', metric: `1 GiB download, ${short}`, unit: 'MB/s', gangway: [], openssh: [], better: 'higher' }
      const up: Row = { figure: 'P1', metric: `1 GiB upload, ${short}`, unit: 'MB/s', gangway: [], openssh: [], better: 'higher' }
      const cpu: Row = { figure: 'P1', metric: `client CPU per GiB moved, ${short}`, unit: 'ms', gangway: [], openssh: [], better: 'lower' }
      for (let run = 0; run < RUNS; run++) {
        const order = run % 2 ? (['openssh', 'gangway'] as const) : (['gangway', 'openssh'] as const)
        for (const side of order) {
          const { url, pid } = sides[side]
          const c0 = cpuMs(pid())
          const d = await curl(ctx, new URL(`/bytes/${GIB}`, url).href)
          const u = await curl(ctx, new URL('/sink', url).href, upload)
          const c1 = cpuMs(pid())
          if (d.status !== 200 || d.bytes !== GIB) throw new Error(`${side} download: HTTP ${d.status}, ${d.bytes} bytes`)
          if (u.status !== 200 || JSON.parse(u.body).size !== GIB) throw new Error(`${side} upload: HTTP ${u.status}, ${u.body}`)
          down[side].push(d.bytesPerSec / 1e6)
          up[side].push(u.bytesPerSec / 1e6)
          // The visitor's protocol is the edge's choice (HTTP/2 once the agent offers it): say which.
          down.note = `visitor HTTP/${d.httpVersion}`
          up.note = `visitor HTTP/${u.httpVersion}`
          cpu[side].push((c1 - c0) / 2)
        }
      }
      rows.push(down, up, cpu)
      await gangway.close('p1-gangway')
      await o.close()
    }
  } finally {
    await gangway.exit()
    await origin.close()
    await ctx.setCipher(DEFAULT_CIPHER)
  }
  return rows
}
