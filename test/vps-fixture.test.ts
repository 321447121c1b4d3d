/**
 * Proves the bare-VPS fixture (test/helpers/vps.ts) that `gangway setup` tests run against:
 * an admin logs in over real SSH with strict host-key checking, has passwordless sudo,
 * apt installs nginx + certbot from the VPS's local repo, and stop() leaves nothing behind.
 */
import { readFileSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { execFileSync } from 'node:child_process'
import type { Client as SshClient } from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mountsMentioning, pidsRootedIn, startVps, type Vps } from './helpers/vps.js'

// ssh2 is a dependency of @gangway/core, not of this test package: load it from there
// (pnpm does not hoist it to the root).
const { Client } = createRequire(new URL('../packages/core/package.json', import.meta.url))('ssh2') as typeof import('ssh2')

const isRoot = process.getuid?.() === 0
if (!isRoot) console.warn('vps-fixture.test.ts skipped: the VPS fixture needs root (ip netns, chroot, mounts)')

/** Strict host-key check: the key offered must be one listed for host in knownHostsFile. */
function hostVerifier(knownHostsFile: string, host: string, port: number) {
  const name = port === 22 ? host : `[${host}]:${port}`
  const allowed = readFileSync(knownHostsFile, 'utf8').split('\n')
    .map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 3 && f[0].split(',').includes(name))
    .map((f) => Buffer.from(f[2], 'base64'))
  return (key: Buffer) => allowed.some((k) => k.equals(key))
}

function sshConnect(vps: Vps, knownHostsFile = vps.knownHostsFile): Promise<SshClient> {
  return new Promise((resolve, reject) => {
    const c = new Client()
    c.once('ready', () => resolve(c)).once('error', reject)
    c.connect({
      host: vps.host, port: vps.sshPort, username: vps.adminUser,
      privateKey: readFileSync(vps.adminKey),
      hostVerifier: hostVerifier(knownHostsFile, vps.host, vps.sshPort),
      readyTimeout: 10_000,
    })
  })
}

function sshExec(c: SshClient, cmd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    c.exec(cmd, (err, stream) => {
      if (err) return reject(err)
      let stdout = '', stderr = ''
      stream.on('data', (d: Buffer) => { stdout += d }).stderr.on('data', (d: Buffer) => { stderr += d })
      stream.on('close', (code: number) => resolve({ code, stdout, stderr }))
    })
  })
}

describe.skipIf(!isRoot)('bare Debian VPS fixture (needs root)', () => {
  let vps: Vps
  let ssh: SshClient | undefined

  // A cold machine builds the image first (a few minutes, once per machine).
  beforeAll(async () => {
    const t0 = Date.now()
    vps = await startVps()
    console.log(`VPS ${vps.name} at ${vps.host}: started in ${Date.now() - t0} ms`)
  }, 20 * 60_000)

  afterAll(async () => {
    ssh?.end()
    await vps?.stop()
  })

  it('lets the admin in over SSH with strict host-key checking, with passwordless sudo', async () => {
    ssh = await sshConnect(vps)
    expect(await sshExec(ssh, 'sudo -n true')).toMatchObject({ code: 0 })
    expect((await sshExec(ssh, 'id -un; hostname')).stdout).toBe(`admin\n${vps.name}\n`)
    // The host-key check is real: a known_hosts without this VPS's keys is refused.
    await expect(sshConnect(vps, '/dev/null')).rejects.toThrow()
  })

  it('is isolated: only loopback and the veth, no default route', async () => {
    const routes = await vps.exec(['ip', 'route'])
    expect(routes.code).toBe(0)
    expect(routes.stdout).not.toMatch(/default/)
    expect((await vps.exec(['ps', '-e', '-o', 'comm='])).stdout).toMatch(/^python3\n(.*\n)*sshd\n/)
  })

  it('installs nginx and certbot with apt from its local repository', async () => {
    const t0 = Date.now()
    const r = await sshExec(ssh!, 'sudo DEBIAN_FRONTEND=noninteractive apt-get install -y nginx certbot')
    console.log(`apt-get install nginx certbot: ${Date.now() - t0} ms`)
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0)
    expect((await sshExec(ssh!, 'sudo nginx -v')).stderr).toMatch(/nginx version: nginx\/1\./)
    expect((await vps.exec(['certbot', '--version'])).stdout).toMatch(/certbot 2\./)
  }, 300_000)

  it('stops without leaving a netns, a mount, a process or a file', async () => {
    ssh?.end()
    ssh = undefined
    const pids = await vps.pids()
    expect(pids.length).toBeGreaterThan(1)   // python3 init, sshd, nginx...
    await vps.stop()
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(vps.name)
    expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).not.toContain(`gwvh-${vps.name.slice(6)}`)
    expect(mountsMentioning(vps.name)).toEqual([])
    expect(pidsRootedIn(vps.dir)).toEqual([])
    expect(pids.filter((p) => existsSync(`/proc/${p}`))).toEqual([])
    expect(existsSync(vps.dir)).toBe(false)
  })
})
