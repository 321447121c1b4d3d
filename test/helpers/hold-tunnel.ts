/**
 * A workstation process holding one share, for crash tests: serves "hello from LABEL"
 * (or tunnels to HOLD_TUNNEL_PORT when set), prints "online URL" and keeps the tunnel
 * until it is killed.
 *   tsx hold-tunnel.ts NAME LABEL   (config, client id, hold rules from GANGWAY_CONFIG /
 *                                    GANGWAY_CLIENT_ID / GANGWAY_HOLD)
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { openTunnel } from '@gangway/core'

const [name, label] = process.argv.slice(2)
let port = Number(process.env.HOLD_TUNNEL_PORT)
if (!port) {
  const server = createServer((_req, res) => res.end(`hello from ${label}`))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
}
const log = (m: string) => process.stderr.write(`${m}\n`)
const tunnel = await openTunnel({ port, localHost: '127.0.0.1', name, logger: { info: log, warn: log, error: log } })
process.stdout.write(`online ${tunnel.url}\n`)

// A test run killed midway must not leave this process holding a share for hours.
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) process.exit(0)
}, 1000).unref()
