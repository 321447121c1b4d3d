/**
 * Issue 15: webhooks while the laptop sleeps. The playground's real Bolt app (signature
 * verification on) behind a share that holds POST /slack/events: while the tunnel is down
 * the proxy answers and keeps Slack's requests; when it is back they reach Bolt in order,
 * once each, re-signed where that is sound. The proxy's clock is set 6 minutes back
 * (faketime around the hold store) so that the held events are honestly older than
 * Bolt's 5-minute window when they are delivered.
 */
import { spawn } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { listShares, openTunnel, type Tunnel } from '@gangway/core'
import { restartHolds } from '@gangway/core/testing'
import { publicRequest } from '#test-utils'
import { startSlackBot, type SlackBot } from '../playground/slack-bot/src/bot.js'
import { eventCallback, signedRequest } from './helpers/slack.js'

const sb = inject('sandbox')
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5'
const HOLD = fileURLToPath(new URL('./helpers/hold-tunnel.ts', import.meta.url))
const holdDir = join(sb.dir, 'agent', 'held')
const SIX_MINUTES = 360

const until = (what: string, check: () => boolean | Promise<boolean>, ms = 20_000) =>
  expect.poll(check, { timeout: ms, interval: 100, message: `${what}: not in ${ms} ms` }).toBe(true)

