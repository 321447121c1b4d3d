/**
 * The Gangway side of every figure, in its own process like `ssh` is: reads commands on
 * stdin ("open NAME PORT [PROXY]", "close NAME", "exit"), answers one JSON line each,
 * and reports tunnel status changes. Keeping it out of the bench process makes its RSS
 * and CPU time its own.
 */
import { createInterface } from 'node:readline'
import { openTunnel, type Tunnel } from '@gangway/core'
import { createRequire } from 'node:module'

// The ssh2 that core loads (the same module instance, from core's dependencies).
const ssh2 = createRequire(new URL('../../packages/core/package.json', import.meta.url))('ssh2') as typeof import('ssh2')

// Before/after runs of a core change in one bench run: GANGWAY_BENCH_BEFORE=nodelay puts
// back the behaviour before it (ssh2's socket with Nagle on).
if (process.env.GANGWAY_BENCH_BEFORE === 'nodelay') ssh2.Client.prototype.setNoDelay = function () { return this }

const tunnels = new Map<string, Tunnel>()
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n')

async function open(name: string, port: number, proxy?: string): Promise<void> {
  const t0 = performance.now()
  const tunnel = await openTunnel({ port, name, localHost: '127.0.0.1', maxBodySize: '2g', proxy })
  tunnels.set(name, tunnel)
  tunnel.on('status', (s) => say({ event: 'status', name, state: s.state, at: Date.now() }))
  say({ ok: true, name, url: tunnel.url, ms: performance.now() - t0, rss: process.memoryUsage().rss })
}

const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  const [cmd, name = '', port, proxy] = line.trim().split(/\s+/)
  const work =
    cmd === 'open' ? open(name, Number(port), proxy)
    : cmd === 'close' ? tunnels.get(name)!.close().then(() => (tunnels.delete(name), say({ ok: true, name })))
    : cmd === 'exit' ? Promise.all([...tunnels.values()].map((t) => t.close())).then(() => process.exit(0))
    : Promise.reject(new Error(`unknown command ${cmd}`))
  work.catch((err: Error) => say({ ok: false, name, error: err.message }))
})
say({ ready: true, rss: process.memoryUsage().rss })
