/**
 * Issue 4's proof for @gangway/webpack/rspack: rspack + @rspack/dev-server started the
 * way `rspack serve` does (options = compiler.options.devServer), from a temp copy of
 * playground/rspack-app, published through the sandbox and visited in Chromium.
 */
import type { Server } from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { rspack, type Compiler, type Configuration, type Stats } from '@rspack/core'
import { RspackDevServer } from '@rspack/dev-server'
import { launchBrowser, waitForPublic, type SandboxBrowser } from '#test-utils'
import { copyPlayground, expectHotEdit, getWithHost, maxDuring, sshConnectionsFromHere, type PlaygroundCopy } from './helpers/adapters.js'

const sb = inject('sandbox')
const NAME = 'rspack-e2e'
const PUBLIC_URL = `https://${NAME}.${sb.domain}:${sb.httpsPort}/`
const PUBLIC_HOST = `${NAME}.${sb.domain}:${sb.httpsPort}`

async function loadConfig(app: PlaygroundCopy, log: { text: string }): Promise<Configuration> {
  const url = `${pathToFileURL(join(app.dir, 'rspack.config.js')).href}?t=${Date.now()}`
  const config = (await import(/* @vite-ignore */ url)).default as Configuration
  config.infrastructureLogging = { level: 'info', colors: false, appendOnly: true, stream: { write: (s: string) => void (log.text += s), isTTY: false } as never }
  config.stats = 'none'
  return config
}

describe('@gangway/webpack/rspack end to end (@rspack/dev-server)', () => {
  let app: PlaygroundCopy
  let compiler: Compiler
  let server: RspackDevServer
  let browser: SandboxBrowser
  const log = { text: '' }

  beforeAll(async () => {
    app = copyPlayground('rspack-app')
    app.edit('rspack.config.js', 'gangway()', `gangway({ name: '${NAME}' })`)
    app.edit('rspack.config.js', "devServer: { port: 'auto' }", "devServer: { host: '127.0.0.1', port: 'auto', hot: true }")
    compiler = rspack(await loadConfig(app, log)) as Compiler
    server = new RspackDevServer(compiler.options.devServer as never, compiler)
    await server.start()
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    app?.remove()
  })

  it("publishes the port 'auto' picked; the page renders; HMR over wss on the public host", async () => {
    await waitForPublic(PUBLIC_URL, (r) => r.status === 200 && r.text.includes('Gangway + rspack'))
    await expect.poll(() => log.text).toContain(`[gangway] Public: ${PUBLIC_URL}`)
    expect(sshConnectionsFromHere()).toBe(1)

    await expectHotEdit(browser.context, {
      url: PUBLIC_URL,
      host: PUBLIC_HOST,
      edit: () => app.edit('src/message.js', "'Hello from a local dev server'", "'Hello through the tunnel'"),
    })
  })

  it('a foreign Host is still refused', async () => {
    const port = ((server as unknown as { server: Server }).server.address() as { port: number }).port
    expect((await getWithHost(port, 'evil.example.com')).status).toBe(403)
    expect((await getWithHost(port, PUBLIC_HOST)).status).toBe(200)
  })

  it('stopping the dev server closes the tunnel; a plain build opens no connection', async () => {
    await server.stop()
    await new Promise<void>((r) => compiler.close(() => r()))
    await expect.poll(sshConnectionsFromHere, { timeout: 10_000 }).toBe(0)
    await expect.poll(() => log.text).toContain(`[gangway] Share closed: ${PUBLIC_URL} is offline.`)

    const buildLog = { text: '' }
    const build = rspack(await loadConfig(app, buildLog)) as Compiler
    const { result: stats, max } = await maxDuring(
      sshConnectionsFromHere,
      new Promise<Stats>((resolve, reject) => build.run((err, s) => (err ? reject(err) : resolve(s!)))),
    )
    await new Promise<void>((r) => build.close(() => r()))
    expect(stats.hasErrors()).toBe(false)
    expect(max).toBe(0)
    expect(buildLog.text).not.toContain('gangway')
  })
})
