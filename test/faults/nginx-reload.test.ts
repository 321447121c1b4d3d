/**
 * Fault: nginx reloaded (as every share-up does) while visitors keep requesting: nginx's
 * reload is graceful, so not one request may fail or lose a byte.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openTunnel, type Tunnel } from '@gangway/core'
import { echoHandler, expectedSha256, listen, publicRequest, type LocalServer } from '#test-utils'
import { openBystander, sha256, type Bystander } from './helpers.js'

const sb = inject('sandbox')
const SIZE = 64 * 1024
const WORKERS = 8

describe('fault: nginx reloaded under load', () => {
  let local: LocalServer
  let tunnel: Tunnel
  let bystander: Bystander

  beforeAll(async () => {
    local = await listen(echoHandler())
    tunnel = await openTunnel({ port: local.port, name: 'fault-reload', localHost: '127.0.0.1' })
    bystander = await openBystander('fault-reload-bystander')
  })
  afterAll(async () => {
    await tunnel?.close()
    await local?.close()
    await bystander?.close()
  })

  it('no failed request across 3 reloads', async () => {
    const reload = JSON.parse(readFileSync(sb.agentConfig, 'utf8')).nginx.reload as string[]
    const url = new URL(`/bytes/${SIZE}`, tunnel.url).href
    const failures: string[] = []
    let ok = 0
    let stop = false
    // A new visitor connection per request: a keep-alive connection that nginx closes while
    // idle is a race of HTTP keep-alive itself, not of the reload.
    const worker = async () => {
      while (!stop) {
        try {
          const r = await publicRequest(url)
          if (r.status !== 200 || sha256(r.body) !== expectedSha256(SIZE)) failures.push(`HTTP ${r.status}, ${r.body.length} bytes`)
          else ok++
        } catch (err) {
          failures.push((err as Error).message)
        }
      }
    }
    const workers = Array.from({ length: WORKERS }, worker)
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 400))
      await promisify(execFile)(reload[0]!, reload.slice(1))
    }
    await new Promise((r) => setTimeout(r, 400))
    stop = true
    await Promise.all(workers)
    expect(failures).toEqual([])
    expect(ok).toBeGreaterThan(20)
    await bystander.check()
  }, 60_000)
})
