import { describe, expect, it } from 'vitest'
import { followPageWebSocket, mergeAllowedHosts } from '../src/dev-server-options.js'
import { resolveOptions } from '../src/options.js'

describe('allowedHosts', () => {
  it('adds exactly the public host name to what the user allowed', () => {
    expect(mergeAllowedHosts(undefined, 'app.example.com')).toEqual(['app.example.com'])
    expect(mergeAllowedHosts('auto', 'app.example.com')).toEqual(['app.example.com'])
    expect(mergeAllowedHosts('.corp.test', 'app.example.com')).toEqual(['.corp.test', 'app.example.com'])
    expect(mergeAllowedHosts(['a.test', 'app.example.com'], 'app.example.com')).toEqual(['a.test', 'app.example.com'])
  })

  it("keeps the user's own 'all'", () => {
    expect(mergeAllowedHosts('all', 'app.example.com')).toBe('all')
  })
})

describe('client.webSocketURL', () => {
  it('follows the page when the user set nothing, without a warning', () => {
    expect(followPageWebSocket(undefined)).toEqual({ client: { webSocketURL: { protocol: 'auto:', hostname: '0.0.0.0', port: 0 } }, warning: undefined })
    expect(followPageWebSocket({ overlay: false })).toEqual({
      client: { overlay: false, webSocketURL: { protocol: 'auto:', hostname: '0.0.0.0', port: 0 } },
      warning: undefined,
    })
  })

  it('keeps a pathname, replaces a pinned host and port with a warning', () => {
    const { client, warning } = followPageWebSocket({ webSocketURL: 'ws://127.0.0.1:8080/custom-ws' })
    expect(client).toEqual({ webSocketURL: { protocol: 'auto:', hostname: '0.0.0.0', port: 0, pathname: '/custom-ws' } })
    expect(warning).toMatch(/protocol\/hostname\/port replaced/)
  })

  it('leaves a URL that already follows the page, and client: false, alone', () => {
    expect(followPageWebSocket({ webSocketURL: 'auto://0.0.0.0:0/ws' })).toEqual({ client: { webSocketURL: 'auto://0.0.0.0:0/ws' } })
    expect(followPageWebSocket(false)).toEqual({ client: false })
  })
})

describe('resolveOptions', () => {
  it('GANGWAY=0 or enabled: false turns it off', () => {
    expect(resolveOptions({}, {}).enabled).toBe(true)
    expect(resolveOptions({}, { GANGWAY: '0' }).enabled).toBe(false)
    expect(resolveOptions({ enabled: false, name: 'x' }, {})).toEqual({ enabled: false, share: { name: 'x' } })
  })
})
