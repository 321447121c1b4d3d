/**
 * The sandbox proxy's lifecycle and its sshd rules, with a real ssh2 client and the
 * sandbox's own tunnel key. No mocks.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sandboxDown, sandboxStatus, sandboxUp, type SandboxInfo } from '../src/sandbox/index.js'
import { restartSshd, sshdSessionPids } from '../src/sandbox/testing.js'
import { bridgeUnix, execJson, forwardSocket, forwardTcp, rawLogin, rawShareUp } from '../../../test/helpers/raw-ssh.js'
import { listen } from '../../../test/helpers/servers.js'
import { visitorRequest } from '../../../test/helpers/visitor.js'

let root: string
let dir: string
let info: SandboxInfo
const clients: ssh2.Client[] = []

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z')
  } catch {
    return false
  }
}

/** An ssh2 client logged in with the tunnel key, checking the host key from known_hosts. */
async function login(): Promise<ssh2.Client> {
  const client = await rawLogin({ host: info.sshHost, port: info.sshPort, user: info.user, identityFile: info.identityFile, knownHostsFile: info.knownHostsFile })
  clients.push(client)
  return client
}

const exec = async (client: ssh2.Client, command: string) => (await execJson(client, command)).reply

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path)
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })
}

async function visit(name: string): Promise<{ status: number; body: string }> {
  const res = await visitorRequest(`https://${name}.${info.domain}:${info.httpsPort}/`, { to: info })
  return { status: res.status, body: res.text }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gw-sandbox-test-'))
  // World-traversable, so a root run exercises nginx workers as 'nobody' reading the
  // webroot (proxy-agent.test.ts keeps mkdtemp's 0700: workers as root).
  chmodSync(root, 0o755)
  dir = join(root, 'sandbox')
  const started = Date.now()
  info = await sandboxUp({ dir })
  console.log(`sandbox up in ${((Date.now() - started) / 1000).toFixed(2)} s`)
})

afterAll(async () => {
  for (const c of clients) c.end()
  await sandboxDown({ dir })
  if (!process.env.GANGWAY_KEEP_SANDBOX) rmSync(root, { recursive: true, force: true })
})

