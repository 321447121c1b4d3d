/**
 * ProxyJump from ~/.ssh/config: the tunnel reaches the sandbox proxy through a second,
 * real OpenSSH sshd acting as the jump host, with both host keys checked.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { openTunnel } from '@gangway/core'
import { echoHandler, listen, publicRequest, type LocalServer } from '#test-utils'

const sb = inject('sandbox')

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** True once something listens on the port (we cannot bind it). */
function portTaken(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(true))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)))
  })
}

describe('ProxyJump', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-jump-'))
  const home = join(dir, 'home')
  let jump: ChildProcess
  let local: LocalServer
  const savedHome = process.env.HOME

  beforeAll(async () => {
    const port = await freePort()
    const hostKey = join(dir, 'jump_host_key')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey])
    const tunnelPub = readFileSync(`${sb.identityFile}.pub`, 'utf8').trim()
    // The jump host only lets this key open a connection to the proxy's ssh port.
    writeFileSync(join(dir, 'authorized_keys'), `restrict,port-forwarding,permitopen="127.0.0.1:${sb.sshPort}" ${tunnelPub}\n`)
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${hostKey}`, `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'UsePAM no', 'PasswordAuthentication no',
        'KbdInteractiveAuthentication no', 'StrictModes no', 'PermitRootLogin prohibit-password',
        'AllowTcpForwarding local', 'SetEnv SHLVL=1', '',
      ].join('\n'),
    )
    mkdirSync('/run/sshd', { recursive: true })
    jump = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' })
    await vi.waitFor(
      async () => {
        if (!(await portTaken(port))) throw new Error(`jump sshd did not listen on ${port}`)
      },
      { timeout: 5_000, interval: 50 },
    )

    mkdirSync(join(home, '.ssh'), { recursive: true })
    writeFileSync(
      join(home, '.ssh', 'config'),
      `Host gw-proxy\n  HostName 127.0.0.1\n  Port ${sb.sshPort}\n  User ${sb.user}\n  ProxyJump gw-jump\n\nHost gw-jump\n  HostName 127.0.0.1\n  Port ${port}\n  User ${userInfo().username}\n`,
    )
    const jumpKey = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')
    writeFileSync(join(home, 'known_hosts'), `${readFileSync(sb.knownHostsFile, 'utf8').trim()}\n[gw-jump]:${port} ${jumpKey}\n`)
    process.env.HOME = home
    local = await listen(echoHandler())
  })
  afterAll(async () => {
    process.env.HOME = savedHome
    jump?.kill()
    await local?.close()
  })

  it('opens the share through the jump host named in ~/.ssh/config', async () => {
    const tunnel = await openTunnel({ port: local.port, name: 'via-jump', proxy: 'gw-proxy', knownHostsFile: join(home, 'known_hosts') })
    try {
      expect((await publicRequest(new URL('hello', tunnel.url).href)).text).toBe('hello from local')
    } finally {
      await tunnel.close()
    }
  })

  it('checks the jump host key too', async () => {
    writeFileSync(join(home, 'known_hosts_proxy_only'), readFileSync(sb.knownHostsFile))
    await expect(openTunnel({ port: local.port, name: 'via-jump', proxy: 'gw-proxy', knownHostsFile: join(home, 'known_hosts_proxy_only') })).rejects.toMatchObject({
      code: 'HOST_KEY_UNKNOWN',
      message: expect.stringContaining('gw-jump'),
    })
  })
})
