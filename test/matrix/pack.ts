/**
 * Global setup of the matrix: the packages as a user gets them — `pnpm -r build`, then
 * `pnpm pack` of each (publishConfig applied, workspace ranges made real) — once per run.
 * Test files get the tarball paths with inject('tarballs').
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    tarballs: Record<string, string>
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const PACKED = ['core', 'vite', 'webpack', 'next']

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'gangway-packs-'))
  execFileSync('pnpm', ['build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
  for (const pkg of PACKED) {
    execFileSync('pnpm', ['pack', '--pack-destination', dir], { cwd: join(ROOT, 'packages', pkg), stdio: ['ignore', 'ignore', 'inherit'] })
  }
  const tarballs: Record<string, string> = {}
  for (const file of readdirSync(dir)) {
    const m = /^gangway-(.+)-\d+\.\d+\.\d+\.tgz$/.exec(file)
    if (m) tarballs[`@gangway/${m[1]}`] = join(dir, file)
  }
  project.provide('tarballs', tarballs)
  return () => rmSync(dir, { recursive: true, force: true })
}
