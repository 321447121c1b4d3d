/**
 * One share, one process (issue 13, item 6): a second process asking for a name that a
 * live process of the same key serves is refused, naming that process; with takeover the
 * first one is told, says so, and stops saying it is online.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTunnel, type Tunnel } from '@gangway/core'
import { echoHandler, listen, publicRequest, type LocalServer } from '#test-utils'

const HOLD = fileURLToPath(new URL('./helpers/hold-tunnel.ts', import.meta.url))

describe('one share, one process', () => {
  let local: LocalServer
  let taker: Tunnel | undefined
  beforeAll(async () => {
    local = await listen(echoHandler())
  })
  afterAll(async () => {
    await taker?.close()
    await local?.close()
  })

  it('refuses a second process with NAME_TAKEN naming the first; a takeover tells the first, which stops', async () => {
    const first = spawn(process.execPath, ['--import', 'tsx', HOLD, 'one-proc', 'FIRST'], { env: { ...process.env, GANGWAY_CLIENT_ID: 'laptop-a' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    first.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    try {
      const url = await new Promise<string>((resolve, reject) => {
        first.stdout!.on('data', (d: Buffer) => {
          const m = /^online (\S+)/m.exec(d.toString())
          if (m) resolve(m[1]!)
        })
        first.once('exit', (code) => reject(new Error(`first exited ${code}: ${stderr}`)))
      })
      expect((await publicRequest(url)).text).toBe('hello from FIRST')

      await expect(openTunnel({ port: local.port, name: 'one-proc', localHost: '127.0.0.1' })).rejects.toMatchObject({
        code: 'NAME_TAKEN',
        message: expect.stringContaining(`is being served by pid ${first.pid} (node hold-tunnel.ts) on laptop-a`),
        hint: expect.stringContaining('--takeover'),
      })
      expect((await publicRequest(url)).text).toBe('hello from FIRST') // the refusal changed nothing

      taker = await openTunnel({ port: local.port, name: 'one-proc', localHost: '127.0.0.1', takeover: true })
      expect((await publicRequest(url)).text).toBe('hello from local')
      await expect.poll(() => stderr, { timeout: 15_000, interval: 100 }).toContain('taken over')
      expect(stderr).toMatch(new RegExp(`Tunnel stopped: one-proc\\.\\S+ was taken over by pid ${process.pid} `))
      expect((await publicRequest(url)).text).toBe('hello from local') // and the first does not take it back
    } finally {
      first.kill('SIGKILL')
    }
  }, 60_000)
})