describe('webhooks held by the proxy while the share is offline', () => {
  let bot: SlackBot
  const tunnels: Tunnel[] = []
  const logged: string[] = []
  const logger = { info: (m: string) => logged.push(m), warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) }

  const share = async (name: string, extra: Partial<Parameters<typeof openTunnel>[0]> = {}) => {
    const tunnel = await openTunnel({ port: bot.port, localHost: '127.0.0.1', name, hold: ['POST:/slack/events'], logger, ...extra })
    tunnels.push(tunnel)
    return tunnel
  }
  const urlOf = (name: string) => `https://${name}.${sb.domain}:${sb.httpsPort}/slack/events`
  const mentions = (prefix: string) => bot.received.filter((e) => e.eventId?.startsWith(prefix))

  beforeAll(async () => {
    process.env.SLACK_SIGNING_SECRET = SECRET
    bot = await startSlackBot({ signingSecret: SECRET, port: 0, log: () => {} })
  })
  afterAll(async () => {
    await Promise.all(tunnels.map((t) => t.close()))
    await bot?.stop()
    await restartHolds(sb) // the sandbox's own clock again, for the files after this one
  })

  it('holds five signed events at once, then Bolt gets them in order, once each, re-signed', async () => {
    const first = await share('held-bot', { resign: 'slack' })
    await first.close() // the laptop goes to sleep
    await restartHolds(sb, { wrap: ['faketime', '-f', `-${SIX_MINUTES}s`] }) // …six minutes ago, as the proxy sees it

    const sentAt = Math.floor(Date.now() / 1000) - SIX_MINUTES // Slack signed them then
    for (let i = 1; i <= 5; i++) {
      const t0 = performance.now()
      const res = await publicRequest(urlOf('held-bot'), signedRequest(SECRET, eventCallback(`EvHELD${i}`, `held ${i}`), { timestamp: sentAt }))
      const ms = performance.now() - t0
      expect([res.status, res.text]).toEqual([200, ''])
      expect(ms).toBeLessThan(1000) // Slack waits 3 s; the proxy answers itself
    }
    expect((await listShares()).find((s) => s.host === `held-bot.${sb.domain}`)).toMatchObject({ online: false, held: 5 })
    expect(mentions('EvHELD')).toHaveLength(0)

    const back = await share('held-bot', { resign: 'slack', inspect: 0 }) // back
    await until('five events in Bolt', () => mentions('EvHELD').length >= 5)
    await new Promise((r) => setTimeout(r, 500)) // and no more than five
    const got = mentions('EvHELD')
    expect(got.map((e) => e.eventId)).toEqual(['EvHELD1', 'EvHELD2', 'EvHELD3', 'EvHELD4', 'EvHELD5'])
    expect(got.every((e) => /^id=\d+; attempt=1; received=/.test(e.held ?? ''))).toBe(true)
    expect((await listShares()).find((s) => s.host === `held-bot.${sb.domain}`)).toMatchObject({ online: true, held: 0 })
    expect(logged.filter((l) => l.startsWith('Delivered held POST /slack/events') && l.includes('re-signed'))).toHaveLength(5)
    // The inspector shows them as held, then delivered, with Bolt's answer.
    const url = new URL(back.inspectorUrl!)
    const list = (await (await fetch(new URL('/api/requests', url), { headers: { authorization: `Bearer ${url.searchParams.get('token')}` } })).json()) as {
      requests: Array<{ source: string; status?: number; held?: { attempt: number; receivedAt: number; resign?: string } }>
    }
    const held = list.requests.filter((r) => r.source === 'held')
    expect(held).toHaveLength(5)
    expect(held.every((r) => r.status === 200 && r.held?.resign === 'resigned' && r.held.attempt === 1)).toBe(true)
  }, 60_000)

  it('does not re-sign a held request that was changed, nor one already 6 minutes old when it arrived: Bolt rejects both', async () => {
    const t = await share('held-strict', { resign: 'slack' })
    await t.close()
    await restartHolds(sb) // the proxy's clock is right: a 6-minute-old signature is old on arrival
    const now = Math.floor(Date.now() / 1000)
    const stale = await publicRequest(urlOf('held-strict'), signedRequest(SECRET, eventCallback('EvSTALE', 'old on arrival'), { timestamp: now - SIX_MINUTES }))
    const good = await publicRequest(urlOf('held-strict'), signedRequest(SECRET, eventCallback('EvTAMPER', 'changed while held'), { timestamp: now }))
    expect([stale.status, good.status]).toEqual([200, 200])
    // Someone with access to the proxy's disk changes the held body (the same length).
    const dir = join(holdDir, readdirSync(holdDir).find((d) => readdirSync(join(holdDir, d)).some((f) => f.endsWith('.body') && readFileSync(join(holdDir, d, f), 'utf8').includes('EvTAMPER')))!)
    const file = readdirSync(dir).map((f) => join(dir, f)).find((f) => f.endsWith('.body') && readFileSync(f, 'utf8').includes('EvTAMPER'))!
    writeFileSync(file, readFileSync(file, 'utf8').replace('changed while held', 'changed while HELD'))

    const before = bot.received.length
    await share('held-strict', { resign: 'slack' })
    await until('both answered', () => logged.filter((l) => l.startsWith('Delivered held') && l.includes('→ 401')).length >= 2)
    expect(logged.filter((l) => l.includes('not re-signed: signed more than 5 minutes before it arrived'))).toHaveLength(1)
    expect(logged.filter((l) => l.includes('not re-signed: X-Slack-Signature does not match the body'))).toHaveLength(1)
    expect(bot.received.length).toBe(before) // Bolt verified and refused both
  }, 60_000)

  it('a full store answers 503 with Retry-After; nothing held is lost when the proxy restarts', async () => {
    const agentConfig = JSON.parse(readFileSync(sb.agentConfig, 'utf8')) as { hold: Record<string, unknown> }
    const saved = JSON.stringify(agentConfig)
    writeFileSync(sb.agentConfig, JSON.stringify({ ...agentConfig, hold: { ...agentConfig.hold, maxCount: 2 } }))
    try {
      await restartHolds(sb)
      const t = await share('held-full')
      await t.close()
      const now = Math.floor(Date.now() / 1000)
      const answers = []
      for (let i = 1; i <= 3; i++) answers.push(await publicRequest(urlOf('held-full'), signedRequest(SECRET, eventCallback(`EvFULL${i}`, 'x'), { timestamp: now })))
      expect(answers.map((a) => a.status)).toEqual([200, 200, 503])
      expect(answers[2]!.headers['retry-after']).toBe('60')
    } finally {
      writeFileSync(sb.agentConfig, saved)
    }
    await restartHolds(sb) // the proxy restarts while holding two
    expect((await listShares()).find((s) => s.host === `held-full.${sb.domain}`)).toMatchObject({ held: 2 })
    await share('held-full')
    await until('both delivered after the restart', () => mentions('EvFULL').length === 2)
    expect(mentions('EvFULL').map((e) => e.eventId)).toEqual(['EvFULL1', 'EvFULL2'])
  }, 60_000)

  it('a client killed mid-delivery: the event it did not acknowledge comes again, marked attempt=2; none is handled twice unmarked', async () => {
    // A dev server that records every delivery and is slow to answer the second event.
    const seen: Array<{ event: string; held: string }> = []
    let release: () => void = () => {}
    const slow = new Promise<void>((r) => (release = r))
    const app = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c))
      req.on('end', () => {
        const event = (JSON.parse(body) as { event_id: string }).event_id
        seen.push({ event, held: String(req.headers['x-gangway-held']) })
        if (event === 'EvKILL2' && seen.filter((s) => s.event === 'EvKILL2').length === 1) void slow.then(() => res.end('ok'))
        else res.end('ok')
      })
    })
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r))
    const port = (app.address() as AddressInfo).port
    const client = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', HOLD, 'held-kill', 'K'], {
        env: { ...process.env, HOLD_TUNNEL_PORT: String(port), GANGWAY_HOLD: 'POST:/slack/events' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const online = new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('online ') && resolve())
        child.once('exit', (code) => reject(new Error(`client exited ${code}`)))
      })
      return { child, online }
    }
    try {
      const first = client()
      await first.online
      first.child.kill('SIGKILL')
      await until('offline', async () => (await publicRequest(urlOf('held-kill').replace('/slack/events', '/'))).status === 503)
      const now = Math.floor(Date.now() / 1000)
      for (let i = 1; i <= 3; i++) expect((await publicRequest(urlOf('held-kill'), signedRequest(SECRET, eventCallback(`EvKILL${i}`, 'x'), { timestamp: now }))).status).toBe(200)

      const second = client()
      await second.online
      await until('the second event reached the app', () => seen.some((s) => s.event === 'EvKILL2'))
      second.child.kill('SIGKILL') // before the app answered: no acknowledgement
      release()
      const third = client()
      await third.online
      await until('all delivered', () => seen.filter((s) => s.event === 'EvKILL3').length === 1)
      third.child.kill('SIGKILL')
      const times = (id: string) => seen.filter((s) => s.event === id).map((s) => /attempt=(\d+)/.exec(s.held)?.[1])
      const all = JSON.stringify(seen)
      // Each event reached the app; only the one whose answer the client never saw came twice,
      // and the repeat says so. (An attempt number counts hand-outs: a hand-out lost with a
      // dying session counts too, so attempt=2 may also mark an event delivered only once.)
      expect(times('EvKILL1'), all).toHaveLength(1)
      expect(times('EvKILL2'), all).toEqual(['1', '2'])
      expect(times('EvKILL3'), all).toHaveLength(1)
    } finally {
      app.closeAllConnections()
      app.close()
    }
  }, 90_000)
})
