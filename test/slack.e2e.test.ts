/**
 * Issue 6, Slack end to end: the playground's real Bolt app (signature verification
 * on) behind a sandbox share with the inspector on. Requests are signed as Slack signs
 * them and POSTed to the public URL; Bolt itself decides whether they are genuine.
 */
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTunnel, startInspector, type Inspector, type Tunnel } from '@gangway/core'
import { launchBrowser, publicRequest } from '#test-utils'
import { startSlackBot, type SlackBot } from '../playground/slack-bot/src/bot.js'
import { eventCallback, signedRequest } from './helpers/slack.js'

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5'

describe('Slack Events API through a share', () => {
  let bot: SlackBot
  let inspector: Inspector
  let tunnel: Tunnel
  let events: string
  const logged: string[] = []

  const received = async () => JSON.parse((await publicRequest(new URL('received', tunnel.url).href)).text) as { count: number; events: SlackBot['received'] }

  beforeAll(async () => {
    bot = await startSlackBot({ signingSecret: SECRET, port: 0, log: (l) => logged.push(l) })
    inspector = await startInspector({ localPort: bot.port, localHost: '127.0.0.1', port: 0 })
    tunnel = await openTunnel({ port: bot.port, localHost: '127.0.0.1', name: 'slack-bot', tap: inspector.tap })
    events = new URL('slack/events', tunnel.url).href
  })
  afterAll(async () => {
    await tunnel?.close()
    await inspector?.close()
    await bot?.stop()
  })

  it('answers url_verification through the tunnel (time logged, Slack allows 3 s)', async () => {
    const body = JSON.stringify({ token: 'legacy-token', challenge: 'gangway-challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' })
    const start = performance.now()
    const res = await publicRequest(events, signedRequest(SECRET, body))
    const ms = performance.now() - start
    console.log(`url_verification answered through the share in ${ms.toFixed(1)} ms (a fresh TLS connection included)`)
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toEqual({ challenge: 'gangway-challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' })
  })

  it('delivers a signed event_callback that Bolt verifies, and rejects the same body altered by one byte', async () => {
    const body = eventCallback('Ev0GANGWAY1', 'deploy the thing')
    const ok = await publicRequest(events, signedRequest(SECRET, body))
    expect(ok.status).toBe(200)
    expect((await received()).events.at(-1)).toMatchObject({ type: 'app_mention', eventId: 'Ev0GANGWAY1', text: '<@U_LOCAL> deploy the thing' })
    expect(logged.at(-1)).toContain('app_mention Ev0GANGWAY1')

    const before = (await received()).count
    const altered = body.replace('deploy the thing', 'deploy the thinh') // one byte
    expect(altered.length).toBe(body.length)
    const forged = await publicRequest(events, signedRequest(SECRET, altered, { signedBody: body }))
    expect(forged.status).toBe(401)
    expect((await received()).count).toBe(before)
  })

  it('passes X-Slack-Retry-Num and X-Slack-Retry-Reason to the app', async () => {
    const body = eventCallback('Ev0GANGWAY2', 'are you there?')
    const res = await publicRequest(events, signedRequest(SECRET, body, { headers: { 'X-Slack-Retry-Num': '2', 'X-Slack-Retry-Reason': 'http_timeout' } }))
    expect(res.status).toBe(200)
    expect((await received()).events.at(-1)).toMatchObject({ eventId: 'Ev0GANGWAY2', retryNum: 2, retryReason: 'http_timeout' })
  })

  it('shows the event in the inspector (headers, JSON body) and replays it to the app from the page', async () => {
    const original = inspector.store.list().find((e) => e.request.body.bytes().includes('Ev0GANGWAY1') && e.response?.status === 200)!
    expect(original).toBeDefined()
    const sb = await launchBrowser()
    try {
      const page = await sb.context.newPage()
      await page.goto(inspector.url)
      const row = page.locator(`#list tr[data-id="${original.id}"]`)
      await expect.poll(() => row.count()).toBe(1)
      await expect.poll(() => row.textContent()).toContain('/slack/events')
      await row.click()
      const detail = page.locator('#detail')
      await expect.poll(() => detail.textContent()).toContain('X-Slack-Signature')
      const text = (await detail.textContent())!
      expect(text).toContain('X-Slack-Request-Timestamp')
      const json = await page.locator('#detail pre.json').first().textContent()
      expect(json).toContain('"type": "event_callback"') // pretty-printed, not the raw one-liner
      expect(json).toContain('"event_id": "Ev0GANGWAY1"')
      await page.screenshot({ path: '/tmp/gangway-inspector-slack.png' })

      // Replay: the app must receive the same event again (seen on the app's side). The
      // recorded timestamp is seconds old, inside Bolt's 5-minute window, so it verifies.
      const before = bot.received.filter((e) => e.eventId === 'Ev0GANGWAY1').length
      await page.locator('#replay').click()
      await expect.poll(() => bot.received.filter((e) => e.eventId === 'Ev0GANGWAY1').length).toBe(before + 1)
      await expect.poll(() => detail.textContent()).toContain(`replay of #${original.id}`)
      const replay = inspector.store.list().find((e) => e.replayOf === original.id)!
      expect(replay.response?.status).toBe(200)
      await expect.poll(() => page.locator('#list tr').filter({ hasText: `replay of #${original.id}` }).count()).toBe(1)
      await page.screenshot({ path: '/tmp/gangway-inspector-replayed.png' })
    } finally {
      await sb.close()
    }
  })
})
