/** The app the demo shares: a tiny local server behind openTunnel (replaced by the Vite playground once its adapter lands). */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import chalk from 'chalk'
import { openTunnel } from '@gangway/core'

export async function startPlayground(): Promise<{ name: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8')
    res.end('<!doctype html><h1>Hello from the laptop</h1><p>Served through a Gangway tunnel.</p>\n')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const tunnel = await openTunnel({
    port,
    name: 'demo',
    logger: { info: console.log, warn: console.warn, error: console.error },
  })
  console.log(`  ${chalk.green('➜')}  ${chalk.bold('Public')}: ${chalk.cyan(tunnel.url)}  →  http://localhost:${port}`)
  return {
    name: 'demo',
    close: async () => {
      await tunnel.close()
      server.close()
    },
  }
}
