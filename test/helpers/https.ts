/**
 * Requests to a share's public URL as a visitor makes them: real TLS, verified against
 * the sandbox CA, with the share's host name resolved to the sandbox's address.
 */
import { readFileSync } from 'node:fs'
import https from 'node:https'
import type { IncomingHttpHeaders } from 'node:http'
import { lookupTo } from '@gangway/core'
import { inject } from 'vitest'

export interface PublicResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  text: string
}

export function sandboxAgent(options: https.AgentOptions = {}): https.Agent {
  const sb = inject('sandbox')
  return new https.Agent({ ca: readFileSync(sb.caFile), lookup: lookupTo(sb.resolveTo), keepAlive: false, ...options })
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string | string[]>
  body?: Buffer | string
  agent?: https.Agent
  timeoutMs?: number
}

export function publicRequest(url: string, options: RequestOptions = {}): Promise<PublicResponse> {
  const agent = options.agent ?? sandboxAgent()
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: options.method ?? 'GET', headers: options.headers, agent, timeout: options.timeoutMs ?? 20_000 }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') })
      })
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`timeout requesting ${url}`)))
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Polls until the URL answers with `status` (or the predicate holds), for state changes. */
export async function waitForPublic(url: string, want: (r: PublicResponse) => boolean, timeoutMs = 30_000): Promise<PublicResponse> {
  const deadline = Date.now() + timeoutMs
  let last: PublicResponse | Error | undefined
  while (Date.now() < deadline) {
    try {
      last = await publicRequest(url, { timeoutMs: 5_000 })
      if (want(last)) return last
    } catch (err) {
      last = err as Error
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${url} did not reach the wanted state in ${timeoutMs} ms; last: ${last instanceof Error ? last.message : `${last?.status} ${last?.text.slice(0, 200)}`}`)
}
