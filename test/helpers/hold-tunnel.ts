/**
 * A workstation process holding one share, for crash tests: serves "hello from LABEL",
 * prints "online URL" and keeps the tunnel until it is killed.
 *   tsx hold-tunnel.ts NAME LABEL   (config and client id from GANGWAY_CONFIG / GANGWAY_CLIENT_ID)
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { openTunnel } from '@gangway/core'

const [name, label] = process.argv.slice(2)
const server = createServer((_req, res) => res.end(`hello from ${label}`))
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const tunnel = await openTunnel({ port: (server.address() as AddressInfo).port, name })
process.stdout.write(`online ${tunnel.url}\n`)
