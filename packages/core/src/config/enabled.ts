/**
 * `GANGWAY=0` (or false/off/no) turns publishing off without editing a config file:
 * one meaning for every adapter and wrapper.
 */
export function disabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.GANGWAY?.trim().toLowerCase()
  return value === '0' || value === 'false' || value === 'off' || value === 'no'
}
