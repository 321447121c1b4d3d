import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GangwayError } from '../src/errors.js'
import { hostMatches, parseTarget, resolveTarget } from '../src/ssh/config.js'

describe('ssh target resolution', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-sshcfg-'))
  const cfg = join(dir, 'config')
  mkdirSync(join(dir, 'conf.d'))
  writeFileSync(join(dir, 'conf.d', 'jump.conf'), 'Host inner\n  HostName 10.0.0.5\n  ProxyJump bastion\n')
  writeFileSync(
    cfg,
    `Include ${dir}/conf.d/*.conf
Host blogproxy
  HostName proxy.example.com
  User tunnel
  Port 2222
  IdentityFile ~/.ssh/gangway_%r
  UserKnownHostsFile ${dir}/known_%h
Host *.example.com !secret.example.com
  User wild
Host *
  User fallback
  Port 22
`,
  )

  it('parses user@host:port, [v6]:port and ssh:// forms', () => {
    expect(parseTarget('me@h.example:2200')).toEqual({ user: 'me', host: 'h.example', port: 2200 })
    expect(parseTarget('ssh://me@[::1]:2200')).toEqual({ user: 'me', host: '::1', port: 2200 })
    expect(parseTarget('alias')).toEqual({ user: undefined, host: 'alias', port: undefined })
  })

  it('rejects targets that could smuggle shell or options', () => {
    for (const bad of ['me@h;rm -rf', 'me@h:99999', "a'b@h", '-oProxyCommand=x@h']) {
      expect(() => parseTarget(bad), bad).toThrow(GangwayError)
    }
  })

  it('resolves a Host alias with first-value-wins and tokens', () => {
    const t = resolveTarget('blogproxy', { configFiles: [cfg] })
    expect(t).toMatchObject({ hostName: 'proxy.example.com', user: 'tunnel', port: 2222 })
    expect(t.identityFiles).toEqual([join(homedir(), '.ssh', 'gangway_tunnel')])
    expect(t.knownHostsFiles).toEqual([join(dir, 'known_proxy.example.com')])
  })

  it('lets the target override User and Port', () => {
    expect(resolveTarget('me@blogproxy:2022', { configFiles: [cfg] })).toMatchObject({ user: 'me', port: 2022, hostName: 'proxy.example.com' })
  })

  it('honours negated patterns, Include and ProxyJump', () => {
    expect(resolveTarget('a.example.com', { configFiles: [cfg] }).user).toBe('wild')
    expect(resolveTarget('secret.example.com', { configFiles: [cfg] }).user).toBe('fallback')
    expect(resolveTarget('inner', { configFiles: [cfg] })).toMatchObject({ hostName: '10.0.0.5', proxyJump: 'bastion' })
  })

  it('defaults to port 22 and the local user', () => {
    expect(resolveTarget('plain.host', { configFiles: [] })).toMatchObject({ port: 22, user: userInfo().username })
  })

  it('matches host patterns case-insensitively with ? and *', () => {
    expect(hostMatches(['prox?.EXAMPLE.com'], 'proxy.example.com')).toBe(true)
    expect(hostMatches(['*', '!x'], 'x')).toBe(false)
  })
})
