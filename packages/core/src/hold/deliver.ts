/**
 * Delivering what the proxy held while the share was offline: oldest first, each to the
 * local server with the headers it would have had through the proxy, and acknowledged
 * (removed from the proxy's store) only once the local server answered. A delivery the
 * client did not live to acknowledge comes again with a higher attempt number in
 * X-Gangway-Held, so an app can tell a repeat.
 *
 * Held requests go first after a reconnect; live requests flow meanwhile, so a new
 * webhook may reach the app before the last held one (they are interleaved, not queued).
 */
import type { Client as SshClient } from 'ssh2'
import type { Logger, ResolvedShare } from '../types.js'
import { runAgent } from '../ssh/exec.js'
import type { ExchangeStore } from '../inspect/store.js'
import { sendRequest, type ReplayTarget } from '../inspect/replay.js'
import type { Resigner } from './resign.js'

interface HeldRecord {
  id: number
  method: string
  uri: string
  headers: [string, string][]
  remote: string
  /** When the proxy received it, epoch ms (the proxy's clock). */
  received: number
  attempts: number
  body: string
}

/**
 * Headers only the proxy may say (the vhost writes or clears the same for live requests):
 * whatever the visitor sent under these names is dropped.
 */
const VOUCHED = new Set([
  'host', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-for', 'x-real-ip', 'forwarded',
  'x-forwarded-port', 'x-forwarded-ssl', 'x-forwarded-server', 'x-forwarded-prefix',
  'x-client-ip', 'true-client-ip', 'cf-connecting-ip', 'x-cluster-client-ip', 'fastly-client-ip',
  'x-gangway-held', 'x-gangway-resign',
])

export function deliveryHeaders(share: ResolvedShare, record: Pick<HeldRecord, 'headers' | 'remote' | 'id' | 'attempts' | 'received'>, auth: boolean): [string, string][] {
  const kept = record.headers
    .filter(([n]) => !VOUCHED.has(n.toLowerCase()) && !(auth && n.toLowerCase() === 'authorization'))
    .map(([n, v]): [string, string] => (auth && n.toLowerCase() === 'cookie' ? [n, v.replace(/(^|;\s*)gw_session=[^;]*/g, '').replace(/^;\s*/, '')] : [n, v]))
    .filter(([n, v]) => !(n.toLowerCase() === 'cookie' && v === ''))
  const forFor = record.remote.includes(':') ? `"[${record.remote}]"` : record.remote
  return [
    ['Host', share.host],
    ...kept,
    ['X-Forwarded-Host', share.host],
    ['X-Forwarded-Proto', 'https'],
    ['X-Forwarded-Port', String(share.publicPort)],
    ['X-Forwarded-Ssl', 'on'],
    ['X-Forwarded-For', record.remote],
    ['X-Real-IP', record.remote],
    ['Forwarded', `for=${forFor};proto=https;host="${share.host}"`],
    ['X-Gangway-Held', `id=${record.id}; attempt=${record.attempts}; received=${new Date(record.received).toISOString()}`],
  ]
}

export interface DeliveryOptions {
  share: ResolvedShare
  target: ReplayTarget
  /** The share has basic auth: the password never reaches the app (as live requests). */
  auth: boolean
  resigner: Resigner | undefined
  /** Where deliveries are recorded (the inspector's store, or a small private one). */
  store: ExchangeStore
  logger: Logger | undefined
}

export type DrainResult = 'done' | 'local-down'

/**
 * Takes and delivers everything the proxy holds for the share, one at a time: each
 * exchange with the proxy acknowledges the last delivery and takes the next.
 */
export async function drainHeld(client: SshClient, o: DeliveryOptions): Promise<DrainResult> {
  const host = o.share.hostname
  let ack: number | undefined
  for (;;) {
    const reply = await runAgent(client, 'held', ['--host', host, ...(ack === undefined ? [] : ['--ack', String(ack)])], 60_000)
    const record = reply.held as HeldRecord | null
    if (!record) return 'done'
    ack = undefined
    const body = Buffer.from(record.body, 'base64')
    let headers = deliveryHeaders(o.share, record, o.auth)
    let resign: string | undefined
    if (o.resigner) {
      const result = o.resigner.resign(headers, body, record.received)
      resign = result.outcome
      headers = result.headers
      if (result.outcome !== 'resigned') {
        headers.push(['X-Gangway-Resign', `not re-signed: ${result.detail}`])
        o.logger?.warn(`Held ${record.method} ${record.uri} (#${record.id}) delivered as it came, not re-signed: ${result.detail}`)
      }
    }
    const ex = await sendRequest(o.store, { source: 'held', held: { id: record.id, attempt: record.attempts, receivedAt: record.received, resign } },
      { method: record.method, path: record.uri, headers, body }, o.target)
    if (!ex.response) {
      o.logger?.warn(`Held ${record.method} ${record.uri} (#${record.id}) not delivered (${ex.error}); it stays on the proxy until the local server answers.`)
      return 'local-down'
    }
    ack = record.id
    const waited = Math.round((Date.now() - record.received) / 1000)
    o.logger?.info(`Delivered held ${record.method} ${record.uri} (#${record.id}, held ${waited} s${resign === 'resigned' ? ', re-signed' : ''}) → ${ex.response.status}`)
  }
}
