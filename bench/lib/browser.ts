/**
 * P8's visitor: Debian's headless Chromium through playwright-core (the flags from the
 * field notes), one fresh browser context per load — no HTTP cache, no open connections,
 * no TLS sessions — with the cache also disabled over CDP. Share hosts resolve to
 * `resolveTo` (the visitor-leg relay).
 */
import { chromium, type Browser } from 'playwright-core'

export interface PageLoad {
  /** navigation start → the marker set by the last module, ms (the page's own clock) */
  ms: number
  /** resources the page fetched */
  requests: number
  /** protocols the resources came over (h2, http/1.1) */
  protocols: string[]
  /** distinct connections Chromium reports (HTTP/1.1 opens up to six per host) */
  connections: number
}

export interface Visitor {
  load(url: string, timeoutMs?: number): Promise<PageLoad>
  close(): Promise<void>
}

export async function startVisitor(o: { domain: string; resolveTo: string }): Promise<Visitor> {
  // playwright's launch() gives Chromium a fresh temporary --user-data-dir (it refuses one in args);
  // each load gets its own context on top of it.
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP *.${o.domain} ${o.resolveTo}`,
    ],
  })
  return {
    async load(url, timeoutMs = 120_000) {
      // The sandbox CA is not in Chromium's store; the handshake is the same, only the check is skipped.
      const context = await browser.newContext({ ignoreHTTPSErrors: true })
      try {
        const page = await context.newPage()
        const cdp = await context.newCDPSession(page)
        await cdp.send('Network.enable')
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
        // Counted over CDP: the page's resource timing buffer stops at 250 entries.
        const connections = new Set<number>()
        const protocols = new Set<string>()
        let requests = 0
        cdp.on('Network.responseReceived', (e: { response: { connectionId?: number; protocol?: string } }) => {
          requests++
          if (e.response.connectionId) connections.add(e.response.connectionId)
          if (e.response.protocol) protocols.add(e.response.protocol)
        })
        await page.goto(url, { waitUntil: 'commit', timeout: timeoutMs })
        await page.waitForFunction(() => (window as unknown as { __p8?: number }).__p8 !== undefined, undefined, { timeout: timeoutMs, polling: 20 })
        // performance.now() counts from the time origin: the navigation's start.
        const ms = await page.evaluate(() => (window as unknown as { __p8: number }).__p8)
        return { ms, requests, protocols: [...protocols], connections: connections.size }
      } finally {
        await context.close()
      }
    },
    async close() {
      await browser.close()
    },
  }
}
