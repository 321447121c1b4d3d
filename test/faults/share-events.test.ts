/**
 * Share events never disturb other shares (issue 10, item 6): names going up and down
 * while a keep-alive visitor hammers another share; the whole proxy's sshd restarted under
 * 30 clients; a client frozen (SIGSTOP) and thawed. Times are logged, and bounded only
 * loosely: this is behaviour (together, not one after another), not a benchmark.
 */
import { execFileSync, spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openTunnel, type Tunnel } from '@gangway/core'
import { restartSshd } from '@gangway/core/testing'
import { echoHandler, listen, nginxWorkers, publicRequest, sandboxAgent, type LocalServer } from '#test-utils'

const sb = inject('sandbox')
const HOLD = fileURLToPath(new URL('../helpers/hold-tunnel.ts', import.meta.url))
const liveDir = (JSON.parse(readFileSync(sb.agentConfig, 'utf8')) as { certbot: { liveDir: string } }).certbot.liveDir

const workers = () => nginxWorkers(sb.nginxPrefix).join(',')

describe('share events never disturb other shares', () => {
  let local: LocalServer
  let certDir: string
  const tunnels: Tunnel[] = []

  /** A certificate in place for each name, as a proxy that served it before has one: no ACME order here. */
  function placeCert(name: string): void {
    const dir = join(liveDir, `${name}.${sb.domain}`)
    mkdirSync(dir, { recursive: true })
    for (const f of ['fullchain.pem', 'privkey.pem']) copyFileSync(join(certDir, f), join(dir, f))
  }

  beforeAll(async () => {
    local = await listen(echoHandler())
    certDir = mkdtempSync(join(tmpdir(), 'gw-events-cert-'))
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '90', '-subj', '/CN=events',
      '-addext', `subjectAltName=DNS:*.${sb.domain}`, '-keyout', join(certDir, 'privkey.pem'), '-out', join(certDir, 'fullchain.pem')], { stdio: 'ignore' })
  })
  afterAll(async () => {
    await Promise.all(tunnels.map((t) => t.close()))
    await local?.close()
    rmSync(certDir, { recursive: true, force: true })
  })

  it('20 names going up and down: a keep-alive visitor of another share sees no failed request, nginx is not reloaded', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `churn-${i}`)
    names.forEach(placeCert)
    // Each name is claimed once (its vhost is written then); from then on they come and go.
    for (const name of names) await (await openTunnel({ port: local.port, name, localHost: '127.0.0.1' })).close()
    const steady = await openTunnel({ port: local.port, name: 'churn-steady', localHost: '127.0.0.1' })
    tunnels.push(steady)
    const pids = workers()

    const agent = sandboxAgent({ keepAlive: true, maxSockets: 4 })
    let ok = 0
    const failures: string[] = []
    let stop = false
    const hammer = async () => {
      while (!stop) {
        try {
          const res = await publicRequest(new URL('/hello', steady.url).href, { agent, timeoutMs: 10_000 })
          if (res.status === 200 && res.text === 'hello from local') ok++
          else failures.push(`${res.status} ${res.text.slice(0, 60)}`)
        } catch (err) {
          failures.push((err as Error).message)
        }
      }
    }
    const visitors = [hammer(), hammer(), hammer(), hammer()]
    for (let round = 0; round < 3; round++) {
      const open = await Promise.all(names.map((name) => openTunnel({ port: local.port, name, localHost: '127.0.0.1' })))
      await Promise.all(open.map((t) => t.close()))
    }
    stop = true
    await Promise.all(visitors)
    agent.destroy()
    console.log(`churn: ${ok} requests to the steady share, ${failures.length} failed; 60 share-ups and 60 closes`)
    expect(failures).toEqual([])
    expect(ok).toBeGreaterThan(100)
    expect(workers()).toBe(pids)
  }, 180_000)

  it('sshd restarted with every session killed: 30 clients all serve again together, within seconds', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `herd-${i}`)
    names.forEach(placeCert)
    const herd = await Promise.all(names.map((name) => openTunnel({ port: local.port, name, localHost: '127.0.0.1' })))
    tunnels.push(...herd)
    const t0 = Date.now()
    await restartSshd(sb, { killSessions: true })
    const back = Date.now()
    const agent = sandboxAgent({ ca: readFileSync(join(certDir, 'fullchain.pem')) })
    const serving = await Promise.all(
      herd.map(async (t) => {
        let last = ''
        for (;;) {
          const res = await publicRequest(t.url, { agent, timeoutMs: 5_000 }).catch((e: Error) => e)
          if (!(res instanceof Error) && res.status === 200) return Date.now() - back
          last = res instanceof Error ? res.message : `${res.status} ${res.text.slice(0, 80)}`
          if (Date.now() - back > 30_000) {
            console.log(`herd: ${t.share.name} last answer ${last}`)
            return Infinity
          }
          await new Promise((r) => setTimeout(r, 50))
        }
      }),
    )
    const last = Math.max(...serving)
    console.log(`herd: sshd back after ${back - t0} ms; all 30 serving ${last} ms after that (median ${serving.sort((a, b) => a - b)[15]} ms)`)
    // Not one after another (30 × ~0.5 s under a lock before): together, from the first retries.
    expect(last).toBeLessThan(10_000)
  }, 90_000)

  it('a frozen client (SIGSTOP): visitors get the offline page within seconds, not a hang; thawed, it serves again', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', HOLD, 'frozen', 'F'], { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = ''
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString()
          const m = /^online (\S+)/m.exec(out)
          if (m) resolve(m[1]!)
        })
        child.once('exit', (code) => reject(new Error(`hold-tunnel exited ${code}`)))
      })
      expect((await publicRequest(url)).text).toBe('hello from F')
      child.kill('SIGSTOP')
      const t0 = Date.now()
      const page = await publicRequest(url, { timeoutMs: 30_000 }).catch((e: Error) => e)
      const offlineMs = Date.now() - t0
      child.kill('SIGCONT')
      const t1 = Date.now()
      let backMs = Infinity
      while (Date.now() - t1 < 30_000) {
        const res = await publicRequest(url, { timeoutMs: 5_000 }).catch(() => undefined)
        if (res?.text === 'hello from F') {
          backMs = Date.now() - t1
          break
        }
        await new Promise((r) => setTimeout(r, 50))
      }
      console.log(`frozen: visitor answered ${page instanceof Error ? page.message : page.status} after ${offlineMs} ms; serving ${backMs} ms after SIGCONT`)
      expect(page).toMatchObject({ status: 503 })
      expect(offlineMs).toBeLessThan(10_000)
      expect(backMs).toBeLessThan(10_000)
    } finally {
      child.kill('SIGKILL')
    }
  }, 90_000)
})

