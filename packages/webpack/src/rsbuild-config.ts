/**
 * What the Rsbuild plugin writes into the user's rsbuild config. Rsbuild checks Host
 * only when `server.allowedHosts` is a list (its default, `true`, checks nothing): then
 * the exact public host joins the list — never `true`. Its HMR client follows the page
 * (`location.hostname`/`port`/`protocol`) unless `dev.client` pins one of them, which
 * would send a page on the public URL somewhere the tunnel does not go.
 */
export interface RsbuildConfigLike {
  server?: { allowedHosts?: string[] | true; [key: string]: unknown }
  dev?: { client?: { host?: string; port?: string | number; protocol?: string; [key: string]: unknown }; [key: string]: unknown }
  [key: string]: unknown
}

/** Adds `hostname` to a user's allowedHosts list; returns the list written (undefined when Rsbuild checks no Host). */
export function allowPublicHost(config: RsbuildConfigLike, hostname: string): string[] | undefined {
  const current = config.server?.allowedHosts
  if (current === undefined || current === true) return undefined
  const list = current.includes(hostname) ? [...current] : [...current, hostname]
  config.server = { ...config.server, allowedHosts: list }
  return list
}

/** Drops `dev.client` host/port/protocol so the HMR socket follows the page; one warning per setting dropped. */
export function followPageClient(config: RsbuildConfigLike, publicUrl: string): string[] {
  const client = config.dev?.client
  if (!client) return []
  const next = { ...client }
  const warnings: string[] = []
  for (const key of ['host', 'port', 'protocol'] as const) {
    // '' is Rsbuild's own default for host and port: the page's location.
    if (next[key] === undefined || next[key] === '') continue
    warnings.push(`dev.client.${key} (${String(next[key])}) is ignored while the dev server is public: pages on ${publicUrl} and on localhost both connect HMR to their own origin.`)
    delete next[key]
  }
  config.dev = { ...config.dev, client: next }
  return warnings
}
