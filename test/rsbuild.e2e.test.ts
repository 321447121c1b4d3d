/**
 * @gangway/webpack/rsbuild: Rsbuild's own dev server (not webpack-dev-server) from a temp
 * copy of playground/rsbuild-app, published through the sandbox and visited in Chromium:
 * the port Rsbuild got, the URL under Rsbuild's Local line, HMR over wss on the public
 * host, the close line; and the webpack plugin misplaced in tools.rspack.plugins, which
 * cannot see Rsbuild's server and says so instead of staying silent.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createLogger, createRsbuild, type RsbuildConfig } from '@rsbuild/core'
import gangwayWebpack from '@gangway/webpack/rspack'
import { launchBrowser, waitForPublic, type SandboxBrowser } from '#test-utils'
import { copyPlayground, expectHotEdit, getWithHost, sshConnectionsFromHere, type PlaygroundCopy } from './helpers/adapters.js'

const sb = inject('sandbox')
const NAME = 'rsbuild-e2e'
const PUBLIC_URL = `https://${NAME}.${sb.domain}:${sb.httpsPort}/`
const PUBLIC_HOST = `${NAME}.${sb.domain}:${sb.httpsPort}`

/** Rsbuild's logger with every line kept (colours stripped) instead of printed. */
function capturingLogger() {
  const logger = createLogger()
  const lines: string[] = []
  const keep = (...args: unknown[]) => void lines.push(args.map(String).join(' ').replace(/\x1b\[[0-9;]*m/g, ''))
  logger.override({ log: keep, info: keep, warn: keep, error: keep, ready: keep, success: keep, start: keep, debug: keep })
  return { logger, lines, text: () => lines.join('\n') }
}

async function loadConfig(app: PlaygroundCopy): Promise<RsbuildConfig> {
  const url = `${pathToFileURL(join(app.dir, 'rsbuild.config.mjs')).href}?t=${Date.now()}`
  return (await import(/* @vite-ignore */ url)).default as RsbuildConfig
}

describe('@gangway/webpack/rsbuild end to end (Rsbuild dev server)', () => {
  let app: PlaygroundCopy
  let browser: SandboxBrowser
  let server: { port: number; server: { close(): Promise<void> } }
  const log = capturingLogger()

  beforeAll(async () => {
    app = copyPlayground('rsbuild-app')
    app.edit('rsbuild.config.mjs', 'gangway()', `gangway({ name: '${NAME}' })`)
    const config = await loadConfig(app)
    // A list: Rsbuild then checks Host, and the plugin must add the public host to it.
    config.server = { host: '127.0.0.1', port: 0, allowedHosts: ['mine.test'] }
    config.customLogger = log.logger
    config.mode = 'development' // what `rsbuild dev` sets; vitest's NODE_ENV=test would turn HMR off
    const rsbuild = await createRsbuild({ cwd: app.dir, config })
    server = (await rsbuild.startDevServer()) as never
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.server.close()
    app?.remove()
  })

  it('publishes the port Rsbuild got and prints the URL under its Local line; no needless warnings', async () => {
    await waitForPublic(PUBLIC_URL, (r) => r.status === 200 && r.text.includes('Gangway + Rsbuild'))
    await expect.poll(() => log.text(), { timeout: 10_000 }).toContain(`➜  Public:  ${PUBLIC_URL}`)
    const local = log.lines.findIndex((l) => l.includes(`Local:`) && l.includes(`:${server.port}/`))
    expect(local).toBeGreaterThanOrEqual(0)
    expect(log.lines.findIndex((l) => l.includes('➜  Public:'))).toBeGreaterThan(local)
    expect(sshConnectionsFromHere()).toBe(1)
    expect(log.text()).not.toContain('is ignored') // Rsbuild's own dev.client defaults already follow the page
  })

  it('renders in Chromium; HMR over wss on the public host; an edit arrives without a reload', async () => {
    await expectHotEdit(browser.context, {
      url: PUBLIC_URL,
      host: PUBLIC_HOST,
      edit: () => app.edit('src/message.js', "'Hello from a local dev server'", "'Hello through the tunnel'"),
    })
  })

  it("the public host joined the user's allowedHosts list; a foreign Host is still refused", async () => {
    expect((await getWithHost(server.port, 'evil.example.com')).status).toBe(403)
    expect((await getWithHost(server.port, 'mine.test')).status).toBe(200)
    expect((await getWithHost(server.port, PUBLIC_HOST)).status).toBe(200)
  })

  it('closing the dev server closes the share and says so', async () => {
    await server.server.close()
    await expect.poll(sshConnectionsFromHere, { timeout: 10_000 }).toBe(0)
    await expect.poll(() => log.text()).toContain(`[gangway] Share closed: ${PUBLIC_URL} is offline.`)
  })

  it('the webpack plugin in tools.rspack.plugins sees no dev server and says what to use instead', async () => {
    const misplaced = capturingLogger()
    const config = await loadConfig(app)
    config.plugins = []
    config.server = { host: '127.0.0.1', port: 0 }
    config.tools = { rspack: { plugins: [gangwayWebpack({ name: NAME })], infrastructureLogging: { level: 'info', stream: { write: (s: string) => void misplaced.lines.push(s), isTTY: false } as never } } }
    config.customLogger = misplaced.logger
    const rsbuild = await createRsbuild({ cwd: app.dir, config })
    const dev = await rsbuild.startDevServer()
    try {
      await expect.poll(() => misplaced.text(), { timeout: 15_000 }).toContain('no dev server reported listening, so nothing is shared')
      expect(misplaced.text()).toContain("import gangway from '@gangway/webpack/rsbuild'")
      expect(sshConnectionsFromHere()).toBe(0)
    } finally {
      await dev.server.close()
    }
  })
})
