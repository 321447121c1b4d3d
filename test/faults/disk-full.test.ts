/**
 * Fault: the proxy's disk is full (a sandbox on a small tmpfs, filled up). A new share
 * fails with the reason and the fix; a share that reconnects still serves (its socket
 * needs no space) and says, at warn level, that the proxy's disk is full.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTunnel, writeProfile, type Tunnel } from '@gangway/core'
import { sandboxDown, sandboxProfile, sandboxUp, type SandboxInfo } from '@gangway/core/sandbox'
import { isRunning, restartSshd, sshdOnPort } from '@gangway/core/testing'
import { echoHandler, listen, publicRequest, visitorAgent, type LocalServer } from '#test-utils'

const isRoot = process.getuid?.() === 0

describe.skipIf(!isRoot)('fault: proxy disk full (needs root for a tmpfs)', () => {
  let mount: string
  let info: SandboxInfo
  let configFile: string
  let local: LocalServer
  let tunnel: Tunnel | undefined
  let restarted: SandboxInfo | undefined
  const warnings: string[] = []
  const logger = { info() {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) }

  const fill = () => {
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${join(mount, 'filler')}`, 'bs=64k'], { stdio: 'ignore' })
    } catch {
      // dd stops with ENOSPC: that is the point
    }
  }

  beforeAll(async () => {
    mount = mkdtempSync(join(tmpdir(), 'gw-diskfull-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m,mode=0755', 'tmpfs', mount])
    info = await sandboxUp({ dir: join(mount, 'sandbox') })
    configFile = join(tmpdir(), `gw-diskfull-${process.pid}.json`)
    writeProfile(configFile, 'sandbox', sandboxProfile(info))
    local = await listen(echoHandler())
  }, 120_000)

  afterAll(async () => {
    await tunnel?.close()
    await local?.close()
    if (info) await sandboxDown({ dir: info.dir })
    if (mount) {
      execFileSync('umount', ['-l', mount])
      rmSync(mount, { recursive: true, force: true })
    }
    rmSync(configFile, { force: true })
  })

  it('a new share fails saying the disk is full, with the fix; a reconnecting share serves and warns', async () => {
    tunnel = await openTunnel({ port: local.port, name: 'before-full', configFile, logger })
    const agent = visitorAgent(info)
    expect((await publicRequest(tunnel.url, { agent })).text).toBe('hello from local')

    fill()
    await expect(openTunnel({ port: local.port, name: 'after-full', configFile })).rejects.toMatchObject({
      code: 'PROXY_DISK_FULL',
      message: expect.stringContaining("the proxy's disk is full"),
      hint: expect.stringContaining('Free space on the proxy'),
    })

    restarted = await restartSshd(info, { killSessions: true })
    // The restart could not record its new listener: state.json still names the old one.
    expect(JSON.parse(readFileSync(join(info.dir, 'state.json'), 'utf8')).pids.sshd).toBe(info.pids.sshd)
    await expect.poll(() => warnings.join('\n'), { timeout: 20_000, interval: 200 }).toContain("the proxy's disk is full")
    expect(tunnel.state).toBe('online')
    expect((await publicRequest(tunnel.url, { agent })).text).toBe('hello from local')

    rmSync(join(mount, 'filler'))
    const fresh = await openTunnel({ port: local.port, name: 'after-full', configFile })
    expect((await publicRequest(fresh.url, { agent })).text).toBe('hello from local')
    await fresh.close()
  }, 120_000)

  it('sandbox down still stops that listener and its sessions, which state.json does not name', async () => {
    const listener = restarted!.pids.sshd!
    expect(isRunning(listener, 'sshd')).toBe(true)
    expect(sshdOnPort(info.sshPort).length).toBeGreaterThan(1) // the listener and the share's session
    await sandboxDown({ dir: info.dir })
    expect(isRunning(listener, 'sshd')).toBe(false)
    expect(sshdOnPort(info.sshPort)).toEqual([])
  })
})
