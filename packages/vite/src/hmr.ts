/**
 * HMR through the tunnel. With no host, port, clientPort or protocol set, Vite's client
 * opens its socket to the page's own origin: wss://NAME.DOMAIN for a page loaded from
 * the public URL (nginx → tunnel → the dev server's own port), ws://localhost:5173 for
 * the developer. Settings that pin the socket somewhere else are dropped with a warning;
 * everything else the user set (path, overlay, timeout, hmr: false) is kept.
 */
import type { HmrOptions } from 'vite'

export type HmrSetting = boolean | HmrOptions | undefined

export interface HmrAdjustment {
  hmr: HmrSetting
  warnings: string[]
}

export function adjustHmr(hmr: HmrSetting, publicUrl: string, serverPort?: number): HmrAdjustment {
  if (hmr === undefined || typeof hmr === 'boolean') return { hmr, warnings: [] }
  const next: HmrOptions = { ...hmr }
  const warnings: string[] = []
  const drop = (key: 'host' | 'clientPort' | 'protocol' | 'port', why: string) => {
    warnings.push(`server.hmr.${key} (${String(next[key])}) is ignored while the dev server is public: ${why}. Pages on ${publicUrl} and on localhost both connect HMR to their own origin.`)
    delete next[key]
  }
  if (next.host !== undefined) drop('host', 'a page on the public URL would open its HMR socket to that host instead of through the tunnel')
  if (next.clientPort !== undefined) drop('clientPort', 'the public URL has its own port')
  if (next.protocol !== undefined) drop('protocol', 'the public URL is https, so its socket must be wss')
  if (next.port !== undefined && next.port !== serverPort) drop('port', 'a separate HMR port is not carried by the tunnel, so HMR shares the HTTP server')
  if (next.server !== undefined) {
    warnings.push(`server.hmr.server is set: HMR reaches visitors of ${publicUrl} only if that server is the dev server's own HTTP server.`)
  }
  return { hmr: next, warnings }
}
