/**
 * withGangway as Next calls it, without a dev server: the config Next gets in each phase.
 * No PORT in the environment, so nothing is published (that part is test/next.e2e).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import withGangway from '../src/index.js'
import type { NextConfigLike } from '../src/options.js'

const share = { name: 'blog', proxy: 'gw@proxy.test', domain: 'dev.example.com', configFile: '/nonexistent/gangway.json' }
/** What Next passes: its own default config, typed as any Next config (not as the user's). */
const context: { defaultConfig: NextConfigLike } = { defaultConfig: {} }
/** As Next sees the export: a config of Next's type, whatever the literal's own type. */
const wrap = withGangway<NextConfigLike>

describe('withGangway', () => {
  let port: string | undefined
  beforeEach(() => {
    port = process.env.PORT
    delete process.env.PORT
  })
  afterEach(() => {
    if (port !== undefined) process.env.PORT = port
    delete process.env.GANGWAY
  })

  it('next dev: the share host joins allowedDevOrigins, the rest of the config is kept', async () => {
    const config = await wrap({ reactStrictMode: true, allowedDevOrigins: ['mine.test'] }, share)('phase-development-server', context)
    expect(config).toEqual({ reactStrictMode: true, allowedDevOrigins: ['mine.test', 'blog.dev.example.com'] })
  })

  it('build, start and other phases get the config unchanged', async () => {
    const input = { reactStrictMode: true }
    for (const phase of ['phase-production-build', 'phase-production-server', 'phase-export']) {
      expect(await wrap(input, share)(phase, context)).toBe(input)
    }
  })

  it('composes with a config function and with GANGWAY=0', async () => {
    const seen: string[] = []
    const fn = (phase: string) => (seen.push(phase), { basePath: '/docs' })
    expect(await wrap(fn, share)('phase-development-server', context)).toEqual({ basePath: '/docs', allowedDevOrigins: ['blog.dev.example.com'] })
    expect(seen).toEqual(['phase-development-server'])
    process.env.GANGWAY = '0'
    expect(await wrap(fn, share)('phase-development-server', context)).toEqual({ basePath: '/docs' })
  })

  it('a share that cannot be resolved leaves the config as it was', async () => {
    const config = await wrap({ reactStrictMode: true }, { configFile: '/nonexistent/gangway.json', proxy: '', domain: '' })('phase-development-server', context)
    expect(config).toEqual({ reactStrictMode: true })
  })
})
