/**
 * Upgrade in place (issue 10, item 10): a proxy set up by Gangway's first release (the
 * code as it landed, checked out from git and run as it was) is set up again by this
 * version. Its share and certificate are kept and move to the new model: the share now
 * belongs to a key label and serves again with no new certificate.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listShares, openTunnel, type Tunnel } from '@gangway/core'
import { runCliToEnd } from './helpers/cli.js'
import { listen, type LocalServer } from './helpers/servers.js'
import { visitorRequest } from './helpers/visitor.js'
import { startVps, type Vps } from './helpers/vps.js'
import { startVpsAcme, type VpsAcme } from './helpers/vps-acme.js'

const isRoot = process.getuid?.() === 0
const REPO = fileURLToPath(new URL('..', import.meta.url))
/** The first release: the commit that landed before shares belonged to keys. */
const V1 = '8e76a69'
const DOMAIN = 'old.gangway.test'
/** A shallow clone has no first release to run: the test says so and is skipped. */
const hasV1 = (() => {
  try {
    execFileSync('git', ['-C', REPO, 'cat-file', '-e', `${V1}^{commit}`], { stdio: 'ignore' })
    return true
  } catch {
    console.warn(`upgrade.e2e.test.ts skipped: commit ${V1} (the first release) is not in this clone`)
    return false
  }
})()

describe.skipIf(!isRoot || !hasV1)('gangway setup upgrades a proxy set up by the first release (needs root)', () => {
  let vps: Vps
  let acme: VpsAcme
  let root: string
  let v1: string
  let config: string
  const servers: LocalServer[] = []
  const tunnels: Tunnel[] = []

  const origin = async (label: string) => {
    const server = await listen((_req, res) => res.end(`hello from ${label}`))
    servers.push(server)
    return server.port
  }
  const visit = async (url: string) => {
    const res = await visitorRequest(url, { to: { caFile: acme.caFile, resolveTo: vps.host } })
    return { status: res.status, body: res.text }
  }
  /** The first release's CLI, from its own checkout and dependencies. */
  const v1Cli = (args: string[]) =>
    spawn(process.execPath, ['--import', 'tsx', join(v1, 'packages/cli/src/main.ts'), ...args], {
      cwd: v1,
      env: { ...process.env, GANGWAY_CONFIG: config, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  const setupArgs = () => [
    'setup', `admin@${vps.host}`, '--domain', DOMAIN, '--email', 'dev@gangway.test', '--acme-server', acme.directoryUrl,
    '--acme-ca-file', acme.listenerCert, '--identity-file', vps.adminKey, '--known-hosts', vps.knownHostsFile,
  ]

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'gw-upgrade-'))
    config = join(root, 'ws', 'config.json')
    v1 = join(root, 'v1')
    execFileSync('git', ['-C', REPO, 'worktree', 'add', '--detach', v1, V1], { stdio: 'ignore' })
    const install = ['install', '--frozen-lockfile', '--ignore-scripts', '--config.confirmModulesPurge=false']
    try {
      execFileSync('pnpm', [...install, '--offline'], { cwd: v1, stdio: 'ignore' })
    } catch {
      execFileSync('pnpm', install, { cwd: v1, stdio: 'ignore' }) // a store without v1's packages
    }
    vps = await startVps()
    acme = await startVpsAcme(vps, join(root, 'pebble'))
  }, 600_000)

  afterAll(async () => {
    await Promise.all(tunnels.map((t) => t.close().catch(() => {})))
    await Promise.all(servers.map((s) => s.close()))
    await acme?.stop()
    await vps?.stop()
    if (v1 && existsSync(v1)) execFileSync('git', ['-C', REPO, 'worktree', 'remove', '--force', v1], { stdio: 'ignore' })
    if (root) rmSync(root, { recursive: true, force: true })
  })

  it('keeps the share and its certificate, gives them a label, and serves them again', async () => {
    // The first release sets up the proxy and shares "legacy" (a certificate is issued).
    const setup1 = v1Cli(setupArgs())
    const code1 = await new Promise<number | null>((r) => setup1.once('exit', r))
    expect(code1).toBe(0)
    const share1 = v1Cli(['http', String(await origin('v1')), '--subdomain', 'legacy', '--no-inspect', '--json'])
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      share1.stdout!.on('data', (d: Buffer) => {
        out += d
        const m = /"url":"([^"]+)"/.exec(out)
        if (m) resolve(m[1]!)
      })
      share1.once('exit', (code) => reject(new Error(`v1 share exited ${code}`)))
    })
    expect((await visit(url)).body).toBe('hello from v1')
    share1.kill('SIGINT')
    await new Promise((r) => share1.once('exit', r))
    const cert = `/etc/letsencrypt/live/legacy.${DOMAIN}/fullchain.pem`
    const issued = (await vps.exec(['stat', '-c', '%Y', cert])).stdout

    // This version sets it up again, with the same workstation config.
    const setup2 = await runCliToEnd([...setupArgs(), '--label', 'alice', '--json'], { GANGWAY_CONFIG: config })
    expect(setup2.code, setup2.stderr).toBe(0)
    const changes = (JSON.parse(setup2.stdout) as { changes: string[] }).changes.join('\n')
    expect(changes).toContain(`moved share legacy to legacy.${DOMAIN}`)
    expect(changes).toMatch(/labelled a key alice|registered this workstation's tunnel key as "alice"/)

    const again = await openTunnel({ port: await origin('v2'), name: 'legacy', configFile: config })
    tunnels.push(again)
    expect(again.url).toBe(url)
    expect((await visit(url)).body).toBe('hello from v2')
    expect((await vps.exec(['stat', '-c', '%Y', cert])).stdout).toBe(issued) // the same certificate
    const listed = (await listShares({ configFile: config })).find((s) => s.host === `legacy.${DOMAIN}`)
    expect(listed).toMatchObject({ owner: 'alice', online: true })
  }, 300_000)
})
