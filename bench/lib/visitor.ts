/**
 * The visitor side: real TLS to nginx, verified against the sandbox CA, with share hosts
 * resolved to loopback. Bulk transfers use curl (C, cheap on the CPU both sides share).
 */
import { execFile } from 'node:child_process'
import https from 'node:https'
import { lookupTo } from '@gangway/core'
import type { BenchContext } from './context.js'

export function visitorAgent(ctx: BenchContext, options: https.AgentOptions = {}): https.Agent {
  return new https.Agent({ ca: ctx.ca, lookup: lookupTo('127.0.0.1'), keepAlive: false, maxSockets: Infinity, ...options })
}

export interface Got {
  status: number
  bytes: number
  ms: number
}

export function get(url: string, agent: https.Agent, timeoutMs = 20_000): Promise<Got> {
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent, timeout: timeoutMs }, (res) => {
      let bytes = 0
      res.on('data', (c: Buffer) => (bytes += c.length))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - t0 }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
  })
}

/** Polls every `everyMs` until `url` answers 200; resolves with Date.now() of that answer. */
export async function until200(url: string, agent: https.Agent, timeoutMs = 60_000, everyMs = 10): Promise<number> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const r = await get(url, agent, 2_000).catch(() => undefined)
    if (r?.status === 200) return Date.now()
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`)
}

function hostPort(url: string): string {
  const u = new URL(url)
  return `${u.hostname}:${u.port || 443}:127.0.0.1`
}

/** curl transfer; `upload` is a file path. Returns bytes/s and the HTTP status. */
export function curl(ctx: BenchContext, url: string, upload?: string): Promise<{ status: number; bytesPerSec: number; bytes: number; body: string; httpVersion: string }> {
  const args = ['-sS', '--cacert', ctx.info.caFile, '--resolve', hostPort(url), '-w', '\n%{http_code} %{speed_download} %{speed_upload} %{size_download} %{size_upload} %{http_version}']
  if (upload) args.push('-T', upload, '-H', 'Expect:')
  else args.push('-o', '/dev/null')
  args.push(url)
  return new Promise((resolve, reject) =>
    execFile('curl', args, { maxBuffer: 1 << 20, timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`curl ${url}: ${err.message} ${stderr}`))
      const lines = stdout.trim().split('\n')
      const fields = lines.pop()!.split(' ')
      const [code, down, up, sizeDown, sizeUp] = fields.map(Number)
      resolve({ status: code!, bytesPerSec: upload ? up! : down!, bytes: upload ? sizeUp! : sizeDown!, body: lines.join('\n'), httpVersion: fields[5] ?? '' })
    }),
  )
}
