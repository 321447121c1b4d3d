/** What the Rsbuild plugin writes into rsbuild config: the host joins a list (never `true`), pinned HMR settings are dropped. */
import { describe, expect, it } from 'vitest'
import { allowPublicHost, followPageClient, type RsbuildConfigLike } from '../src/rsbuild-config.js'

describe('Rsbuild config', () => {
  it("adds the public host to the user's list, and leaves Rsbuild's no-check default alone", () => {
    const listed: RsbuildConfigLike = { server: { allowedHosts: ['mine.test'], port: 3000 } }
    expect(allowPublicHost(listed, 'blog.example.com')).toEqual(['mine.test', 'blog.example.com'])
    expect(listed.server).toEqual({ allowedHosts: ['mine.test', 'blog.example.com'], port: 3000 })
    expect(allowPublicHost(listed, 'blog.example.com')).toEqual(['mine.test', 'blog.example.com'])
    const open: RsbuildConfigLike = { server: { allowedHosts: true } }
    expect(allowPublicHost(open, 'blog.example.com')).toBeUndefined()
    expect(open.server?.allowedHosts).toBe(true)
    expect(allowPublicHost({}, 'blog.example.com')).toBeUndefined()
  })

  it('drops a pinned dev.client host/port/protocol with a warning each; Rsbuild defaults and other settings stay', () => {
    const config: RsbuildConfigLike = { dev: { client: { host: 'localhost', port: 3000, protocol: 'ws', path: '/hmr', overlay: false } } }
    const warnings = followPageClient(config, 'https://blog.example.com/')
    expect(config.dev?.client).toEqual({ path: '/hmr', overlay: false })
    expect(warnings).toHaveLength(3)
    expect(warnings[0]).toContain('dev.client.host (localhost) is ignored')
    const defaults: RsbuildConfigLike = { dev: { client: { host: '', port: '', path: '/rsbuild-hmr' } } }
    expect(followPageClient(defaults, 'https://blog.example.com/')).toEqual([])
  })
})
