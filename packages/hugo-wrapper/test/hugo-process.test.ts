/** The hugo child wrapper with Debian's real hugo, no tunnel: ready line, tail, stop. */
import { connect } from 'node:net'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { findHugo } from '../src/hugo-binary.js'
import { startHugo } from '../src/hugo-process.js'
import { freePort } from '../src/run-hugo.js'
import { HugoError } from '../src/errors.js'

const playground = fileURLToPath(new URL('../../../playground/hugo-site', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'gangway-hugo-unit-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(false)))
    socket.once('error', () => resolve(true))
  })
}

describe('startHugo', () => {
  it('notices the ready line, serves, and stops with SIGINT (exit 0, port released)', async () => {
    const port = await freePort()
    const hugo = startHugo({ bin: findHugo(), args: ['server', '-s', playground, '--port', String(port), '--bind', '127.0.0.1', '--renderToDisk=false'], stdout: false, stderr: false })
    const ready = await hugo.ready()
    expect(ready).toMatchObject({ url: `http://localhost:${port}/`, bind: '127.0.0.1' })
    expect(await refused(port)).toBe(false)
    expect(await hugo.stop()).toBe(0)
    expect(hugo.done).toBe(true)
    expect(await refused(port)).toBe(true)
    expect(await hugo.stop()).toBe(0) // twice is fine
  })

  it('rejects with the last lines of output when hugo dies during start-up', async () => {
    const site = join(root, 'broken')
    cpSync(playground, site, { recursive: true })
    writeFileSync(join(site, 'layouts/_default/single.html'), '{{ define "main" }}{{ .NoSuchField }{{ end }}')
    const hugo = startHugo({ bin: findHugo(), args: ['server', '-s', site, '--port', String(await freePort())], stdout: false, stderr: false })
    const err = (await hugo.ready().catch((e: unknown) => e)) as HugoError
    expect(err).toBeInstanceOf(HugoError)
    expect(err.code).toBe('HUGO_EXITED')
    expect(err.exitCode).toBe(255)
    expect(err.output.join('\n')).toMatch(/single\.html/)
    expect(err.format()).toMatch(/hugo exited with code 255 before its web server was ready/)
  })

  it('kills with SIGKILL when SIGINT is ignored past the grace period', async () => {
    // A stand-in that ignores SIGINT (the ignored disposition survives exec).
    const hugo = startHugo({ bin: '/bin/sh', args: ['-c', 'trap "" INT; echo "Web Server is available at http://x/ (bind address 127.0.0.1)"; exec sleep 30'], stdout: false, stderr: false })
    await hugo.ready()
    const started = Date.now()
    expect(await hugo.stop(300)).toBe(137)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('does not wait for a grandchild that keeps its output pipes open', async () => {
    const hugo = startHugo({ bin: '/bin/sh', args: ['-c', 'sleep 3 & echo "Error: boom"; exit 3'], stdout: false, stderr: false })
    const started = Date.now()
    expect(await hugo.exited).toBe(3)
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(hugo.tail()).toEqual(['Error: boom'])
  })
})

describe('findHugo', () => {
  it('finds Debian hugo on PATH and explains how to install it when absent', () => {
    expect(findHugo('hugo', { PATH: '/usr/local/bin:/usr/bin' })).toBe('/usr/bin/hugo')
    const err = (() => {
      try {
        findHugo('hugo', { PATH: root })
      } catch (e) {
        return e as HugoError
      }
    })()
    expect(err?.code).toBe('HUGO_NOT_FOUND')
    expect(err?.exitCode).toBe(127)
    expect(err?.hint).toContain('sudo apt-get install hugo')
  })
})
