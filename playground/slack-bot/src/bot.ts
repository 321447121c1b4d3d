/**
 * A small Slack Events API bot on Bolt's HTTPReceiver, with signature verification
 * on (Bolt answers 401 to a request whose X-Slack-Signature does not match the raw
 * body). It records every app_mention and message it gets, so a developer (or a test)
 * can see what arrived: a log line each, and GET /received.
 */
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { App, HTTPReceiver, LogLevel } from '@slack/bolt'

export interface ReceivedEvent {
  type: string
  eventId?: string
  user?: string
  text?: string
  /** From X-Slack-Retry-Num: Slack's retry count when an earlier delivery failed. */
  retryNum?: number
  /** From X-Slack-Retry-Reason, e.g. http_timeout. */
  retryReason?: string
  /** From X-Gangway-Held: the proxy held it while the tunnel was down (id, attempt, when). */
  held?: string
  receivedAt: string
}

export interface SlackBotOptions {
  /** The app's Signing Secret (Basic Information → App Credentials). Required. */
  signingSecret: string
  /** Local port. @default 3000; 0 picks a free one */
  port?: number
  /** @default '127.0.0.1': only the tunnel needs to reach it */
  host?: string
  /**
   * Bot token (xoxb-…) to answer mentions in the channel. Without it the bot only
   * records events and makes no call to Slack's Web API.
   */
  botToken?: string
  /** @default console.log */
  log?: (line: string) => void
}

export interface SlackBot {
  port: number
  /** Events recorded so far, oldest first. */
  received: ReceivedEvent[]
  stop(): Promise<void>
}

export async function startSlackBot(options: SlackBotOptions): Promise<SlackBot> {
  if (!options.signingSecret) throw new Error('a signing secret is required: Bolt checks every request with it')
  const log = options.log ?? ((line: string) => console.log(line))
  const received: ReceivedEvent[] = []

  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: '/slack/events',
    // Gangway delivers events held while the tunnel was down with X-Gangway-Held; a second
    // attempt (the client died before its ack) says so, for de-duplication.
    customPropertiesExtractor: (req) => ({ gangwayHeld: req.headers['x-gangway-held'] }),
    customRoutes: [
      {
        path: '/received',
        method: 'GET',
        handler: (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ count: received.length, events: received }))
        },
      },
    ],
  })
  const app = new App({
    receiver,
    logLevel: LogLevel.WARN,
    // A real token lets the bot reply; without one, authorize offline so no Web API
    // call (auth.test) is made — the bot still verifies and records every event.
    ...(options.botToken ? { token: options.botToken } : { authorize: async () => ({ botId: 'B_LOCAL', botUserId: 'U_LOCAL' }) }),
  })

  const record = (type: string, event: { user?: string; text?: string }, body: { event_id?: string }, context: { retryNum?: number; retryReason?: string; gangwayHeld?: unknown }) => {
    const entry: ReceivedEvent = {
      type,
      eventId: body.event_id,
      user: event.user,
      text: event.text,
      retryNum: context.retryNum,
      retryReason: context.retryReason,
      held: typeof context.gangwayHeld === 'string' ? context.gangwayHeld : undefined,
      receivedAt: new Date().toISOString(),
    }
    received.push(entry)
    const retry = (entry.retryNum ? ` (retry ${entry.retryNum}: ${entry.retryReason})` : '') + (entry.held ? ` (held: ${entry.held})` : '')
    log(`slack-bot: ${type} ${entry.eventId ?? ''} from ${entry.user ?? '?'}: ${JSON.stringify(entry.text ?? '')}${retry}`)
  }

  app.event('app_mention', async ({ event, body, context, say }) => {
    record('app_mention', event, body, context)
    if (options.botToken) await say(`Hi <@${event.user}>, I got your mention through Gangway.`)
  })
  app.event('message', async ({ event, body, context }) => {
    record('message', event as { user?: string; text?: string }, body, context)
  })

  const server = (await app.start({ port: options.port ?? 3000, host: options.host ?? '127.0.0.1' })) as Server
  return {
    port: (server.address() as AddressInfo).port,
    received,
    stop: () => app.stop().then(() => undefined),
  }
}
