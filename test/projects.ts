/**
 * Which vitest project a test file runs in (vitest.config.ts). `unit`: packages/*\/test and
 * UNIT_IN_TEST, minus SELF_SANDBOXED; `integration`: the rest. projects.test.ts checks that
 * no unit file starts a proxy: a new test that does belongs in SELF_SANDBOXED.
 */

/** Files under packages/*\/test that start a sandbox (or a DNS server) of their own. */
export const SELF_SANDBOXED = ['packages/core/test/proxy-agent.test.ts', 'packages/core/test/sandbox.test.ts', 'packages/core/test/wildcard-dns01.test.ts']

/** Tests under test/ (for its dependencies) that need no proxy. */
export const UNIT_IN_TEST = ['test/resign.test.ts', 'test/projects.test.ts']
