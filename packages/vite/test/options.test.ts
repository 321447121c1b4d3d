import { describe, expect, it } from 'vitest'
import { allowPublicHost, mergeAllowedHosts } from '../src/allowed-hosts.js'
import { adjustHmr } from '../src/hmr.js'
import { resolveOptions } from '../src/options.js'

const URL = 'https://app.example.com/'

describe('allowedHosts', () => {
  it('adds exactly the public host name, merged with the user list, never true', () => {
    expect(mergeAllowedHosts(undefined, 'app.example.com')).toEqual(['app.example.com'])
    expect(mergeAllowedHosts(['.corp.test'], 'app.example.com')).toEqual(['.corp.test', 'app.example.com'])
    expect(mergeAllowedHosts(['app.example.com'], 'app.example.com')).toEqual(['app.example.com'])
  })

  it("keeps the user's own `true`", () => {
    expect(mergeAllowedHosts(true, 'app.example.com')).toBe(true)
  })

  it('writes server and preview; an unset preview list inherits the server list', () => {
    const config: Parameters<typeof allowPublicHost>[0] = { server: { allowedHosts: ['mine.test'] } }
    allowPublicHost(config, 'app.example.com')
    expect(config.server?.allowedHosts).toEqual(['mine.test', 'app.example.com'])
    expect(config.preview?.allowedHosts).toEqual(['mine.test', 'app.example.com'])

    const both: Parameters<typeof allowPublicHost>[0] = { preview: { allowedHosts: ['p.test'] } }
    allowPublicHost(both, 'app.example.com')
    expect(both.server?.allowedHosts).toEqual(['app.example.com'])
    expect(both.preview?.allowedHosts).toEqual(['p.test', 'app.example.com'])
  })
})

describe('hmr adjustment', () => {
  it('leaves no settings, true and false alone, without a warning', () => {
    for (const hmr of [undefined, true, false]) expect(adjustHmr(hmr, URL, 5173)).toEqual({ hmr, warnings: [] })
  })

  it('keeps settings that do not pin the socket elsewhere', () => {
    const hmr = { path: '/hmr', overlay: false, timeout: 5000, port: 5173 }
    expect(adjustHmr(hmr, URL, 5173)).toEqual({ hmr, warnings: [] })
  })

  it('drops host, clientPort, protocol and a separate port, one warning each', () => {
    const user = { host: 'localhost', clientPort: 443, protocol: 'ws', port: 24678, path: '/hmr' }
    const { hmr, warnings } = adjustHmr(user, URL, 5173)
    expect(hmr).toEqual({ path: '/hmr' })
    expect(warnings).toHaveLength(4)
    expect(warnings.join('\n')).toMatch(/server\.hmr\.host \(localhost\)/)
    expect(warnings.join('\n')).toMatch(/server\.hmr\.port \(24678\)/)
    expect(user.host).toBe('localhost') // the user's object is not mutated
  })

  it('warns about a custom hmr server without changing it', () => {
    const server = {} as never
    const { hmr, warnings } = adjustHmr({ server }, URL, 5173)
    expect(hmr).toEqual({ server })
    expect(warnings[0]).toMatch(/server\.hmr\.server/)
  })
})

describe('resolveOptions', () => {
  it('is on by default and passes share options through', () => {
    expect(resolveOptions({ name: 'x', qr: true }, {})).toEqual({ enabled: true, qr: true, share: { name: 'x' } })
  })

  it('GANGWAY=0 or enabled: false turns it off', () => {
    expect(resolveOptions({}, { GANGWAY: '0' }).enabled).toBe(false)
    expect(resolveOptions({}, { GANGWAY: 'false' }).enabled).toBe(false)
    expect(resolveOptions({ enabled: false }, {}).enabled).toBe(false)
    expect(resolveOptions({}, { GANGWAY: '1' }).enabled).toBe(true)
  })
})
