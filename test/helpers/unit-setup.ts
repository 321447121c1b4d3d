/**
 * Unit tests run with no proxy and must not see this machine's: no user config, no
 * GANGWAY_* variables from the shell that started them (a developer's GANGWAY_PROFILE
 * or GANGWAY_PROXY would otherwise change what resolves).
 */
for (const key of Object.keys(process.env)) if (key.startsWith('GANGWAY_')) delete process.env[key]
process.env.GANGWAY_CONFIG = '/nonexistent/gangway-unit-tests/config.json'
