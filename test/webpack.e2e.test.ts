/**
 * Issue 4's proof for @gangway/webpack: webpack + webpack-dev-server 6 (run as a
 * plugin, as `webpack serve` does) from a temp copy of playground/webpack-app, published
 * through the sandbox and visited in headless Chromium on gangway.test. The copy sets
 * `devServer.host: '127.0.0.1'`: the trap where the HMR client would dial
 * ws://127.0.0.1:PORT directly, which works on this machine and nowhere else.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import webpack, { type Configuration } from 'webpack'
import WebpackDevServer from 'webpack-dev-server'
import { launchBrowser, publicRequest, waitForPublic, type SandboxBrowser } from '#test-utils'
import { copyPlayground, expectHotEdit, getWithHost, maxDuring, sshConnectionsFromHere, type PlaygroundCopy } from './helpers/adapters.js'

const sb = inject('sandbox')
const NAME = 'webpack-e2e'
const PUBLIC_URL = `https://${NAME}.${sb.domain}:${sb.httpsPort}/`
const PUBLIC_HOST = `${NAME}.${sb.domain}:${sb.httpsPort}`

async function loadConfig(app: PlaygroundCopy, log: { text: string }): Promise<Configuration> {
  const url = `${pathToFileURL(join(app.dir, 'webpack.config.js')).href}?t=${Date.now()}`
  const config = (await import(/* @vite-ignore */ url)).default as Configuration
  config.infrastructureLogging = { level: 'info', colors: false, appendOnly: true, stream: { write: (s: string) => void (log.text += s), isTTY: false } as never }
  config.stats = 'none'
  return config
}

describe('@gangway/webpack end to end (webpack-dev-server)', () => {
  let app: PlaygroundCopy
  let compiler: webpack.Compiler
  let watching: webpack.Watching
  let server: WebpackDevServer
  let browser: SandboxBrowser
  const log = { text: '' }

  beforeAll(async () => {
    app = copyPlayground('webpack-app')
    app.edit('webpack.config.js', 'gangway()', `gangway({ name: '${NAME}' })`)
    app.edit('webpack.config.js', "devServer: { port: 'auto' }", "devServer: { host: '127.0.0.1', port: 'auto' }")
    const config = await loadConfig(app, log)
    // What webpack-cli 7 does for `webpack serve` with webpack-dev-server 6.
    server = new WebpackDevServer({ ...(config.devServer as object), setupExitSignals: false })
    config.plugins = [...(config.plugins ?? []), server as never]
    compiler = webpack(config)
    watching = compiler.watch({}, () => {})!
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    if (compiler) await new Promise<void>((r) => compiler.close(() => r()))
    app?.remove()
  })

  it("publishes the port 'auto' picked and prints the URL through the infrastructure logger", async () => {
    const res = await waitForPublic(PUBLIC_URL, (r) => r.status === 200 && r.text.includes('Gangway + webpack'))
    expect(res.text).toContain('<p id="message"></p>')
    const port = ((server as unknown as { server: Server }).server.address() as { port: number }).port
    expect(port).toBeGreaterThan(0)
    await expect.poll(() => log.text).toContain(`<i> [gangway] Public: ${PUBLIC_URL}`)
    expect(sshConnectionsFromHere()).toBe(1)
  })

  it('renders in Chromium with no console errors; HMR socket on the public host; an edit arrives by HMR', async () => {
    await expectHotEdit(browser.context, {
      url: PUBLIC_URL,
      host: PUBLIC_HOST,
      edit: () => app.edit('src/message.js', "'Hello from a local dev server'", "'Hello through the tunnel'"),
      onLoad: async (page) => {
        expect(await page.content()).not.toContain('Invalid Host')
        expect(await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol)).toBe('h2')
      },
    })
  })

  it('a foreign Host is still refused by the dev server', async () => {
    const port = ((server as unknown as { server: Server }).server.address() as { port: number }).port
    const foreign = await getWithHost(port, 'evil.example.com')
    expect(foreign.status).toBe(403)
    expect(foreign.body).toContain('Invalid Host header')
    expect((await getWithHost(port, `other.${sb.domain}`)).status).toBe(403)
    expect((await getWithHost(port, PUBLIC_HOST)).status).toBe(200)
  })

  it('closing the compiler closes the dev server and the tunnel', async () => {
    await new Promise<void>((r) => watching.close(() => r()))
    await new Promise<void>((r) => compiler.close(() => r()))
    await expect.poll(sshConnectionsFromHere, { timeout: 10_000 }).toBe(0)
    await expect.poll(() => log.text).toContain(`[gangway] Share closed: ${PUBLIC_URL} is offline.`)
    const res = await waitForPublic(PUBLIC_URL, (r) => r.status !== 200)
    expect(res.status).toBeGreaterThanOrEqual(500)
  })

  it('a plain webpack build opens no connection', async () => {
    const buildLog = { text: '' }
    const config = await loadConfig(app, buildLog)
    const build = webpack(config)
    const { result: stats, max } = await maxDuring(
      sshConnectionsFromHere,
      new Promise<webpack.Stats>((resolve, reject) => build.run((err, s) => (err ? reject(err) : resolve(s!)))),
    )
    await new Promise<void>((r) => build.close(() => r()))
    expect(stats.hasErrors()).toBe(false)
    expect(max).toBe(0)
    expect(buildLog.text).not.toContain('gangway')
    expect((await publicRequest(PUBLIC_URL)).status).not.toBe(200)
  })
})
