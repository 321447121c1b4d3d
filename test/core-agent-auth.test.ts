/** Auth through a real ssh-agent (SSH_AUTH_SOCK), with no key file on disk to fall back on. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { openTunnel } from '@gangway/core'
import { echoHandler, listen, publicRequest, type LocalServer } from '#test-utils'

const sb = inject('sandbox')

describe('ssh-agent authentication', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-agent-'))
  const socket = join(dir, 'agent.sock')
  let agent: ChildProcess
  let local: LocalServer
  const saved = { sock: process.env.SSH_AUTH_SOCK, home: process.env.HOME }

  beforeAll(async () => {
    agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' })
    await vi.waitFor(
      () => {
        if (!existsSync(socket)) throw new Error(`ssh-agent made no socket at ${socket}`)
      },
      { timeout: 5_000, interval: 50 },
    )
    execFileSync('ssh-add', [sb.identityFile], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' })
    process.env.SSH_AUTH_SOCK = socket
    process.env.HOME = dir // no ~/.ssh keys to fall back on
    local = await listen(echoHandler())
  })
  afterAll(async () => {
    process.env.SSH_AUTH_SOCK = saved.sock
    process.env.HOME = saved.home
    agent?.kill()
    await local?.close()
  })

  it('logs in with the agent\'s key when the configured key file is absent', async () => {
    // No profile (an empty config file) and an empty HOME: only the agent has a key.
    const tunnel = await openTunnel({ port: local.port, name: 'agent-auth', proxy: sb.target, domain: sb.domain, publicPort: sb.httpsPort, knownHostsFile: sb.knownHostsFile, configFile: join(dir, 'none.json') })
    try {
      expect((await publicRequest(new URL('hello', tunnel.url).href)).text).toBe('hello from local')
    } finally {
      await tunnel.close()
    }
  })

  it('without the agent and without keys, the login fails naming what was tried', async () => {
    process.env.SSH_AUTH_SOCK = ''
    try {
      await expect(openTunnel({ port: local.port, name: 'agent-auth', proxy: sb.target, domain: sb.domain, publicPort: sb.httpsPort, knownHostsFile: sb.knownHostsFile, configFile: join(dir, 'none.json') })).rejects.toMatchObject({ code: 'AUTH_FAILED', message: expect.stringContaining('no keys') })
    } finally {
      process.env.SSH_AUTH_SOCK = socket
    }
  })
})
