/**
 * Fault: the `gangway http` process is SIGKILLed (no share-down, no goodbye) and started
 * again: it takes its share back at once, although the dead session's forward is still
 * bound on the proxy for a few seconds.
 */
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { sshdSessionPids } from '@gangway/core/testing'
import { CLI, echoHandler, listen, publicRequest, type LocalServer } from '#test-utils'
import { expectSessionsBackTo, openBystander, type Bystander } from './helpers.js'

const sb = inject('sandbox')

/**
 * The CLI as ONE process (`node --import tsx`), not through the tsx wrapper: SIGKILL must
 * hit the process that holds the tunnel, as it would for an installed `gangway`.
 */
function startCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const line = /^\{.*\}$/m.exec(out)
      if (line) resolve(JSON.parse(line[0]).url)
    })
    void exit.then((code) => reject(new Error(`gangway exited ${code}: ${err}`)))
  })
  return { child, url, exit, stderr: () => err }
}

describe('fault: client process killed', () => {
  let local: LocalServer
  let bystander: Bystander
  let sessions: number

  beforeAll(async () => {
    local = await listen(echoHandler())
    bystander = await openBystander('fault-kill-bystander')
    sessions = sshdSessionPids(sb).length
  })
  afterAll(async () => {
    await bystander?.close()
    await local?.close()
  })

  it('SIGKILLed then restarted: the same URL serves again at once, nothing left behind', async () => {
    const args = ['http', String(local.port), '--subdomain', 'fault-kill', '--local-host', '127.0.0.1', '--no-inspect', '--json']
    const first = startCli(args)
    const url = await first.url
    expect((await publicRequest(url)).text).toBe('hello from local')

    first.child.kill('SIGKILL')
    expect(await first.exit).toBeNull()
    const t0 = Date.now()
    const second = startCli(args)
    const again = await second.url
    const ms = Date.now() - t0
    expect(again).toBe(url)
    expect((await publicRequest(url)).text).toBe('hello from local')
    // "At once": no waiting for the dead session to time out (that would show as NAME_TAKEN).
    expect(ms).toBeLessThan(10_000)
    expect(second.stderr()).not.toContain('NAME_TAKEN')

    second.child.kill('SIGINT')
    expect(await second.exit).toBe(0)
    await bystander.check()
    await expectSessionsBackTo(sessions)
  }, 60_000)
})
