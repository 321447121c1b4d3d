/**
 * One name per idea: old spellings still work and say their new name once; a mistyped
 * option is named with the closest real one; a profile's values are checked for type.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/config/resolve.js'
import { readUserConfig } from '../src/config/user-config.js'
import { planShare } from '../src/adapter/publish.js'

const dir = mkdtempSync(join(tmpdir(), 'gw-names-'))
const base = { proxy: 'gangway@proxy.example.com', domain: 'dev.example.com', configFile: join(dir, 'none.json'), port: 3000 }

describe('option names', () => {
  it('takes an old spelling under its new name, and says so once', () => {
    const warnings: string[] = []
    const logger = { info() {}, warn: (m: string) => warnings.push(m), error() {} }
    const opts = resolveOptions({ ...base, subdomain: 'blog', logger } as never)
    expect(opts.share.hostname).toBe('blog.dev.example.com')
    resolveOptions({ ...base, subdomain: 'blog', logger } as never)
    expect(warnings).toEqual(['openTunnel(): "subdomain" is now called "name"; "subdomain" still works for now.'])
    expect(resolveOptions({ ...base, name: 'x', httpsPort: 8443 } as never).share.url).toBe('https://x.dev.example.com:8443/')
  })

  it('names a mistyped option with the closest real one', () => {
    expect(() => resolveOptions({ ...base, subdomian: 'blog' } as never)).toThrow('openTunnel() has no option "subdomian" (did you mean "name"?)')
    expect(() => resolveOptions({ ...base, identityFiel: '/k' } as never)).toThrow('(did you mean "identityFile"?)')
    expect(() => resolveOptions({ ...base, zzz: 1 } as never)).toThrow(/has no option "zzz"(?! \(did)/)
  })

  it('an adapter that gets an old or unknown option still publishes, and says why', () => {
    const plan = planShare({ proxy: base.proxy, domain: base.domain, configFile: base.configFile, subdomain: 'blog', qrcode: true } as never, dir)
    expect(plan.share?.hostname).toBe('blog.dev.example.com')
    expect(plan.notices).toEqual([
      'gangway(): "subdomain" is now called "name"; "subdomain" still works for now.',
      'gangway() has no option "qrcode"; ignored.',
    ])
  })

  it('checks the profile file: unknown keys with the closest, and value types', () => {
    const file = join(dir, 'config.json')
    writeFileSync(file, JSON.stringify({ default: 'p', profiles: { p: { proxy: 'x@y', publicPort: '8443', hold: 'POST:/a', domian: 'a.b' } } }))
    expect(() => readUserConfig(file)).toThrow(/profiles\.p\.publicPort must be a number \(it is "8443"\).*profiles\.p\.hold must be a list of strings.*profiles\.p\.domian is not a setting \(did you mean domain\?\)/)
  })
})
