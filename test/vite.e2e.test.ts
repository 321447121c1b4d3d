/**
 * Issue 4's proof for @gangway/vite: a real Vite dev server (a temp copy of
 * playground/vite-app, plugin options from its config file only) published through the
 * sandbox and visited in headless Chromium on the non-localhost domain gangway.test.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { build, createLogger, createServer, preview, type Logger, type ViteDevServer } from 'vite'
import { restartSshd } from '@gangway/core/testing'
import { launchBrowser, publicRequest, waitForPublic, type SandboxBrowser } from '#test-utils'
import { copyPlayground, expectHotEdit, getWithHost, maxDuring, sshConnectionsFromHere, sshConnectionsFromHereList, watchPage, type PlaygroundCopy } from './helpers/adapters.js'

const sb = inject('sandbox')
const NAME = 'vite-e2e'
const PUBLIC_URL = `https://${NAME}.${sb.domain}:${sb.httpsPort}/`
const PUBLIC_HOST = `${NAME}.${sb.domain}:${sb.httpsPort}`

function capturingLogger(): Logger & { lines: string[]; text(): string } {
  const base = createLogger('info', { allowClearScreen: false })
  const lines: string[] = []
  const keep = (msg: string) => void lines.push(msg.replace(/\x1b\[[0-9;]*m/g, ''))
  return { ...base, lines, text: () => lines.join('\n'), info: keep, warn: keep, warnOnce: keep, error: keep }
}

/** Occupies a port on 127.0.0.1 with a server that says so. */
async function occupyPort(): Promise<http.Server> {
  const server = http.createServer((_req, res) => res.end('occupied'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return server
}

describe('@gangway/vite end to end', () => {
  let app: PlaygroundCopy
  let server: ViteDevServer
  let busy: http.Server
  let busyPort: number
  let browser: SandboxBrowser
  const logger = capturingLogger()

  beforeAll(async () => {
    app = copyPlayground('vite-app')
    app.edit('vite.config.ts', 'gangway()', `gangway({ name: '${NAME}' })`)
    busy = await occupyPort()
    busyPort = (busy.address() as AddressInfo).port
    server = await createServer({
      root: app.dir,
      configFile: join(app.dir, 'vite.config.ts'),
      configLoader: 'runner',
      customLogger: logger,
      clearScreen: false,
      server: { host: '127.0.0.1', port: busyPort },
    })
    await server.listen()
    server.printUrls()
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await new Promise((r) => busy?.close(r))
    app?.remove()
  })

  it('configured port busy: publishes the port Vite picked; the banner line waits for the tunnel, then shows the URL', async () => {
    const port = (server.httpServer!.address() as AddressInfo).port
    expect(port).not.toBe(busyPort)
    // printUrls ran before the tunnel was up: the Public line comes once it is, never "(connecting…)".
    await expect.poll(() => logger.text(), { timeout: 10_000 }).toContain(`➜  Public:  ${PUBLIC_URL}`)
    expect(logger.text()).not.toContain('connecting')
    const banner = logger.lines.findIndex((l) => l.includes('Local:'))
    expect(logger.lines.findIndex((l) => l.includes('➜  Public:'))).toBeGreaterThan(banner)
    const res = await waitForPublic(PUBLIC_URL, (r) => r.status === 200)
    expect(res.text).toContain('<div id="app"></div>')
    expect(res.text).not.toContain('occupied')
  })

  it('the public URL renders in Chromium with no console errors and no "Blocked request"', async () => {
    const page = await browser.context.newPage()
    const watch = watchPage(page)
    await page.goto(PUBLIC_URL)
    await expect.poll(() => page.textContent('#message')).toBe('Hello from a local dev server')
    expect(await page.textContent('h1')).toBe('Gangway + Vite')
    expect(await page.content()).not.toContain('Blocked request')
    await expect.poll(() => watch.websockets.length).toBeGreaterThan(0)
    expect(watch.consoleErrors).toEqual([])
    await page.close()
  })

  it('a source edit arrives through HMR over wss on the public host, without a full reload', async () => {
    await expectHotEdit(browser.context, {
      url: PUBLIC_URL,
      host: PUBLIC_HOST,
      timeoutMs: 15_000,
      edit: () => app.edit('src/message.ts', "'Hello from a local dev server'", "'Hello through the tunnel'"),
      // The page came over HTTP/2; the HMR socket (HTTP/1.1 upgrade) works beside it.
      onLoad: async (page) => {
        expect(await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol)).toBe('h2')
      },
    })
  })

  it('the allowance is exact: a foreign Host still gets Vite\'s 403 "Blocked request"', async () => {
    const port = (server.httpServer!.address() as AddressInfo).port
    const foreign = await getWithHost(port, 'evil.example.com')
    expect(foreign.status).toBe(403)
    expect(foreign.body).toContain('Blocked request')
    const sibling = await getWithHost(port, `other.${sb.domain}`)
    expect(sibling.status).toBe(403)
    expect((await getWithHost(port, PUBLIC_HOST)).status).toBe(200)
  })

  it('a dropped connection is logged through Vite\'s logger, reconnects, and the dev server stays up', async () => {
    await restartSshd(sb, { killSessions: true })
    await expect.poll(() => logger.text(), { timeout: 15_000 }).toMatch(/\[gangway\] .*lost .*reconnecting/)
    await expect.poll(() => logger.text(), { timeout: 30_000 }).toContain(`[gangway] Tunnel back online: ${PUBLIC_URL}`)
    const res = await waitForPublic(PUBLIC_URL, (r) => r.status === 200 && r.text.includes('<div id="app"></div>'))
    expect(res.status).toBe(200)
    await expect.poll(sshConnectionsFromHere).toBe(1)
  })

  it('a config-file edit restarts Vite: still exactly one tunnel, the URL still works', async () => {
    await expect.poll(sshConnectionsFromHere).toBe(1)
    const [connection] = sshConnectionsFromHereList()
    const restarts = logger.lines.filter((l) => l.includes('server restarted')).length
    app.edit('vite.config.ts', `gangway({ name: '${NAME}' })`, `gangway({ name: '${NAME}', qr: true })`)
    await expect.poll(() => logger.lines.filter((l) => l.includes('server restarted')).length, { timeout: 20_000 }).toBe(restarts + 1)
    // Give a duplicate or a leak time to show.
    await new Promise((r) => setTimeout(r, 1500))
    expect(sshConnectionsFromHereList()).toEqual([connection]) // the same connection: reused, not replaced
    const res = await waitForPublic(PUBLIC_URL, (r) => r.status === 200)
    expect(res.text).toContain('<div id="app"></div>')
    // The new plugin instance owns the banner now, QR code included.
    const before = logger.lines.length
    server.printUrls()
    const banner = logger.lines.slice(before).join('\n')
    expect(banner).toContain(`➜  Public:  ${PUBLIC_URL}`)
    expect(banner).toMatch(/[▀▄█]/)
  })

  it('server.close() takes the tunnel down and says so', async () => {
    await server.close()
    expect(sshConnectionsFromHere()).toBe(0)
    await expect.poll(() => logger.text()).toContain(`[gangway] Share closed: ${PUBLIC_URL} is offline.`)
    const res = await waitForPublic(PUBLIC_URL, (r) => r.status !== 200)
    expect(res.status).toBeGreaterThanOrEqual(500)
  })

  it('vite build opens no connection; vite preview publishes the build', async () => {
    const { max } = await maxDuring(
      sshConnectionsFromHere,
      build({ root: app.dir, configFile: join(app.dir, 'vite.config.ts'),
      configLoader: 'runner', logLevel: 'silent' }),
    )
    expect(max).toBe(0)

    const previewLogger = capturingLogger()
    const previewServer = await preview({
      root: app.dir,
      configFile: join(app.dir, 'vite.config.ts'),
      configLoader: 'runner',
      customLogger: previewLogger,
      preview: { host: '127.0.0.1', port: busyPort },
    })
    try {
      const res = await waitForPublic(PUBLIC_URL, (r) => r.status === 200 && r.text.includes('<div id="app"></div>'))
      expect(res.text).toMatch(/assets\/index-[\w-]+\.js/) // the built page, not the dev one
      expect(sshConnectionsFromHere()).toBe(1)
      const page = await browser.context.newPage()
      const watch = watchPage(page)
      await page.goto(PUBLIC_URL)
      await expect.poll(() => page.textContent('#message')).toBe('Hello through the tunnel')
      expect(watch.consoleErrors).toEqual([])
      await page.close()
    } finally {
      await previewServer.close()
    }
    await expect.poll(sshConnectionsFromHere, { timeout: 10_000 }).toBe(0)
    expect((await publicRequest(PUBLIC_URL)).status).not.toBe(200)
  })
})
