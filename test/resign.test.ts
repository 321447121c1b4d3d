/**
 * Re-signing late webhooks, checked by each provider's own verifier: Stripe's SDK
 * (stripe.webhooks.constructEvent) and the Standard Webhooks library; Slack's is Bolt,
 * in held-webhooks.e2e.test.ts. A request is signed anew only when its signature holds
 * and was made within 5 minutes of its arrival.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import Stripe from 'stripe'
import { Webhook } from 'standardwebhooks'
import { resignerFor } from '@gangway/core'

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0)
const body = Buffer.from('{"id":"evt_1","type":"payment_intent.succeeded","data":{}}')
const seconds = (ms: number) => Math.floor(ms / 1000)

describe('re-signing late deliveries', () => {
  it('stripe: a late event verifies with Stripe\'s own SDK after re-signing; a changed or stale one is left as it came', () => {
    const secret = 'whsec_test_gangway'
    const stripe = new Stripe('sk_test_unused')
    const arrived = NOW - 10 * 60_000 // held for 10 minutes
    const t = seconds(arrived) - 2
    const header = `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`
    const resigner = resignerFor('stripe', { STRIPE_WEBHOOK_SECRET: secret })
    const verify = (headers: [string, string][]) =>
      stripe.webhooks.constructEvent(body.toString(), headers.find(([n]) => n.toLowerCase() === 'stripe-signature')![1], secret, 300, undefined, NOW)
    expect(() => verify([['Stripe-Signature', header]])).toThrow(/tolerance/i) // as delivered, 10 minutes late
    const fresh = resigner.resign([['Stripe-Signature', header]], body, arrived, NOW)
    expect(fresh.outcome).toBe('resigned')
    expect(verify(fresh.headers).id).toBe('evt_1')
    expect(resigner.resign([['Stripe-Signature', header]], Buffer.from(body.toString().replace('evt_1', 'evt_2')), arrived, NOW).outcome).toBe('bad-signature')
    // Already 6 minutes old when the proxy got it: a replay of a captured request, not re-signed.
    expect(resigner.resign([['Stripe-Signature', header]], body, arrived + 6 * 60_000, NOW).outcome).toBe('too-old')
    expect(resigner.resign([['Content-Type', 'application/json']], body, arrived, NOW).outcome).toBe('unsigned')
  })

  it('standard-webhooks: a late message verifies with the Standard Webhooks library after re-signing', () => {
    const secret = 'whsec_' + Buffer.from('gangway standard webhooks secret').toString('base64')
    const wh = new Webhook(secret)
    const arrived = NOW - 20 * 60_000
    const ts = seconds(arrived)
    const id = 'msg_2Kd9'
    const signature = wh.sign(id, new Date(ts * 1000), body.toString())
    const headers: [string, string][] = [['webhook-id', id], ['webhook-timestamp', String(ts)], ['webhook-signature', signature], ['content-type', 'application/json']]
    const resigner = resignerFor('standard-webhooks', { WEBHOOK_SECRET: secret })
    const fresh = resigner.resign(headers, body, arrived, Date.now())
    expect(fresh.outcome).toBe('resigned')
    expect(wh.verify(body.toString(), Object.fromEntries(fresh.headers))).toEqual(JSON.parse(body.toString()))
    expect(() => wh.verify(body.toString(), Object.fromEntries(headers))).toThrow() // 20 minutes late as it came
    expect(resigner.resign(headers, Buffer.from('{}'), arrived, Date.now()).outcome).toBe('bad-signature')
  })

  it('needs its secret from the environment, and a known scheme', () => {
    expect(() => resignerFor('slack', {})).toThrow(/SLACK_SIGNING_SECRET/)
    expect(() => resignerFor('github' as never, {})).toThrow(/not a scheme/)
  })
})
