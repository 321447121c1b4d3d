/**
 * The Gangway side of every figure, in its own process like `ssh` is: reads commands on
 * stdin ("open NAME PORT [PROXY]", "handshake NAME USER@HOST:PORT KEYFILE SOCKETDIR", "close NAME",
 * "exit"), answers one JSON line each,
 * and reports tunnel status changes. Keeping it out of the bench process makes its RSS
 * and CPU time its own.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import type { Tunnel } from '@gangway/core'

// GANGWAY_BENCH_CORE: another revision's core (bench/lib/before-tree.ts) for A/B runs.
const coreEntry = process.env.GANGWAY_BENCH_CORE
const { openTunnel } = (await import(coreEntry ? pathToFileURL(coreEntry).href : '@gangway/core')) as typeof import('@gangway/core')

// The ssh2 that core uses, for the bare handshake P4 compares against.
const ssh2 = createRequire(coreEntry ?? new URL('../../packages/core/package.json', import.meta.url))('ssh2') as typeof import('ssh2')

// GANGWAY_BENCH_HEAP_MB: live objects as a dev server's heap holds them (module graph, ASTs),
// so collections cost what they cost inside Vite.
const ballast: unknown[] = []
for (let unit = 0; unit < (Number(process.env.GANGWAY_BENCH_HEAP_MB) || 0) / 2; unit++) {
  // ~2 MB of small objects each
  ballast.push(Array.from({ length: 16_384 }, (_, i) => ({ id: i, name: `m${unit}-${i}`, deps: [] as number[] })))
}

const tunnels = new Map<string, Tunnel>()
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n')

async function open(name: string, port: number, proxy?: string): Promise<void> {
  const t0 = performance.now()
  // localHost left at its default ('localhost'), as a user has it and as the anchor's -R names it.
  const tunnel = await openTunnel({ port, name, maxBodySize: '2g', proxy })
  tunnels.set(name, tunnel)
  tunnel.on('status', (s) => say({ event: 'status', name, state: s.state, at: Date.now() }))
  say({ ok: true, name, url: tunnel.url, ms: performance.now() - t0, rss: process.memoryUsage().rss })
}

/** P4's yardstick: a bare ssh2 connect + public-key auth + the remote socket forward Gangway makes, then end. */
function handshake(name: string, target: string, keyFile: string, socketDir: string): Promise<void> {
  const m = /^(.+)@(.+):(\d+)$/.exec(target)
  if (!m) return Promise.reject(new Error(`bad target ${target}`))
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client()
    client.once('error', reject)
    client.once('ready', () =>
      client.openssh_forwardInStreamLocal(`${socketDir}/${randomBytes(16).toString('hex')}.sock`, (err) => {
        if (err) return reject(err)
        say({ ok: true, name, ms: performance.now() - t0 })
        client.end()
        resolve()
      }),
    )
    client.connect({ host: m[2], port: Number(m[3]), username: m[1], privateKey: readFileSync(keyFile), readyTimeout: 15_000 })
  })
}

const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  const [cmd, name = '', port, proxy, ...rest] = line.trim().split(/\s+/)
  const work =
    cmd === 'open' ? open(name, Number(port), proxy)
    : cmd === 'handshake' ? handshake(name, port!, proxy!, rest[0]!)
    : cmd === 'close' ? tunnels.get(name)!.close().then(() => (tunnels.delete(name), say({ ok: true, name })))
    : cmd === 'exit' ? Promise.all([...tunnels.values()].map((t) => t.close())).then(() => process.exit(0))
    : Promise.reject(new Error(`unknown command ${cmd}`))
  work.catch((err: Error) => say({ ok: false, name, error: err.message }))
})
say({ ready: true, rss: process.memoryUsage().rss })
