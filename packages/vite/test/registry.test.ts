import type { Tunnel } from '@gangway/core'
import { describe, expect, it, vi } from 'vitest'
import { leaseShare, openShares } from '../src/registry.js'

const quiet = { info() {}, warn() {}, error() {} }

function fakeTunnel(port: number) {
  return { port, close: vi.fn(async () => {}) } as unknown as Tunnel & { port: number; close: ReturnType<typeof vi.fn> }
}

describe('tunnel registry', () => {
  it('reuses the tunnel across a restart on the same port and closes it with the last lease', async () => {
    const open = vi.fn(async () => fakeTunnel(5173))
    const first = leaseShare('p a.test', quiet)
    const t1 = await first.publish(5173, open)
    // Restart: the new server leases before the old one closes.
    const second = leaseShare('p a.test', quiet)
    await first.release()
    expect((t1 as ReturnType<typeof fakeTunnel>).close).not.toHaveBeenCalled()
    const t2 = await second.publish(5173, open)
    expect(t2).toBe(t1)
    expect(open).toHaveBeenCalledTimes(1)
    await second.release()
    await second.release()
    expect((t1 as ReturnType<typeof fakeTunnel>).close).toHaveBeenCalledTimes(1)
    expect(openShares().find((s) => s.key === 'p a.test')).toBeUndefined()
  })

  it('replaces the tunnel when the new server listens on another port', async () => {
    const first = leaseShare('p b.test', quiet)
    const t1 = (await first.publish(5173, async () => fakeTunnel(5173))) as ReturnType<typeof fakeTunnel>
    const second = leaseShare('p b.test', quiet)
    await first.release()
    const t2 = (await second.publish(5174, async () => fakeTunnel(5174))) as ReturnType<typeof fakeTunnel>
    expect(t1.close).toHaveBeenCalledTimes(1)
    expect(t2.port).toBe(5174)
    await second.release()
    expect(t2.close).toHaveBeenCalledTimes(1)
  })

  it('refuses a second live server on another port for the same share', async () => {
    const a = leaseShare('p c.test', quiet)
    const b = leaseShare('p c.test', quiet)
    await a.publish(5173, async () => fakeTunnel(5173))
    await expect(b.publish(5174, async () => fakeTunnel(5174))).rejects.toThrow(/already published for port 5173/)
    await b.release()
    await a.release()
  })

  it('forgets a failed open so the next server tries again, and closes one still opening on release', async () => {
    const a = leaseShare('p d.test', quiet)
    await expect(a.publish(5173, async () => Promise.reject(new Error('down')))).rejects.toThrow('down')
    const t = fakeTunnel(5173)
    let finish!: () => void
    const pending = a.publish(5173, () => new Promise((r) => (finish = () => r(t))))
    const released = a.release()
    finish()
    await pending
    await released
    expect(t.close).toHaveBeenCalledTimes(1)
  })
})
