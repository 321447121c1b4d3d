import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // the second prints the fault matrix's "faults: N passed, M failed" line (test/faults/)
    reporters: ['default', './test/faults/summary-reporter.ts'],
  },
})
