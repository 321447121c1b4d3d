/**
 * Headless Debian Chromium through playwright-core (a fresh profile per launch), resolving *.DOMAIN to the sandbox
 * and trusting its certificates, so pages load from the public URL as a visitor's would.
 */
import { chromium, type Browser, type BrowserContext } from 'playwright-core'
import { inject } from 'vitest'

export interface SandboxBrowser {
  browser: Browser
  context: BrowserContext
  close(): Promise<void>
}

export async function launchBrowser(): Promise<SandboxBrowser> {
  const sb = inject('sandbox')
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP *.${sb.domain} ${sb.resolveTo}`,
    ],
  })
  // The sandbox CA is not in Chromium's store; the chain itself is checked by the Node tests.
  const context = await browser.newContext({ ignoreHTTPSErrors: true })
  return {
    browser,
    context,
    close: async () => {
      await browser.close()
    },
  }
}
