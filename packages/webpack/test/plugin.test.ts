/**
 * The plugin inside real webpack and webpack-dev-server, without a proxy: the options
 * it writes, a failed tunnel logged while the dev server keeps serving, and a plain
 * build that never connects.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import webpack, { type Configuration } from 'webpack'
import WebpackDevServer from 'webpack-dev-server'
import gangway from '../src/index.js'

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

let root: string
let proxy: Awaited<ReturnType<typeof countingProxy>>

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gangway-webpack-unit-'))
  mkdirSync(join(root, 'src'))
  writeFileSync(join(root, 'src', 'index.js'), 'document.body.textContent = "hello"\n')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(root, 'key')])
  proxy = await countingProxy()
})
afterAll(async () => {
  await proxy.close()
  rmSync(root, { recursive: true, force: true })
})

const share = () => ({
  name: 'unit',
  proxy: proxy.target,
  domain: 'example.test',
  identityFile: join(root, 'key'),
  knownHostsFile: join(root, 'known_hosts'),
  configFile: join(root, 'no-config.json'),
})

function config(extra: Configuration = {}): Configuration {
  return {
    mode: 'development',
    context: root,
    entry: './src/index.js',
    output: { path: join(root, 'dist') },
    infrastructureLogging: { level: 'info', stream: logStream() as never, colors: false, appendOnly: true },
    stats: 'none',
    ...extra,
  }
}

let logged = ''
function logStream() {
  return { write: (s: string) => void (logged += s), isTTY: false }
}

describe('@gangway/webpack in webpack', () => {
  it('writes allowedHosts and a page-following webSocketURL into the dev server plugin and devServer', () => {
    const server = new WebpackDevServer({ host: '127.0.0.1', port: 'auto', allowedHosts: ['mine.test'] })
    const compiler = webpack(config({ devServer: { host: '127.0.0.1' }, plugins: [gangway(share()), server as never] }))
    const options = (server as unknown as { options: Record<string, unknown> }).options
    expect(options.allowedHosts).toEqual(['mine.test', 'unit.example.test'])
    expect(options.client).toEqual({ webSocketURL: { protocol: 'auto:', hostname: '0.0.0.0', port: 0 } })
    expect(typeof options.onListening).toBe('function')
    const devServer = compiler.options.devServer as Record<string, unknown>
    expect(devServer.allowedHosts).toEqual(['unit.example.test'])
  })

  it('a plain build opens no connection and prints nothing of ours', async () => {
    logged = ''
    const before = proxy.count()
    const compiler = webpack(config({ devServer: { port: 'auto' }, plugins: [gangway(share())] }))
    const stats = await new Promise<webpack.Stats>((resolve, reject) => compiler.run((err, s) => (err ? reject(err) : resolve(s!))))
    expect(stats.hasErrors()).toBe(false)
    await new Promise<void>((r) => compiler.close(() => r()))
    await new Promise((r) => setTimeout(r, 300))
    expect(proxy.count()).toBe(before)
    expect(logged).not.toContain('gangway')
  })

  it('logs a failed tunnel with its hint; the dev server keeps serving localhost', async () => {
    logged = ''
    const server = new WebpackDevServer({ host: '127.0.0.1', port: 'auto', setupExitSignals: false })
    const compiler = webpack(config({ plugins: [gangway(share()), server as never] }))
    const watching = compiler.watch({}, () => {})
    if (!watching) throw new Error('compiler.watch() returned no Watching')
    try {
      await expect.poll(() => logged, { timeout: 20_000 }).toContain('Could not publish the dev server at https://unit.example.test/')
      expect(logged).toMatch(/\[gangway\][\s\S]*→ /)
      const port = (server as unknown as { server: net.Server }).server.address() as net.AddressInfo
      const res = await fetch(`http://127.0.0.1:${port.port}/main.js`)
      expect(res.status).toBe(200)
      expect(proxy.count()).toBeGreaterThan(0)
    } finally {
      await new Promise<void>((r) => watching.close(() => r()))
      await new Promise<void>((r) => compiler.close(() => r()))
    }
  })
})
