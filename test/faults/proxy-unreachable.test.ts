/**
 * Bad input through the CLI: a proxy address where nothing listens, and one where
 * something answers that is not SSH. Each is a clear error naming the address, exit 1,
 * and no process left behind.
 */
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { runCliToEnd } from '#test-utils'

const sb = inject('sandbox')

describe('bad input: proxy not reachable or refusing', () => {
  let notSsh: net.Server
  const accepted = new Set<net.Socket>()
  let closedPort: number

  beforeAll(async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = net.createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    closedPort = (probe.address() as AddressInfo).port
    await new Promise((r) => probe.close(r))
    notSsh = net.createServer((s) => {
      accepted.add(s)
      s.on('error', () => {})
      s.end('HTTP/1.1 400 Bad Request\r\n\r\n')
    })
    await new Promise<void>((r) => notSsh.listen(0, '127.0.0.1', r))
  })
  afterAll(async () => {
    for (const s of accepted) s.destroy()
    await new Promise((r) => notSsh.close(r))
  })

  it('nothing listening: "refused the connection", exit 1', async () => {
    const r = await runCliToEnd(['http', '3000', '--no-inspect', '--proxy', `${sb.user}@127.0.0.1:${closedPort}`])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`127.0.0.1:${closedPort} refused the connection`)
    expect(r.stderr).toContain('→') // the fix hint
  }, 30_000)

  it('not an SSH server: a clear error naming the address, exit 1', async () => {
    const port = (notSsh.address() as AddressInfo).port
    const r = await runCliToEnd(['http', '3000', '--no-inspect', '--proxy', `${sb.user}@127.0.0.1:${port}`])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`127.0.0.1:${port}`)
    expect(r.stderr).toMatch(/PROXY_REFUSED|PROXY_UNREACHABLE/)
  }, 30_000)
})
