/**
 * One sandbox proxy (sshd, nginx, pebble, certbot on loopback) for the whole run.
 * Test files get its facts with inject('sandbox') and a user config whose default
 * profile points at it, so code under test needs no proxy options — as for a user.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { writeProfile } from '@gangway/core'
import { SANDBOX_PROFILE, sandboxDown, sandboxProfile, sandboxUp, type SandboxInfo } from '@gangway/core/sandbox'

declare module 'vitest' {
  export interface ProvidedContext {
    sandbox: SandboxInfo & { configFile: string }
  }
}

export default async function setup(project: TestProject) {
  const root = mkdtempSync(join(tmpdir(), 'gangway-test-'))
  const dir = join(root, 'sandbox')
  const configFile = join(root, 'config.json')
  const info = await sandboxUp({ dir })
  writeProfile(configFile, SANDBOX_PROFILE, sandboxProfile(info))
  process.env.GANGWAY_CONFIG = configFile
  process.env.GANGWAY_SANDBOX_DIR = dir
  project.provide('sandbox', { ...info, configFile })
  return async () => {
    await sandboxDown({ dir })
    if (!process.env.GANGWAY_KEEP_SANDBOX) rmSync(root, { recursive: true, force: true })
  }
}
