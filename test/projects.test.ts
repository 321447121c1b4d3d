/** The unit project stays a unit project: none of its files starts a proxy or needs the run's sandbox. */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { SELF_SANDBOXED, UNIT_IN_TEST } from './projects.js'

const root = fileURLToPath(new URL('..', import.meta.url))

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [relative(root, join(dir, e.name))] : [],
  )
}

describe('vitest projects', () => {
  it('no unit test starts a sandbox, a VPS or a DNS server, or asks for the shared sandbox', () => {
    const packages = readdirSync(join(root, 'packages')).flatMap((p) => {
      try {
        return testFiles(join(root, 'packages', p, 'test'))
      } catch {
        return []
      }
    })
    const unit = [...packages, ...UNIT_IN_TEST].filter((f) => !SELF_SANDBOXED.includes(f))
    expect(unit.length).toBeGreaterThan(10)
    const starts = /\b(sandboxUp|startVps|startDnsServer|startVpsAcme)\(|inject\('sandbox'\)/
    expect(unit.filter((f) => starts.test(readFileSync(join(root, f), 'utf8')))).toEqual([])
  })
})
