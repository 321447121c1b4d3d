/**
 * `pnpm start`: the bot on http://127.0.0.1:3000/slack/events. Share it in another
 * terminal with `gangway http 3000 -s slack-bot`.
 */
import { startSlackBot } from './bot.js'

const signingSecret = process.env.SLACK_SIGNING_SECRET
if (!signingSecret) {
  console.error('Set SLACK_SIGNING_SECRET (your Slack app → Basic Information → Signing Secret).')
  process.exit(2)
}
const bot = await startSlackBot({ signingSecret, port: Number(process.env.PORT ?? 3000), botToken: process.env.SLACK_BOT_TOKEN })
console.log(`slack-bot listening on http://127.0.0.1:${bot.port}/slack/events`)
process.once('SIGINT', () => void bot.stop().then(() => process.exit(0)))
