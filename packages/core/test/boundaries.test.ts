/**
 * What each entry of @gangway/core loads and exports: the inspector only when asked for,
 * the sandbox's test fixtures out of its public API, setup independent of the sandbox.
 * Read from the sources' static imports (type-only imports load nothing).
 */
import { readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as sandbox from '../src/sandbox/index.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const src = join(root, 'src')

/** Every file of src a module loads when imported: static value imports and re-exports, transitively. */
function loadedBy(entry: string): string[] {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    // `import … from`, `export … from` and bare `import '…'`, but not `import type` / `export type`
    const re = /^(?:import|export)\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gms
    for (const m of text.matchAll(re)) visit(join(dirname(file), m[1]!.replace(/\.js$/, '.ts')))
  }
  visit(join(src, entry))
  return [...seen].map((f) => relative(src, f)).sort()
}

describe('@gangway/core entries', () => {
  it('importing @gangway/core does not load the inspector; openTunnel and startInspector load it on demand', () => {
    const loaded = loadedBy('index.ts')
    expect(loaded).toContain('tunnel/open-tunnel.ts')
    // Held deliveries share the store and replay with it; its server, page and recorder wait.
    const inspector = ['inspector', 'server', 'page', 'guard', 'access', 'connection-recorder', 'message-parser', 'body-view'].map((f) => `inspect/${f}.ts`)
    expect(loaded.filter((f) => inspector.includes(f))).toEqual([])
    expect(readFileSync(join(src, 'tunnel/open-tunnel.ts'), 'utf8')).toContain("await import('../inspect/inspector.js')")
  })

  it('@gangway/core/sandbox exports the sandbox, not test fixtures', () => {
    const fixtures = ['restartSshd', 'sshdSessionPids', 'stopProcesses', 'pickPorts', 'startPebbleCa', 'startDnsServer', 'rfc2136Credentials', 'AGENT_SOURCE']
    expect(Object.keys(sandbox).filter((k) => fixtures.includes(k))).toEqual([])
    expect(Object.keys(sandbox).sort()).toEqual([
      'SANDBOX_PROFILE',
      'defaultSandboxDir',
      'sandboxAgentConfig',
      'sandboxDown',
      'sandboxLabel',
      'sandboxProfile',
      'sandboxStatus',
      'sandboxUp',
    ])
  })

  it('the fixtures are @gangway/core/testing, an entry of the workspace only (not published)', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string>; publishConfig: { exports: Record<string, unknown> } }
    expect(pkg.exports['./testing']).toBe('./src/sandbox/testing.ts')
    expect(pkg.publishConfig.exports['./testing']).toBeUndefined()
    const testing = await import('../src/sandbox/testing.js')
    expect(Object.keys(testing).sort()).toEqual([
      'isRunning',
      'pickPorts',
      'restartHolds',
      'restartSshd',
      'rfc2136Credentials',
      'sshdOnPort',
      'sshdSessionPids',
      'startDnsServer',
      'startPebbleCa',
      'stopProcesses',
      'visitUrl',
    ])
  })

  it('setup does not load the sandbox (its daemons, its agent install); the agent source lives with the proxy code', () => {
    // (only the sandbox's paths, which the doctor's probe of a sandbox reads)
    expect(loadedBy('setup/setup.ts').filter((f) => f.startsWith('sandbox/'))).toEqual(['sandbox/layout.ts'])
    expect(readFileSync(join(src, 'proxy/agent-config.ts'), 'utf8')).toMatch(/export const AGENT_SOURCE/)
  })
})
