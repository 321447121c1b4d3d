/**
 * Issue 13's proof: each dev server people use, installed as a user installs it (plain
 * npm, the packed tarballs, engine-strict where the scaffold sets it), started with its
 * own dev command on Node 20 and Node 22, visited through the sandbox in Chromium: the
 * public URL where that framework prints URLs, the page, a hot update through the share
 * (socket on the public host, no reload), and a line when the dev server ends the share.
 *
 * GANGWAY_MATRIX_CASES=vite8,next and GANGWAY_MATRIX_NODES=22 narrow a run;
 * GANGWAY_MATRIX_DEBUG=1 prints what the page saw (console, HMR frames, responses).
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchBrowser, waitForPublic, type SandboxBrowser } from '#test-utils'
import { watchPage } from '../helpers/adapters.js'
import { CASES, type MatrixCase } from './cases.js'
import { freePort, installApp, matrixNodes, startDev, type DevServer, type InstalledApp, type NodeBinary } from './app.js'

const sb = inject('sandbox')
const only = process.env.GANGWAY_MATRIX_CASES?.split(',')
const cases = CASES.filter((c) => !only || only.includes(c.id))

let browser: SandboxBrowser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

/** What the user looks at for this case: the element's text, or one computed style of it. */
function reader(page: Page, c: MatrixCase): () => Promise<string> {
  const { selector, style } = c.hmr
  return () =>
    page.evaluate(
      ({ selector, style }) => {
        const el = document.querySelector(selector)
        if (!el) return '(missing)'
        return style ? getComputedStyle(el).getPropertyValue(style) : (el.textContent ?? '').trim()
      },
      { selector, style },
    )
}

for (const node of matrixNodes()) {
  for (const c of cases.filter((k) => k.nodes.includes(node.major))) {
    describeCase(c, node)
  }
}

function describeCase(c: MatrixCase, node: NodeBinary): void {
  const name = `matrix-${c.id}-n${node.major}`
  const url = `https://${name}.${sb.domain}:${sb.httpsPort}/`
  const host = `${name}.${sb.domain}:${sb.httpsPort}`

  describe(`${c.id} on Node ${node.major}`, () => {
    let app: InstalledApp
    let dev: DevServer

    beforeAll(async () => {
      app = await installApp(c, node, inject('tarballs'))
      dev = startDev(app, node, c.devArgs(await freePort()), { GANGWAY_NAME: name })
    })
    afterAll(async () => {
      await dev?.stop('SIGKILL')
      app?.remove()
    })

    it('installs with plain npm from the tarballs (no engine warning)', () => {
      expect(app.installLog).not.toMatch(/EBADENGINE|ERR_PACKAGE_PATH_NOT_EXPORTED/)
    })

    it('prints the public URL where it prints its own URLs, and serves it', async () => {
      await expect.poll(() => dev.output(), { timeout: 90_000, interval: 250 }).toContain(c.publicLine(url))
      const res = await waitForPublic(url, (r) => r.status === 200, 60_000)
      expect(res.status).toBe(200)
      expect(dev.output()).not.toMatch(/connecting…|Could not publish|Not publishing/)
    })

    it('hot update through the share: socket on the public host, the edit shows without a reload', async () => {
      const page = await browser.context.newPage()
      const read = reader(page, c)
      const watch = watchPage(page)
      if (process.env.GANGWAY_MATRIX_DEBUG) {
        page.on('console', (m) => console.log('CONSOLE', m.type(), m.text()))
        page.on('websocket', (ws) => ws.on('framereceived', (f) => console.log('FRAME', String(f.payload).slice(0, 200))))
        page.on('requestfailed', (r) => console.log('FAILED', r.url(), r.failure()?.errorText))
        page.on('response', (r) => console.log('RESPONSE', r.status(), r.url()))
      }
      await page.goto(url, { timeout: 60_000 })
      await expect.poll(read, { timeout: 60_000 }).toBe(c.hmr.before)
      await expect.poll(() => watch.websockets.length, { timeout: 30_000 }).toBeGreaterThan(0)
      for (const ws of watch.websockets) expect(ws.startsWith(`wss://${host}/`), ws).toBe(true)
      // Let the dev server settle (file watcher, first dependency scan) as a person reading the page would.
      await new Promise((r) => setTimeout(r, 1500))
      await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1))
      const navigations = watch.reloads()
      app.edit(c.hmr.file, c.hmr.from, c.hmr.to)
      await expect.poll(read, { timeout: 30_000 }).toBe(c.hmr.after)
      expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1)
      expect(watch.reloads()).toBe(navigations)
      expect(watch.consoleErrors).toEqual([])
      await page.close()
    })

    it(`ends the share with the dev server (${c.stopSignal}) and says so`, async () => {
      await dev.stop(c.stopSignal)
      expect(dev.output()).toContain(`Share closed: ${url} is offline.`)
      const res = await waitForPublic(url, (r) => r.status !== 200)
      expect(res.status).toBeGreaterThanOrEqual(500)
    })
  })
}
