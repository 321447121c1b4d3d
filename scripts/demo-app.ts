/**
 * The app the demo shares: the Vite playground (playground/vite-app) with its
 * `gangway()` plugin, started the way `pnpm dev` starts it. The plugin opens the tunnel
 * and prints the Public URL inside Vite's own banner.
 */
import { fileURLToPath } from 'node:url'
import { createServer } from 'vite'

export async function startPlayground(): Promise<{ name: string; close(): Promise<void> }> {
  const root = fileURLToPath(new URL('../playground/vite-app', import.meta.url))
  const server = await createServer({ root, configLoader: 'runner', server: { host: '127.0.0.1' } })
  await server.listen()
  server.printUrls()
  return { name: 'gangway-vite-app', close: () => server.close() }
}
