/**
 * Bad or missing config values through the CLI: each names the key and what is expected,
 * all problems at once, exit 1, before any connection is made.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCliToEnd } from '#test-utils'

function configFile(profile: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gangway-badcfg-')), 'config.json')
  writeFileSync(file, JSON.stringify({ default: 'p', profiles: { p: profile } }))
  return file
}

describe('bad input: bad or missing config values', () => {
  it('a profile with a bad domain and port: both keys named with what is expected', async () => {
    const file = configFile({ proxy: 'me@127.0.0.1:1', domain: 'not a domain', publicPort: 70000 })
    const r = await runCliToEnd(['http', '3000', '--no-inspect'], { GANGWAY_CONFIG: file, GANGWAY_PROFILE: 'p' })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('domain "not a domain" is not a DNS name')
    expect(r.stderr).toContain('publicPort 70000 is not a port (expected 1-65535)')
  })

  it('bad values from the environment: GANGWAY_MAX_BODY and GANGWAY_PUBLIC_PORT', async () => {
    const file = configFile({ proxy: 'me@127.0.0.1:1', domain: 'example.test' })
    const r = await runCliToEnd(['http', '3000', '--no-inspect'], { GANGWAY_CONFIG: file, GANGWAY_PROFILE: 'p', GANGWAY_MAX_BODY: 'lots', GANGWAY_PUBLIC_PORT: '0' })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('maxBodySize "lots" is not a size like 100m')
    expect(r.stderr).toContain('publicPort 0 is not a port')
  })

  it('a missing domain is named with where to set it', async () => {
    const file = configFile({ proxy: 'me@127.0.0.1:1' })
    const r = await runCliToEnd(['http', '3000', '--no-inspect'], { GANGWAY_CONFIG: file, GANGWAY_PROFILE: 'p', GANGWAY_DOMAIN: '' })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('no domain is configured (domain option, GANGWAY_DOMAIN, or a profile)')
  })

  it('a misspelt key in the profile is named, with the known keys', async () => {
    const file = configFile({ proxy: 'me@127.0.0.1:1', domian: 'example.test' })
    const r = await runCliToEnd(['http', '3000', '--no-inspect'], { GANGWAY_CONFIG: file, GANGWAY_PROFILE: 'p' })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('profiles.p.domian is not a setting (did you mean domain?) (known: ')
  })

  it('an unreadable config file is named', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gangway-badcfg-')), 'config.json')
    writeFileSync(file, '{ not json')
    const r = await runCliToEnd(['http', '3000', '--no-inspect'], { GANGWAY_CONFIG: file })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain(file)
  })
})
