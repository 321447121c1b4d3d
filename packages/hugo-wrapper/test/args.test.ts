import { describe, expect, it } from 'vitest'
import { hugoCommand, isServerCommand, serverArgs, sourceDir, splitArgs, takeFlag, userPort, UsageError } from '../src/args.js'

const at = { port: 40123, baseURL: 'https://blog.gangway.test:28443/', liveReloadPort: 28443 }
const OWN = ['--port', '40123', '--bind', '127.0.0.1', '--baseURL', 'https://blog.gangway.test:28443/', '--appendPort=false', '--liveReloadPort', '28443']

describe('splitArgs', () => {
  it('takes the wrapper flags out, in both spellings, and leaves hugo its own', () => {
    const { flags, hugoArgs } = splitArgs(['server', '-D', '--subdomain', 'blog', '--qr', '--proxy=me@p:2222', '-s', 'site', '--profile', 'work', '--gangway-verbose'])
    expect(flags).toEqual({ subdomain: 'blog', proxy: 'me@p:2222', profile: 'work', qr: true, verbose: true, help: false })
    expect(hugoArgs).toEqual(['server', '-D', '-s', 'site'])
  })
  it('leaves --help and -h to hugo; --gangway-help is ours', () => {
    expect(splitArgs(['--help']).hugoArgs).toEqual(['--help'])
    expect(splitArgs(['server', '-h']).hugoArgs).toEqual(['server', '-h'])
    expect(splitArgs(['--gangway-help'])).toMatchObject({ flags: { help: true }, hugoArgs: [] })
  })
  it('does not look past --', () => {
    expect(splitArgs(['server', '--', '--qr']).hugoArgs).toEqual(['server', '--', '--qr'])
  })
  it('refuses a wrapper flag without its value', () => {
    expect(() => splitArgs(['server', '--subdomain'])).toThrow(UsageError)
    expect(() => splitArgs(['server', '--subdomain', '-D'])).toThrow(/--subdomain needs a value/)
    expect(() => splitArgs(['server', '--auth='])).toThrow(UsageError)
  })
})

describe('hugoCommand', () => {
  it.each([
    [['server', '-D'], 'server'],
    [['serve'], 'serve'],
    [['s'], 's'],
    [['-D', 'server'], 'server'],
    [['-s', 'site', 'server'], 'server'],
    [['--source', 'site', 'server'], 'server'],
    [['--source=site', 'server'], 'server'],
    [['-e', 'production', '--config', 'x.toml', 'server'], 'server'],
    [['version'], 'version'],
    [['new', 'posts/x.md'], 'new'],
    [['--minify'], undefined],
    [[], undefined],
  ])('%j → %s', (args, name) => {
    expect(hugoCommand(args).name).toBe(name)
  })
  it('knows the server aliases', () => {
    expect(['server', 'serve', 's'].map(isServerCommand)).toEqual([true, true, true])
    expect(['version', 'new', undefined].map(isServerCommand)).toEqual([false, false, false])
  })
})

describe('takeFlag / userPort / sourceDir', () => {
  it.each([
    [['server', '--port', '1400']],
    [['server', '--port=1400']],
    [['server', '-p', '1400']],
    [['server', '-p=1400']],
    [['server', '-p1400']],
  ])('reads the port from %j', (args) => {
    expect(userPort(args)).toBe(1400)
    expect(takeFlag(args, { long: 'port', short: 'p', value: true }).rest).toEqual(['server'])
  })
  it('has no port when none is given, and refuses a bad one', () => {
    expect(userPort(['server', '-D'])).toBeUndefined()
    expect(() => userPort(['server', '-p', 'abc'])).toThrow(/not a port/)
    expect(() => userPort(['server', '--port=70000'])).toThrow(/not a port/)
  })
  it('reads the source directory', () => {
    expect(sourceDir(['-s', 'site', 'server'])).toBe('site')
    expect(sourceDir(['server', '--source=../blog'])).toBe('../blog')
    expect(sourceDir(['server'])).toBeUndefined()
  })
})

describe('serverArgs', () => {
  it('serves on loopback at the chosen port with links and live reload at the public URL', () => {
    expect(serverArgs(['server', '-D'], at)).toEqual({ args: ['server', ...OWN, '-D'], warnings: [] })
  })
  it('keeps the user\'s explicit port, in any spelling, without a warning', () => {
    for (const form of [['-p', '40123'], ['--port', '40123'], ['--port=40123'], ['-p40123']]) {
      expect(serverArgs(['server', ...form, '-D'], at)).toEqual({ args: ['server', ...OWN, '-D'], warnings: [] })
    }
  })
  it('replaces a user --baseURL (all spellings) with a warning', () => {
    for (const form of [['--baseURL', 'http://example.org/'], ['--baseURL=http://example.org/'], ['-b', 'http://example.org/'], ['-bhttp://example.org/']]) {
      const r = serverArgs(['server', '-D', ...form], at)
      expect(r.args).toEqual(['server', ...OWN, '-D'])
      expect(r.warnings).toEqual([expect.stringMatching(/^--baseURL http:\/\/example\.org\/ replaced by https:\/\/blog\.gangway\.test:28443\/: links must point at the public URL/)])
    }
  })
  it('replaces bind, appendPort and liveReloadPort, warning only when they differed', () => {
    const r = serverArgs(['server', '--bind', '0.0.0.0', '--appendPort', '--liveReloadPort=1313'], at)
    expect(r.args).toEqual(['server', ...OWN])
    expect(r.warnings.map((w) => w.split(' ')[0])).toEqual(['--bind', '--appendPort', '--liveReloadPort'])
    expect(serverArgs(['server', '--bind=127.0.0.1', '--appendPort=false'], at).warnings).toEqual([])
  })
  it('keeps flags before the command and arguments after -- in place, and spells `s` as `server`', () => {
    expect(serverArgs(['-s', 'site', 's', '-D', '--', 'x'], at).args).toEqual(['-s', 'site', 'server', ...OWN, '-D', '--', 'x'])
  })
})
