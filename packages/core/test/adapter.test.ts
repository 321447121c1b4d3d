/**
 * The adapter glue every adapter shares (share name rule, dial host, messages) and the
 * terminal output every program prints with: what a user reads, checked as text.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { colorsFor, createTerminal, describeError, dialHost, formatError, GangwayError, pickShareName, planShare, projectShareName, publicUrlLine, publishFailedMessage, qrCode, shareClosedMessage, UsageError } from '../src/index.js'

const root = mkdtempSync(join(tmpdir(), 'gangway-adapter-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('share name', () => {
  const app = join(root, 'app')
  mkdirSync(join(app, 'src'), { recursive: true })
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: '@acme/My_Blog' }))

  it('option, then GANGWAY_NAME, then the project package.json found from the root the framework reports', () => {
    expect(projectShareName('given', app, { GANGWAY_NAME: 'env' })).toBe('given')
    expect(projectShareName(undefined, app, { GANGWAY_NAME: 'env' })).toBe('env')
    expect(projectShareName(undefined, join(app, 'src'), { GANGWAY_NAME: '' })).toBe('my-blog')
    expect(pickShareName(undefined, () => 'site-dir', {})).toBe('site-dir')
  })

  it('planShare resolves the share up front and never throws: a missing proxy is kept to be reported later', () => {
    const env = { GANGWAY_CONFIG: join(root, 'none.json') }
    const ok = planShare({ proxy: 'gw@proxy.test', domain: 'dev.example.com' }, app, env)
    expect(ok.share?.url).toBe('https://my-blog.dev.example.com/')
    expect(ok.options?.name).toBe('my-blog')
    const missing = planShare({}, app, env)
    expect(missing.share).toBeUndefined()
    expect((missing.error as GangwayError).code).toBe('CONFIG_MISSING')
  })
})

describe('messages', () => {
  const err = new GangwayError('AUTH_FAILED', 'the proxy refused the key', { hint: 'Run gangway setup again.' })

  it('dials localhost for every-interface addresses, the address itself otherwise', () => {
    expect(dialHost('::')).toBe('localhost')
    expect(dialHost('0.0.0.0')).toBe('localhost')
    expect(dialHost(undefined)).toBe('localhost')
    expect(dialHost('127.0.0.1')).toBe('127.0.0.1')
    expect(dialHost('::1')).toBe('::1')
  })

  it('describes a GangwayError with its hint, anything else by its message', () => {
    expect(describeError(err)).toBe('the proxy refused the key\n  → Run gangway setup again.')
    expect(describeError(new Error('boom'))).toBe('boom')
    expect(describeError('odd')).toBe('odd')
  })

  it('says localhost still works when publishing fails, and why a share closed', () => {
    expect(publishFailedMessage('https://a.example.com/', 5173, err)).toBe(
      'Could not publish the dev server at https://a.example.com/: the proxy refused the key\n  → Run gangway setup again.\n  The dev server keeps running on http://localhost:5173/.',
    )
    expect(shareClosedMessage('https://a.example.com/', { state: 'closed' })).toBe('Share closed: https://a.example.com/ is offline.')
    const taken = new GangwayError('NAME_TAKEN', 'another process took the share over', { hint: 'Stop the other one.' })
    expect(shareClosedMessage('https://a.example.com/', { state: 'closed', error: taken })).toContain('is offline: another process took the share over\n  → Stop the other one.')
  })
})

describe('terminal output', () => {
  it('the ➜ Public line: plain, with its local target, and in Vite banner layout', () => {
    expect(publicUrlLine('https://a.example.com/', { to: 'http://localhost:3000' })).toBe('➜  Public: https://a.example.com/  →  http://localhost:3000')
    expect(publicUrlLine('https://a.gangway.test:28443/', { layout: 'banner' })).toBe('  ➜  Public:  https://a.gangway.test:28443/')
    expect(publicUrlLine('https://a.example.com/', { layout: 'banner', note: '(closed)' })).toBe('  ➜  Public:  https://a.example.com/ (closed)')
    expect(publicUrlLine('https://a.example.com/', { layout: 'next' })).toBe('   - Public:        https://a.example.com/')
    const coloured = publicUrlLine('https://a.gangway.test:28443/', { colors: true })
    expect(coloured).toContain('\u001b[')
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe('➜  Public: https://a.gangway.test:28443/')
  })

  it('colours only for a terminal with colours, or when FORCE_COLOR says so; NO_COLOR wins otherwise', () => {
    const tty = { isTTY: true, hasColors: () => true }
    expect(colorsFor(tty, {})).toBe(true)
    expect(colorsFor(tty, { NO_COLOR: '1' })).toBe(false)
    expect(colorsFor({}, {})).toBe(false)
    expect(colorsFor({}, { FORCE_COLOR: '1' })).toBe(true)
    expect(colorsFor(tty, { FORCE_COLOR: '0' })).toBe(false)
  })

  it('prints errors with their fix and code, usage errors with the help, the rest with their stack', () => {
    expect(formatError(new GangwayError('AUTH_FAILED', 'refused', { hint: 'Fix it.' }))).toBe('✖ refused\n  → Fix it.\n  (AUTH_FAILED)')
    const withOutput = Object.assign(new Error('hugo exited'), { name: 'HugoError', code: 'HUGO_EXITED', hint: undefined, output: ['Error: bad template'] })
    expect(formatError(withOutput)).toBe('✖ hugo exited\n  │ Error: bad template\n  (HUGO_EXITED)')
    expect(formatError(new UsageError('--port needs a value'), { help: 'gangway-hugo --gangway-help' })).toBe('✖ --port needs a value\n  → See gangway-hugo --gangway-help.')
    expect(formatError(new Error('surprise'))).toMatch(/^✖ Error: surprise\n {4}at /)
  })

  it('a Terminal writes the URL to stdout (QR under it on request) and everything else to stderr', () => {
    const stdout: string[] = []
    const stderr: string[] = []
    const t = createTerminal({ stdout: { write: (s: string) => stdout.push(s) }, stderr: { write: (s: string) => stderr.push(s) }, env: {} })
    t.publicUrl('https://a.example.com/', { to: 'http://localhost:3000', qr: true })
    t.info('share closed')
    t.logger(false).warn('reconnecting')
    expect(t.logger(false).debug).toBeUndefined()
    expect(stdout[0]).toBe('➜  Public: https://a.example.com/  →  http://localhost:3000\n')
    expect(stdout[1]).toMatch(/[▀▄█]/)
    expect(stderr).toEqual(['gangway share closed\n', 'gangway reconnecting\n'])
    expect(qrCode('https://a.example.com/', 2).split('\n').every((l) => l.startsWith('  '))).toBe(true)
  })
})
