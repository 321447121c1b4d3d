/**
 * A visitor's request to a share's public URL, the one way tests and the bench make it
 * (core's visitUrl, behind checkPublicUrl too): real TLS verified against the proxy's CA,
 * every share name resolved to the proxy's address (SNI and Host are the share's). No
 * vitest here: https.ts adds the test run's sandbox as the default; a test with a proxy of
 * its own (a sandbox, a VPS) passes `to`.
 */
import { readFileSync } from 'node:fs'
import type http from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import https from 'node:https'
import { lookupTo } from '@gangway/core'
import { visitUrl } from '@gangway/core/testing'
import { pollUntil, type PollOptions } from './wait.js'

/** Where visitors go: the CA they trust and the address every share name resolves to (a SandboxInfo is one). */
export interface VisitorTarget {
  caFile: string
  resolveTo: string
}

export interface PublicResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  text: string
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string | string[]>
  body?: Buffer | string
  /** An agent of your own (keep-alive, another CA); by default a fresh connection per request. */
  agent?: http.Agent
  /** @default 20_000 */
  timeoutMs?: number
}

/** An https.Agent for visitors of `to`'s shares; `options` may replace the CA or keep connections alive. */
export function visitorAgent(to: VisitorTarget, options: https.AgentOptions = {}): https.Agent {
  return new https.Agent({ ca: readFileSync(to.caFile), lookup: lookupTo(to.resolveTo), keepAlive: false, ...options })
}

/** GET (or `method`) `url` as a visitor of `to` (or through `agent`); `http:` URLs go plain to the same address. */
export async function visitorRequest(url: string, options: RequestOptions & { to?: VisitorTarget }): Promise<PublicResponse> {
  const { to, timeoutMs = 20_000, ...request } = options
  if (!request.agent && !to) throw new Error(`visitorRequest(${url}) needs an agent or a target`)
  const res = await visitUrl(url, { ...request, ca: to && readFileSync(to.caFile), resolveTo: to?.resolveTo, timeoutMs })
  return { status: res.status, headers: res.headers, body: res.body, text: res.body.toString('utf8') }
}

/** Polls `url` until its answer satisfies `want` (a share coming up, going offline); resolves with that answer. */
export function waitForAnswer(
  url: string,
  want: (r: PublicResponse) => boolean,
  options: RequestOptions & { to?: VisitorTarget } & Omit<PollOptions, 'what'> = {},
): Promise<PublicResponse> {
  const { timeoutMs = 30_000, everyMs = 200, ...request } = options
  return pollUntil(() => visitorRequest(url, { timeoutMs: 5_000, ...request }), want, { timeoutMs, everyMs, what: `${url} to reach the wanted state` })
}
