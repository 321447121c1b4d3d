/**
 * `pnpm share`: the bot, its Gangway share and the request inspector from code, in one
 * process — what `pnpm start` + `gangway http 3000` do, for a bot that owns its tunnel.
 */
import { openTunnel, startInspector } from '@gangway/core'
import { startSlackBot } from './bot.js'

const signingSecret = process.env.SLACK_SIGNING_SECRET
if (!signingSecret) {
  console.error('Set SLACK_SIGNING_SECRET (your Slack app → Basic Information → Signing Secret).')
  process.exit(2)
}
const bot = await startSlackBot({ signingSecret, port: Number(process.env.PORT ?? 3000), botToken: process.env.SLACK_BOT_TOKEN })
const inspector = await startInspector({ localPort: bot.port, localHost: '127.0.0.1' })
const tunnel = await openTunnel({ port: bot.port, localHost: '127.0.0.1', name: process.env.GANGWAY_NAME ?? 'slack-bot', tap: inspector.tap, logger: console })
console.log(`Request URL (paste once into Event Subscriptions): ${new URL('slack/events', tunnel.url)}`)
console.log(`Inspector: ${inspector.url}`)
process.once('SIGINT', async () => {
  await tunnel.close()
  await inspector.close()
  await bot.stop()
  process.exit(0)
})
