/**
 * The plugin against Vite itself, without a proxy: what it writes into the config,
 * that a proxy it cannot reach is logged (with its hint) while the dev server keeps
 * serving localhost, and that `vite build` never connects.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, createLogger, createServer, resolveConfig, type Logger } from 'vite'
import gangway from '../src/index.js'

/** A TCP "proxy" that counts connections and drops them: no ssh behind it. */
async function countingProxy() {
  let connections = 0
  const server = net.createServer((socket) => {
    connections++
    socket.destroy()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as net.AddressInfo).port
  return { target: `dev@127.0.0.1:${port}`, count: () => connections, close: () => new Promise((r) => server.close(r)) }
}

function capturingLogger(): Logger & { lines: string[] } {
  const base = createLogger('info', { allowClearScreen: false })
  const lines: string[] = []
  const keep = (msg: string) => void lines.push(msg.replace(/\x1b\[[0-9;]*m/g, ''))
  return { ...base, lines, info: keep, warn: keep, warnOnce: keep, error: keep }
}

async function freePort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as net.AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

let root: string
let proxy: Awaited<ReturnType<typeof countingProxy>>

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gangway-vite-unit-'))
  writeFileSync(join(root, 'index.html'), '<!doctype html><p>hello</p><script type="module" src="/main.js"></script>')
  writeFileSync(join(root, 'main.js'), 'console.log("hi")\n')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(root, 'key')])
  proxy = await countingProxy()
})
afterAll(async () => {
  await proxy.close()
  rmSync(root, { recursive: true, force: true })
})

const share = () => ({ name: 'unit', proxy: proxy.target, domain: 'example.test', identityFile: join(root, 'key'), knownHostsFile: join(root, 'known_hosts'), configFile: join(root, 'no-config.json') })

describe('@gangway/vite in Vite', () => {
  it('writes the exact public host into server and preview allowedHosts, keeping the user list', async () => {
    const config = await resolveConfig(
      { root, configFile: false, logLevel: 'silent', server: { allowedHosts: ['mine.test'] }, plugins: [gangway(share())] },
      'serve',
    )
    expect(config.server.allowedHosts).toEqual(['mine.test', 'unit.example.test'])
    expect(config.preview.allowedHosts).toEqual(['mine.test', 'unit.example.test'])
  })

  it('is not applied in build, nor with enabled: false or GANGWAY=0', async () => {
    const built = await resolveConfig({ root, configFile: false, logLevel: 'silent', plugins: [gangway(share())] }, 'build')
    expect(built.plugins.some((p) => p.name === 'gangway')).toBe(false)
    const off = await resolveConfig({ root, configFile: false, logLevel: 'silent', plugins: [gangway({ ...share(), enabled: false })] }, 'serve')
    expect(off.plugins.some((p) => p.name === 'gangway')).toBe(false)
    process.env.GANGWAY = '0'
    try {
      const envOff = await resolveConfig({ root, configFile: false, logLevel: 'silent', plugins: [gangway(share())] }, 'serve')
      expect(envOff.plugins.some((p) => p.name === 'gangway')).toBe(false)
    } finally {
      delete process.env.GANGWAY
    }
  })

  it('logs a failed tunnel as an error with its hint; the dev server keeps serving localhost', async () => {
    const logger = capturingLogger()
    const port = await freePort()
    const server = await createServer({ root, configFile: false, customLogger: logger, server: { port, strictPort: true, host: '127.0.0.1' }, plugins: [gangway(share())] })
    try {
      await server.listen()
      server.printUrls()
      // Printed while connecting, the banner waits: it never shows a state that is about to be wrong.
      expect(logger.lines.join('\n')).not.toContain('connecting')
      await expect.poll(() => logger.lines.find((l) => l.includes('Could not publish')), { timeout: 15_000 }).toBeTruthy()
      const error = logger.lines.find((l) => l.includes('Could not publish'))!
      const line = logger.lines.findIndex((l) => l.includes('➜  Public:  https://unit.example.test/ (not connected, see the error above)'))
      expect(line).toBeGreaterThan(logger.lines.indexOf(error))
      expect(error).toContain('[gangway]')
      expect(error).toMatch(/→ /) // the hint, as GangwayError.format() prints it
      expect(error).toContain(`keeps running on http://localhost:${port}/`)
      const res = await fetch(`http://127.0.0.1:${port}/`)
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('<p>hello</p>')
      expect(proxy.count()).toBeGreaterThan(0) // it did try: the counter works
    } finally {
      await server.close()
    }
  })

  it('middleware mode (as vitest runs Vite) opens no connection', async () => {
    const before = proxy.count()
    const server = await createServer({ root, configFile: false, logLevel: 'silent', server: { middlewareMode: true }, plugins: [gangway(share())] })
    await server.close()
    await new Promise((r) => setTimeout(r, 300))
    expect(proxy.count()).toBe(before)
  })

  it('vite build opens no connection', async () => {
    const before = proxy.count()
    await build({ root, configFile: false, logLevel: 'silent', build: { outDir: join(root, 'dist') }, plugins: [gangway(share())] })
    await new Promise((r) => setTimeout(r, 300))
    expect(proxy.count()).toBe(before)
  })
})
