import { defineConfig } from 'vitest/config'

// `pnpm test:matrix`: the slow end-to-end matrix (test/matrix), apart from `pnpm test`.
export default defineConfig({
  test: {
    include: ['test/matrix/**/*.matrix.ts'],
    globalSetup: ['test/helpers/global-setup.ts', 'test/matrix/pack.ts'],
    testTimeout: 120_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
})
