/**
 * A visitor's request to a share's public URL, verifying TLS against the profile's CA
 * file when it has one and connecting to `resolveTo` when DNS does not know the name.
 * checkPublicUrl is what the demo uses to prove the URL really answers; visitUrl is the
 * request itself, which the tests and the bench make too (through @gangway/core/testing).
 */
import { readFileSync } from 'node:fs'
import http, { type IncomingHttpHeaders } from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import type { ResolvedShare } from '../types.js'

export interface UrlCheck {
  status: number
  /** TLS chain verified against the CA (system store, or the share's caFile). */
  verified: boolean
  ms: number
}

/**
 * A `lookup` for node:net/https that resolves every name to `address`: for share names
 * DNS does not know (the sandbox's *.gangway.test, a test proxy's address).
 */
export function lookupTo(address: string): LookupFunction {
  const family = address.includes(':') ? 6 : 4
  return (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }])
    else cb(null, address, family)
  }
}

export interface VisitOptions {
  method?: string
  headers?: Record<string, string | string[]>
  body?: Buffer | string
  /** CA to verify against (PEM); default: the system store. */
  ca?: string | Buffer
  /** Connect here whatever the name (lookupTo); default: DNS. */
  resolveTo?: string
  /** An agent of the caller's (keep-alive, its own CA and lookup); default: one connection per request. */
  agent?: http.Agent
  /** @default 10_000 */
  timeoutMs?: number
}

export interface Visit {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  /** From the request to the last byte of the body (performance.now: fractions of a ms). */
  ms: number
}

/**
 * One request to `url` as a visitor makes it (`http:` URLs plain): the one implementation
 * behind checkPublicUrl, the tests' visitor requests and the bench's.
 */
export function visitUrl(url: string | URL, options: VisitOptions = {}): Promise<Visit> {
  const { timeoutMs = 10_000 } = options
  const target = new URL(url)
  const client = target.protocol === 'http:' ? http : https
  const start = performance.now()
  const connection = options.agent
    ? { agent: options.agent }
    : { agent: false as const, ca: options.ca, lookup: options.resolveTo ? lookupTo(options.resolveTo) : undefined }
  return new Promise((resolve, reject) => {
    const req = client.request(target, { method: options.method ?? 'GET', headers: options.headers, timeout: timeoutMs, ...connection }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - start }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.href} in ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(options.body)
  })
}

export async function checkPublicUrl(share: ResolvedShare, path = '/', timeoutMs = 10_000): Promise<UrlCheck> {
  const res = await visitUrl(new URL(path, share.url), { ca: share.caFile ? readFileSync(share.caFile) : undefined, resolveTo: share.resolveTo, timeoutMs })
  return { status: res.status, verified: true, ms: res.ms }
}
