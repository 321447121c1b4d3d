/**
 * The "before" build for A/B runs: `git archive REV` of this repository into the bench's
 * temp dir with its own dependencies (pnpm install --offline, from the local store), so a
 * Gangway child can load that revision's core next to this tree's (GANGWAY_BENCH_CORE).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('../../', import.meta.url))

export interface BeforeTree {
  rev: string
  /** short commit id */
  commit: string
  /** packages/core/src/index.ts of that revision, for GANGWAY_BENCH_CORE */
  coreEntry: string
}

export function prepareBefore(tmp: string, rev: string): BeforeTree {
  const commit = execFileSync('git', ['-C', REPO, 'rev-parse', '--short', rev], { encoding: 'utf8' }).trim()
  const dir = join(tmp, `before-${commit}`)
  mkdirSync(dir, { recursive: true })
  execFileSync('sh', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'sh', REPO, commit, dir])
  execFileSync('pnpm', ['install', '--offline', '--frozen-lockfile', '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] })
  return { rev, commit, coreEntry: join(dir, 'packages', 'core', 'src', 'index.ts') }
}
