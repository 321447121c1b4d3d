/**
 * Slack's side of the Events API, for tests: requests signed as Slack signs them
 * (HMAC-SHA256 of "v0:" + timestamp + ":" + raw body with the signing secret).
 * Not exported from #test-utils: imported by the Slack tests directly.
 */
import { createHmac } from 'node:crypto'

export function slackSignature(secret: string, timestamp: string, rawBody: string): string {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')
}

export interface SignedRequest {
  method: 'POST'
  headers: Record<string, string>
  body: string
}

/** A POST as Slack sends it; `signedBody` lets a test sign one body and send another. */
export function signedRequest(secret: string, body: string, options: { signedBody?: string; headers?: Record<string, string>; timestamp?: number } = {}): SignedRequest {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000))
  return {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'X-Slack-Request-Timestamp': timestamp,
      'X-Slack-Signature': slackSignature(secret, timestamp, options.signedBody ?? body),
      ...options.headers,
    },
    body,
  }
}

export function eventCallback(eventId: string, text: string): string {
  return JSON.stringify({
    token: 'legacy-token',
    team_id: 'T0GANGWAY',
    api_app_id: 'A0GANGWAY',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_mention', user: 'U0VISITOR', text: `<@U_LOCAL> ${text}`, channel: 'C0GENERAL', ts: '1700000000.000100', event_ts: '1700000000.000100' },
  })
}
