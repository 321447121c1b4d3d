/**
 * Visitor requests to the test run's sandbox (global-setup.ts): visitor.ts with
 * inject('sandbox') as the default target.
 */
import type https from 'node:https'
import { inject } from 'vitest'
import { visitorAgent, visitorRequest, waitForAnswer, type PublicResponse, type RequestOptions } from './visitor.js'

export type { PublicResponse, RequestOptions } from './visitor.js'

export function sandboxAgent(options: https.AgentOptions = {}): https.Agent {
  return visitorAgent(inject('sandbox'), options)
}

export function publicRequest(url: string, options: RequestOptions = {}): Promise<PublicResponse> {
  return visitorRequest(url, { to: options.agent ? undefined : inject('sandbox'), ...options })
}

/** Polls until the URL answers with `status` (or the predicate holds), for state changes. */
export function waitForPublic(url: string, want: (r: PublicResponse) => boolean, timeoutMs = 30_000): Promise<PublicResponse> {
  return waitForAnswer(url, want, { to: inject('sandbox'), timeoutMs })
}
