/**
 * Fault: the dev server restarts (same port) while visitors keep requesting. During the
 * gap they get Gangway's 502 page (a response in flight at the stop is cut); before and
 * after, byte-identical bodies; the tunnel itself never drops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTunnel, type Tunnel } from '@gangway/core'
import { echoHandler, expectedSha256, listen, publicRequest, type LocalServer } from '#test-utils'
import { openBystander, sha256, type Bystander } from './helpers.js'

const SIZE = 256 * 1024

describe('fault: dev server restarted mid-traffic', () => {
  let local: LocalServer
  let tunnel: Tunnel
  let bystander: Bystander
  const states: string[] = []

  beforeAll(async () => {
    local = await listen(echoHandler())
    tunnel = await openTunnel({ port: local.port, name: 'fault-devrestart', localHost: '127.0.0.1' })
    tunnel.on('status', (s) => states.push(s.state))
    bystander = await openBystander('fault-devrestart-bystander')
  })
  afterAll(async () => {
    await tunnel?.close()
    await local?.close()
    await bystander?.close()
  })

  it('serves 502 during the gap and identical bodies around it; the tunnel stays up', async () => {
    const port = local.port
    const url = new URL(`/bytes/${SIZE}`, tunnel.url).href
    const seen: Array<number | 'cut'> = []
    let stop = false
    const traffic = (async () => {
      while (!stop) {
        // A response in flight when the dev server goes away is cut: that is the one loss allowed.
        const r = await publicRequest(url).catch(() => undefined)
        seen.push(r?.status ?? 'cut')
        if (!r) continue
        if (r.status === 200) expect(sha256(r.body)).toBe(expectedSha256(SIZE))
        else {
          expect(r.status).toBe(502)
          expect(r.headers['x-gangway-error']).toBe('local-server-unreachable')
        }
      }
    })()
    await new Promise((r) => setTimeout(r, 500))
    await local.close()
    await new Promise((r) => setTimeout(r, 800))
    local = await listen(echoHandler(), port)
    await new Promise((r) => setTimeout(r, 800))
    stop = true
    await traffic

    expect(seen).toContain(502)
    expect(seen.at(-1)).toBe(200)
    expect(states).toEqual([]) // no offline/reconnecting: the tunnel never noticed
    await bystander.check()
  }, 60_000)
})
