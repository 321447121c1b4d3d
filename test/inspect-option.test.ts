/** openTunnel({ inspect }): the inspector comes and goes with the tunnel, as the CLI and adapters use it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTunnel } from '@gangway/core'
import { echoHandler, listen, publicRequest, type LocalServer } from '#test-utils'

async function inspectorList(url: string): Promise<{ requests: { method: string; path: string; status?: number }[] }> {
  const res = await fetch(new URL('api/requests', url), { headers: { authorization: `Bearer ${new URL(url).searchParams.get('token')}` } })
  return (await res.json()) as { requests: { method: string; path: string; status?: number }[] }
}

describe('openTunnel inspect option', () => {
  let local: LocalServer
  beforeAll(async () => {
    local = await listen(echoHandler())
  })
  afterAll(async () => {
    await local?.close()
  })

  it('records what goes through the share and closes with the tunnel', async () => {
    const tunnel = await openTunnel({ port: local.port, name: 'inspect-opt', inspect: 0 })
    const inspectorUrl = tunnel.inspectorUrl!
    expect(inspectorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/)
    await publicRequest(new URL('hello?from=test', tunnel.url).href)
    const list = await inspectorList(inspectorUrl)
    expect(list.requests.some((r) => r.method === 'GET' && r.path === '/hello?from=test' && r.status === 200)).toBe(true)
    await tunnel.close()
    await expect(fetch(inspectorUrl)).rejects.toThrow()
  })

  it('is off unless asked for', async () => {
    const tunnel = await openTunnel({ port: local.port, name: 'inspect-opt' })
    expect(tunnel.inspectorUrl).toBeUndefined()
    await tunnel.close()
  })
})
