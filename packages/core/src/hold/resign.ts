/**
 * Re-signing a webhook delivered late (held while the share was offline, or replayed):
 * Slack, Stripe and Standard Webhooks sign a timestamp that receivers accept for five
 * minutes. The original signature is checked over the original timestamp, and that
 * timestamp must lie within those five minutes of when the request really arrived (the
 * proxy's clock for a held request), so an old captured request cannot be laundered into
 * a fresh one. Only then is it signed again with the current time; anything else is
 * delivered as it came, and flagged.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { GangwayError } from '../errors.js'

export type ResignScheme = 'slack' | 'stripe' | 'standard-webhooks'

/** Where each scheme's secret comes from: the environment, never an option or argv. */
export const RESIGN_SECRETS: Record<ResignScheme, string> = {
  slack: 'SLACK_SIGNING_SECRET',
  stripe: 'STRIPE_WEBHOOK_SECRET',
  'standard-webhooks': 'WEBHOOK_SECRET',
}

export const RESIGN_WINDOW_S = 300

export interface Resigned {
  headers: [string, string][]
  /** 'resigned': signed anew; the others: delivered unchanged. */
  outcome: 'resigned' | 'bad-signature' | 'too-old' | 'unsigned'
  detail: string
}

export interface Resigner {
  scheme: ResignScheme
  resign(headers: [string, string][], body: Buffer, receivedAt: number, now?: number): Resigned
}

/** The scheme's secret from the environment; a clear error when it is missing. */
export function resignerFor(scheme: ResignScheme, env: NodeJS.ProcessEnv = process.env): Resigner {
  if (!(scheme in RESIGN_SECRETS)) {
    throw new GangwayError('CONFIG_INVALID', `resign "${scheme}" is not a scheme`, { hint: `Use one of ${Object.keys(RESIGN_SECRETS).join(', ')}.` })
  }
  const secret = env[RESIGN_SECRETS[scheme]]
  if (!secret) {
    throw new GangwayError('CONFIG_MISSING', `resign ${scheme} needs the signing secret in ${RESIGN_SECRETS[scheme]}`, {
      hint: `Export ${RESIGN_SECRETS[scheme]} (the same secret your app verifies with) before starting.`,
    })
  }
  const sign = SCHEMES[scheme]
  return { scheme, resign: (headers, body, receivedAt, now = Date.now()) => sign(secret, headers, body, receivedAt, now) }
}

const hmac = (key: string | Buffer, data: string | Buffer) => createHmac('sha256', key).update(data)

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function header(headers: [string, string][], name: string): string | undefined {
  return headers.find(([n]) => n.toLowerCase() === name)?.[1]
}

function replaced(headers: [string, string][], values: Record<string, string>): [string, string][] {
  const names = new Set(Object.keys(values))
  return [...headers.filter(([n]) => !names.has(n.toLowerCase())), ...Object.entries(values).map(([n, v]) => [n, v] as [string, string])]
}

function withinWindow(timestampS: number, receivedAt: number): boolean {
  return Number.isFinite(timestampS) && Math.abs(timestampS * 1000 - receivedAt) <= RESIGN_WINDOW_S * 1000
}

type Sign = (secret: string, headers: [string, string][], body: Buffer, receivedAt: number, now: number) => Resigned

const unchanged = (headers: [string, string][], outcome: Resigned['outcome'], detail: string): Resigned => ({ headers, outcome, detail })

const SCHEMES: Record<ResignScheme, Sign> = {
  // X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body))
  slack(secret, headers, body, receivedAt, now) {
    const ts = header(headers, 'x-slack-request-timestamp')
    const signature = header(headers, 'x-slack-signature')
    if (!ts || !signature) return unchanged(headers, 'unsigned', 'no X-Slack-Signature')
    const expected = 'v0=' + hmac(secret, Buffer.concat([Buffer.from(`v0:${ts}:`), body])).digest('hex')
    if (!equal(signature, expected)) return unchanged(headers, 'bad-signature', 'X-Slack-Signature does not match the body')
    if (!withinWindow(Number(ts), receivedAt)) return unchanged(headers, 'too-old', 'signed more than 5 minutes before it arrived')
    const fresh = String(Math.floor(now / 1000))
    return {
      headers: replaced(headers, {
        'x-slack-request-timestamp': fresh,
        'x-slack-signature': 'v0=' + hmac(secret, Buffer.concat([Buffer.from(`v0:${fresh}:`), body])).digest('hex'),
      }),
      outcome: 'resigned',
      detail: `timestamp ${ts} → ${fresh}`,
    }
  },
  // Stripe-Signature: t=ts,v1=hex(HMAC-SHA256(secret, ts + "." + body))[,v1=…]
  stripe(secret, headers, body, receivedAt, now) {
    const value = header(headers, 'stripe-signature')
    if (!value) return unchanged(headers, 'unsigned', 'no Stripe-Signature')
    const parts = value.split(',').map((p) => p.trim().split('=') as [string, string])
    const ts = parts.find(([k]) => k === 't')?.[1]
    const expected = ts && hmac(secret, Buffer.concat([Buffer.from(`${ts}.`), body])).digest('hex')
    if (!ts || !parts.some(([k, v]) => k === 'v1' && v !== undefined && equal(v, expected!))) return unchanged(headers, 'bad-signature', 'Stripe-Signature does not match the body')
    if (!withinWindow(Number(ts), receivedAt)) return unchanged(headers, 'too-old', 'signed more than 5 minutes before it arrived')
    const fresh = String(Math.floor(now / 1000))
    return {
      headers: replaced(headers, { 'stripe-signature': `t=${fresh},v1=${hmac(secret, Buffer.concat([Buffer.from(`${fresh}.`), body])).digest('hex')}` }),
      outcome: 'resigned',
      detail: `t ${ts} → ${fresh}`,
    }
  },
  // webhook-signature: v1,base64(HMAC-SHA256(base64-decoded secret, id + "." + ts + "." + body))
  'standard-webhooks'(secret, headers, body, receivedAt, now) {
    const id = header(headers, 'webhook-id')
    const ts = header(headers, 'webhook-timestamp')
    const signatures = header(headers, 'webhook-signature')
    if (!id || !ts || !signatures) return unchanged(headers, 'unsigned', 'no webhook-id/webhook-timestamp/webhook-signature')
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
    const sign = (t: string) => hmac(key, Buffer.concat([Buffer.from(`${id}.${t}.`), body])).digest('base64')
    const expected = sign(ts)
    if (!signatures.split(' ').some((s) => s.startsWith('v1,') && equal(s.slice(3), expected))) return unchanged(headers, 'bad-signature', 'webhook-signature does not match the body')
    if (!withinWindow(Number(ts), receivedAt)) return unchanged(headers, 'too-old', 'signed more than 5 minutes before it arrived')
    const fresh = String(Math.floor(now / 1000))
    return {
      headers: replaced(headers, { 'webhook-timestamp': fresh, 'webhook-signature': `v1,${sign(fresh)}` }),
      outcome: 'resigned',
      detail: `webhook-timestamp ${ts} → ${fresh}`,
    }
  },
}
