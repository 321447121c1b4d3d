/**
 * Staying up like autossh: sshd restarted, and a session that goes silent (SIGSTOP),
 * each detected and followed by the same URL serving again with no manual step.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openTunnel, type Tunnel, type TunnelStatus } from '@gangway/core'
import { restartSshd, sshdSessionPids } from '@gangway/core/testing'
import { echoHandler, listen, publicRequest, waitForPublic, type LocalServer } from '#test-utils'

const sb = inject('sandbox')

function waitForState(tunnel: Tunnel, state: TunnelStatus['state'], timeoutMs: number): Promise<TunnelStatus> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tunnel did not become ${state} in ${timeoutMs} ms (now ${tunnel.state})`)), timeoutMs)
    const on = (s: TunnelStatus) => {
      if (s.state !== state) return
      clearTimeout(timer)
      tunnel.off('status', on)
      resolve(s)
    }
    tunnel.on('status', on)
  })
}

describe('reconnect', () => {
  let local: LocalServer
  let tunnel: Tunnel
  const states: string[] = []

  beforeAll(async () => {
    local = await listen(echoHandler())
    tunnel = await openTunnel({ port: local.port, name: 'reconnect', keepaliveInterval: 1, keepaliveCountMax: 3 })
    tunnel.on('status', (s) => states.push(s.state))
  })
  afterAll(async () => {
    await tunnel?.close()
    await local?.close()
  })

  it('serves the same URL again after sshd is restarted (sessions killed)', async () => {
    expect((await publicRequest(tunnel.url)).text).toBe('hello from local')
    const online = waitForState(tunnel, 'offline', 20_000).then(() => waitForState(tunnel, 'online', 30_000))
    await restartSshd(sb, { killSessions: true })
    await online
    const res = await waitForPublic(tunnel.url, (r) => r.status === 200, 10_000)
    expect(res.text).toBe('hello from local')
    expect(tunnel.url).toBe(`https://reconnect.${sb.domain}:${sb.httpsPort}/`)
  }, 60_000)

  it('detects a silent drop (sshd session SIGSTOPped) and comes back, despite the stale listener', async () => {
    const before = new Set(sshdSessionPids(sb))
    expect(before.size).toBeGreaterThan(0)
    const offline = waitForState(tunnel, 'offline', 30_000)
    for (const pid of before) process.kill(pid, 'SIGSTOP')
    try {
      const down = await offline
      expect(down.error?.message).toBeTruthy()
      await waitForState(tunnel, 'online', 30_000)
      const res = await waitForPublic(tunnel.url, (r) => r.status === 200, 10_000)
      expect(res.text).toBe('hello from local')
    } finally {
      for (const pid of before) {
        try {
          process.kill(pid, 'SIGCONT')
        } catch {
          // already gone
        }
      }
    }
    expect(states).toContain('reconnecting')
  }, 90_000)
})