describe('sandbox lifecycle', () => {
  it('describes itself and is idempotent', async () => {
    expect(info).toMatchObject({
      dir,
      domain: 'gangway.test',
      sshHost: '127.0.0.1',
      resolveTo: '127.0.0.1',
      target: `${info.user}@127.0.0.1:${info.sshPort}`,
    })
    for (const file of [info.identityFile, info.knownHostsFile, info.caFile, info.agentConfig, join(dir, 'sandbox.json')]) {
      expect(existsSync(file), file).toBe(true)
    }
    expect(readFileSync(info.knownHostsFile, 'utf8')).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${info.sshPort} ssh-ed25519 `))
    expect(Object.values(info.pids).every(alive)).toBe(true)
    // Run as root, workers run as root too: they must reach the share sockets (0700 dirs).
    const asRoot = process.getuid?.() === 0
    expect(/^user root;/m.test(readFileSync(join(info.nginxPrefix, 'nginx.conf'), 'utf8'))).toBe(asRoot)

    const started = Date.now()
    expect(await sandboxUp({ dir })).toEqual(info)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(await sandboxStatus({ dir })).toEqual(info)
    expect(await sandboxStatus({ dir: join(root, 'nothing-here') })).toBeUndefined()
  })
})

describe('sandbox sshd and the tunnel key', () => {
  it('accepts a remote socket forward in its socket dir and delivers its connections', async () => {
    const client = await login()
    const path = join(info.socketDir, 'probe.sock')
    await forwardSocket(client, path)
    const arrived = new Promise<void>((resolve) =>
      client.once('unix connection', (_details, accept) => {
        accept().end('hi')
        resolve()
      }),
    )
    const socket = connect(path)
    socket.on('error', () => {})
    await arrived
    socket.destroy()
  })

  it('refuses TCP remote forwards on any address, and local forwards', async () => {
    const client = await login()
    for (const address of ['127.0.0.1', '0.0.0.0', '', 'localhost', '::']) {
      await expect(forwardTcp(client, address), address).rejects.toThrow()
    }
    await expect(new Promise((resolve, reject) => client.forwardOut('127.0.0.1', 0, '127.0.0.1', info.httpsPort, (e, s) => (e ? reject(e) : resolve(s))))).rejects.toThrow()
  })

  it('carries a share end to end: socket forward + agent + nginx + certificate', async () => {
    const app = await listen((_req, res) => res.end('through the tunnel'))
    try {
      const client = await login()
      bridgeUnix(client, app.port)
      const { reply } = await rawShareUp(client, info.socketDir, `e2e.${info.domain}`)
      expect(reply).toMatchObject({ ok: true, host: `e2e.${info.domain}`, label: info.label, certificate: 'issued' })
      expect(await visit('e2e')).toEqual({ status: 200, body: 'through the tunnel' })
    } finally {
      await app.close()
    }
  })

  it('lists the per-connection sshd processes and restarts sshd with or without them', async () => {
    const client = await login()
    const path = join(info.socketDir, 'restart.sock')
    await forwardSocket(client, path)
    const sessions = sshdSessionPids(info)
    expect(sessions.length).toBeGreaterThan(0)

    // Like `systemctl restart ssh`: the listener changes, live sessions and ports stay.
    const restarted = await restartSshd(info, { killSessions: false })
    expect(restarted.pids.sshd).not.toBe(info.pids.sshd)
    expect(alive(info.pids.sshd!)).toBe(false)
    expect(sessions.every(alive)).toBe(true)
    expect(await socketAnswers(path)).toBe(true)
    expect(await exec(client, 'gangway-proxy info')).toMatchObject({ ok: true })
    info = restarted
    expect(sshdSessionPids(info)).toEqual([]) // the old sessions now belong to init
    const fresh = await login()
    expect(sshdSessionPids(info).length).toBeGreaterThan(0)

    // Like a reboot of sshd: every session ends — the orphans of the restart above too, even
    // when state.json lost their record (found by the port they hold) — and clients see 'close'.
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { orphanSessions: number[] }
    expect(state.orphanSessions).toEqual(expect.arrayContaining(sessions.filter(alive)))
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ ...state, orphanSessions: [] }))
    const closed = Promise.all([fresh, client].map((c) => new Promise<void>((resolve) => c.once('close', () => resolve()))))
    info = await restartSshd(info, { killSessions: true })
    await closed
    expect(sessions.some(alive)).toBe(false)
    expect(sshdSessionPids(info)).toEqual([])
  })

  it('stops everything on down, orphaned sessions included, and comes back up', async () => {
    await login()
    const sessions = sshdSessionPids(info)
    info = await restartSshd(info, { killSessions: false })
    const before = await sandboxStatus({ dir })
    expect(before).toBeDefined()
    // A session orphaned by the restart (killSessions: false) is still alive.
    const orphans = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).orphanSessions as number[]
    expect(orphans).toEqual(expect.arrayContaining(sessions.filter(alive)))
    expect(orphans.some(alive)).toBe(true)

    await sandboxDown({ dir })
    expect(Object.values(before!.pids).some(alive)).toBe(false)
    expect(orphans.some(alive)).toBe(false)
    expect(await sandboxStatus({ dir })).toBeUndefined()

    info = await sandboxUp({ dir })
    expect(info.pids.sshd).not.toBe(before!.pids.sshd)
    expect(info.identityFile).toBe(before!.identityFile)
    expect(readFileSync(info.knownHostsFile, 'utf8')).toContain(readFileSync(before!.knownHostsFile, 'utf8').split(' ')[2]!)
    const client = await login()
    expect(await exec(client, 'gangway-proxy info')).toMatchObject({ ok: true, domain: 'gangway.test' })
  })

  it('down without a state file (lost, or never written) still stops every daemon and session', async () => {
    await login()
    const sessions = sshdSessionPids(info)
    info = await restartSshd(info, { killSessions: false })
    // (a pre-auth sshd child of the login may be exiting: only the live ones must be stopped)
    const running = [...Object.values(info.pids), ...sessions].filter(alive)
    expect(running).toEqual(expect.arrayContaining(Object.values(info.pids)))
    expect(running.length).toBeGreaterThan(Object.values(info.pids).length)
    rmSync(join(dir, 'state.json'))
    await sandboxDown({ dir })
    expect(running.filter(alive)).toEqual([])
    info = await sandboxUp({ dir })
    expect(await exec(await login(), 'gangway-proxy info')).toMatchObject({ ok: true })
  })
})
