import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveOptions, resolveShare } from '../src/config/resolve.js'
import { defaultShareName, toDnsLabel } from '../src/config/default-name.js'
import { readUserConfig, writeProfile } from '../src/config/user-config.js'
import { GangwayError } from '../src/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'gw-opts-'))
const configFile = join(dir, 'config.json')
writeProfile(configFile, 'home', { proxy: 'tunnel@proxy.example.com', domain: 'example.com' })
writeProfile(configFile, 'lab', { proxy: 'lab', domain: 'lab.test', publicPort: 8443 })
const env = { GANGWAY_CONFIG: configFile } as NodeJS.ProcessEnv

function errorOf(fn: () => unknown): GangwayError {
  try {
    fn()
  } catch (err) {
    if (err instanceof GangwayError) return err
    throw err
  }
  throw new Error('did not throw')
}

describe('resolveOptions', () => {
  it('reads the default profile and builds the URL', () => {
    const share = resolveShare({ name: 'blog' }, env)
    expect(share).toMatchObject({ hostname: 'blog.example.com', url: 'https://blog.example.com/', host: 'blog.example.com', proxy: 'tunnel@proxy.example.com' })
  })

  it('puts flags over env over the profile, and shows a non-443 port in the URL', () => {
    const share = resolveShare({ name: 'x', domain: 'flag.test' }, { ...env, GANGWAY_PROFILE: 'lab', GANGWAY_DOMAIN: 'env.test', GANGWAY_PROXY: 'envproxy' })
    expect(share).toMatchObject({ domain: 'flag.test', proxy: 'envproxy', url: 'https://x.flag.test:8443/', host: 'x.flag.test:8443' })
  })

  it('lists every bad field in one error', () => {
    const err = errorOf(() => resolveOptions({ port: 70000, name: 'Bad_Name', maxBodySize: 'lots', domain: 'no_domain' }, env))
    expect(err.code).toBe('INVALID_NAME')
    expect(err.message).toContain('share name "Bad_Name"')
    expect(err.message).toContain('local port 70000')
    expect(err.message).toContain('maxBodySize "lots"')
    expect(err.message).toContain('domain "no_domain"')
    expect(err.message).toContain('try "bad-name"')
  })

  it('refuses injected or oversized names', () => {
    for (const name of ['a;b', '../x', 'a'.repeat(64), 'ünï', 'x\nserver{', '-a', 'a.b']) {
      expect(errorOf(() => resolveOptions({ port: 3000, name }, env)).code, name).toBe('INVALID_NAME')
    }
  })

  it('says what is missing when nothing is configured', () => {
    const err = errorOf(() => resolveOptions({ port: 3000, name: 'a' }, { GANGWAY_CONFIG: join(dir, 'none.json') }))
    expect(err.code).toBe('CONFIG_MISSING')
    expect(err.hint).toContain('gangway setup')
  })

  it('names the unknown profile and the known ones', () => {
    const err = errorOf(() => resolveShare({ profile: 'nope' }, env))
    expect(err.message).toContain('profile "nope"')
    expect(err.hint).toContain('home, lab')
  })

  it('rejects unknown keys in the config file, naming them', () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ profiles: { p: { proxy: 'x', domian: 'typo.test' } } }))
    const err = errorOf(() => readUserConfig(bad))
    expect(err.code).toBe('CONFIG_INVALID')
    expect(err.message).toContain('profiles.p.domian is not a setting')
  })

  it('derives a stable DNS-label name from the project', () => {
    expect(toDnsLabel('@acme/My_Blog.Site')).toBe('my-blog-site')
    expect(defaultShareName(join(__dirname, '..'))).toBe('core')
  })
})
