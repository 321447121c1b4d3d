/**
 * Vite's host check (CVE-2025-24010) blocks any Host it does not know. The share's
 * host name is known before the server starts, so exactly that name is allowed —
 * never `true`.
 */
export type AllowedHosts = string[] | true | undefined

/** The user's list plus the public host name; `true` (the user's own choice) stays as it is. */
export function mergeAllowedHosts(current: AllowedHosts, hostname: string): string[] | true {
  if (current === true) return true
  const list = current ?? []
  return list.includes(hostname) ? [...list] : [...list, hostname]
}

interface HostConfig {
  server?: { allowedHosts?: AllowedHosts }
  preview?: { allowedHosts?: AllowedHosts }
}

/**
 * Writes the allowance into the user config in the `config` hook. Mutated rather than
 * returned: Vite's mergeConfig would concatenate `true` into a list.
 * `preview.allowedHosts` falls back to `server.allowedHosts` in Vite, so an unset one
 * inherits the user's server list plus the public host.
 */
export function allowPublicHost(config: HostConfig, hostname: string): void {
  const serverHosts = config.server?.allowedHosts
  const previewHosts = config.preview?.allowedHosts ?? serverHosts
  config.server = { ...config.server, allowedHosts: mergeAllowedHosts(serverHosts, hostname) }
  config.preview = { ...config.preview, allowedHosts: mergeAllowedHosts(previewHosts, hostname) }
}
