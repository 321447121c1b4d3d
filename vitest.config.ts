import { configDefaults, defineConfig } from 'vitest/config'
import { SELF_SANDBOXED, UNIT_IN_TEST } from './test/projects.js'

/**
 * Two projects. `unit` needs no proxy: it imports src, runs in seconds, in parallel
 * (`pnpm test:unit`). `integration` shares one sandbox proxy (global setup), so its files
 * run one at a time; a few tests start sandboxes of their own (test/projects.ts lists them).
 * `pnpm test` runs both, unit first.
 */
export default defineConfig({
  test: {
    // the second prints the fault matrix's "faults: N passed, M failed" line (test/faults/)
    reporters: ['default', './test/faults/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', ...UNIT_IN_TEST],
          exclude: [...configDefaults.exclude, ...SELF_SANDBOXED],
          setupFiles: ['test/helpers/unit-setup.ts'],
          testTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts', ...SELF_SANDBOXED],
          exclude: [...configDefaults.exclude, ...UNIT_IN_TEST],
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
