/**
 * The visitor side: real TLS to nginx, verified against the sandbox CA, with share hosts
 * resolved to loopback. Bulk transfers use curl (C, cheap on the CPU both sides share).
 */
import { execFile } from 'node:child_process'
import type https from 'node:https'
import { visitUrl } from '@gangway/core/testing'
import { visitorAgent as testVisitorAgent, waitForAnswer } from '../../test/helpers/visitor.js'
import type { BenchContext } from './context.js'

/** The tests' visitor (test/helpers/visitor.ts): ctx's CA (the sandbox's, or one a figure made), every share name at 127.0.0.1. */
export function visitorAgent(ctx: Pick<BenchContext, 'ca' | 'info'>, options: https.AgentOptions = {}): https.Agent {
  return testVisitorAgent({ caFile: ctx.info.caFile, resolveTo: '127.0.0.1' }, { ca: ctx.ca, maxSockets: Infinity, ...options })
}

export interface Got {
  status: number
  bytes: number
  ms: number
}

/** One visitor request (core's visitUrl, as the tests make it). */
export async function get(url: string, agent: https.Agent, timeoutMs = 20_000): Promise<Got> {
  const res = await visitUrl(url, { agent, timeoutMs })
  return { status: res.status, bytes: res.body.length, ms: res.ms }
}

/** Polls every `everyMs` until `url` answers 200; resolves with Date.now() of that answer. */
export async function until200(url: string, agent: https.Agent, timeoutMs = 60_000, everyMs = 10): Promise<number> {
  await waitForAnswer(url, (r) => r.status === 200, { agent, timeoutMs, everyMs })
  return Date.now()
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
