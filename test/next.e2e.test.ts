/**
 * @gangway/next: `next dev` (Turbopack) on playground/next-app with withGangway in its
 * next.config, started as a user starts it, on a port that is not 3000. Through the
 * sandbox in Chromium: the URL in Next's start-up list, the page, Fast Refresh over wss on
 * the public host (Next refuses it to origins missing from allowedDevOrigins), and the
 * close line when next dev stops.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchBrowser, runCli, waitForPublic, type SandboxBrowser } from '#test-utils'
import { getWithHost, sshConnectionsFromHere, watchPage } from './helpers/adapters.js'

const sb = inject('sandbox')
const NAME = 'next-e2e'
const PUBLIC_URL = `https://${NAME}.${sb.domain}:${sb.httpsPort}/`
const PUBLIC_HOST = `${NAME}.${sb.domain}:${sb.httpsPort}`
// Next's Turbopack refuses a symlinked node_modules outside its root: run in the playground itself, restoring the edit after.
const APP = fileURLToPath(new URL('../playground/next-app', import.meta.url))
const MESSAGE = join(APP, 'app/message.jsx')

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as AddressInfo
  await new Promise((r) => s.close(r))
  return port
}

describe('@gangway/next end to end (next dev, Turbopack)', () => {
  let next: ChildProcess
  let output = ''
  let port: number
  let browser: SandboxBrowser
  let original: string

  beforeAll(async () => {
    const { readFileSync } = await import('node:fs')
    original = readFileSync(MESSAGE, 'utf8')
    rmSync(join(APP, '.next'), { recursive: true, force: true })
    port = await freePort()
    next = spawn(join(APP, 'node_modules/.bin/next'), ['dev', '-p', String(port)], {
      cwd: APP,
      env: { ...process.env, GANGWAY_NAME: NAME, NODE_OPTIONS: '--import=tsx', NEXT_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0', NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    next.stdout!.on('data', (d: Buffer) => (output += d.toString()))
    next.stderr!.on('data', (d: Buffer) => (output += d.toString()))
    browser = await launchBrowser()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    if (next && next.exitCode === null) {
      next.kill('SIGTERM')
      await new Promise((r) => next.once('exit', r))
    }
    const { writeFileSync } = await import('node:fs')
    if (original) writeFileSync(MESSAGE, original)
  })

  it('prints the URL in Next\'s start-up list and publishes the port next dev -p got', async () => {
    await expect.poll(() => output, { timeout: 60_000 }).toContain(`- Public:        ${PUBLIC_URL}`)
    expect(output).toContain(`- Local:         http://localhost:${port}`)
    const res = await waitForPublic(PUBLIC_URL, (r) => r.status === 200 && r.text.includes('Gangway + Next.js'), 60_000)
    expect(res.text).toContain('Hello from a local dev server')
    expect(sshConnectionsFromHere()).toBe(0) // the tunnel is next dev's, in its own process
  })

  it('Fast Refresh through the share: the socket goes to the public host, an edit arrives without a reload', async () => {
    const page = await browser.context.newPage()
    const watch = watchPage(page)
    await page.goto(PUBLIC_URL)
    await expect.poll(() => page.textContent('#message'), { timeout: 30_000 }).toBe('Hello from a local dev server')
    await expect.poll(() => watch.websockets.filter((u) => u.includes('/_next/')).length, { timeout: 30_000 }).toBeGreaterThan(0)
    for (const url of watch.websockets) expect(url.startsWith(`wss://${PUBLIC_HOST}/`), url).toBe(true)
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 9))
    // Next's router replaces the history entry once it hydrates (a same-document navigation): count from here.
    const navigations = watch.reloads()
    const { writeFileSync } = await import('node:fs')
    writeFileSync(MESSAGE, original.replace('Hello from a local dev server', 'Hello through the tunnel'))
    await expect.poll(() => page.textContent('#message'), { timeout: 30_000 }).toBe('Hello through the tunnel')
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(9) // same document: not reloaded
    expect(watch.reloads()).toBe(navigations)
    expect(output).not.toContain('Blocked cross-origin request')
    expect(watch.consoleErrors).toEqual([])
    await page.close()
  })

  it('the allowance is exact: a dev resource requested from a foreign origin is still refused', async () => {
    const foreign = await getWithHost(port, `localhost:${port}`, '/_next/webpack-hmr', { origin: 'https://evil.example.com' })
    expect(foreign.status).toBe(403)
  })

  it('stopping next dev ends the share, with a line that says so', async () => {
    next.kill('SIGINT')
    await new Promise((r) => next.once('exit', r))
    expect(output).toContain(`[gangway] Share closed: ${PUBLIC_URL} is offline.`)
    const res = await waitForPublic(PUBLIC_URL, (r) => r.status !== 200)
    expect(res.status).toBeGreaterThanOrEqual(500)
  })
})

describe('gangway http in front of a plain next dev', () => {
  it('warns with the exact fix: Next refuses the share\'s origin until allowedDevOrigins lists it', async () => {
    const port = await freePort()
    let output = ''
    // GANGWAY=0 turns withGangway off: the playground is then a plain Next app with no allowedDevOrigins.
    const next = spawn(join(APP, 'node_modules/.bin/next'), ['dev', '-p', String(port)], {
      cwd: APP,
      env: { ...process.env, GANGWAY: '0', NODE_OPTIONS: '--import=tsx', NEXT_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0', NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    next.stdout!.on('data', (d: Buffer) => (output += d.toString()))
    next.stderr!.on('data', (d: Buffer) => (output += d.toString()))
    const share = runCli(['http', String(port), '-s', 'next-plain', '--no-inspect'])
    try {
      await expect.poll(() => output, { timeout: 60_000 }).toContain('Ready')
      await share.waitFor(/Public: https:\/\//, 30_000)
      await expect.poll(() => share.stderr(), { timeout: 15_000 }).toContain('The local server is Next.js, and it refuses its dev resources')
      expect(share.stderr()).toContain(`allowedDevOrigins: ['next-plain.${sb.domain}'],`)
      expect(share.stderr()).toContain('withGangway from @gangway/next')
    } finally {
      share.child.kill('SIGINT')
      await share.exit
      next.kill('SIGINT')
      await new Promise((r) => next.once('exit', r))
    }
  })
})
