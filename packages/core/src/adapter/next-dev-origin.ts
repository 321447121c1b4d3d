/**
 * Next.js (15.2+, blocking since 16) refuses its dev resources — the Fast Refresh socket
 * `/_next/webpack-hmr`, chunks under `/_next/` — to any origin whose host name is not in
 * `allowedDevOrigins`: a page on the share loads, then never updates. `gangway http` in
 * front of `next dev` can see that up front and print the exact fix.
 */
import http from 'node:http'
import type { ResolvedShare } from '../types.js'

export interface NextDevOriginCheck {
  /** A path under /_next/ was refused to the share's origin (403) and served without one: Next's dev origin check. */
  blocked: boolean
}

function status(host: string, port: number, path: string, headers: Record<string, string>, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, headers, timeout: timeoutMs }, (res) => {
      res.resume()
      resolve(res.statusCode)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(undefined))
  })
}

/**
 * Asks the local server for a path under /_next/ twice, as a page on the share would
 * (with its Origin) and as a same-origin request (without): refused only with the
 * Origin is Next's check, and nothing else answers that way. A missing path keeps it
 * cheap (404 when allowed; the HMR path itself would wait for a websocket upgrade).
 * Never throws: a server that is not up is simply not refusing.
 */
export async function checkNextDevOrigin(share: ResolvedShare, port: number, localHost = 'localhost', timeoutMs = 5_000): Promise<NextDevOriginCheck> {
  const path = '/_next/static/gangway-origin-check'
  const withOrigin = await status(localHost, port, path, { host: share.host, origin: share.url.replace(/\/$/, '') }, timeoutMs)
  if (withOrigin !== 403) return { blocked: false }
  const without = await status(localHost, port, path, { host: share.host }, timeoutMs)
  return { blocked: without !== undefined && without !== 403 }
}

/** The warning with the exact fix, for a Next dev server that refuses the share's origin. */
export function nextDevOriginWarning(share: ResolvedShare): string {
  return [
    `The local server is Next.js, and it refuses its dev resources to ${share.url}: the page loads, but Fast Refresh never connects.`,
    `  Fix: add the share's host to allowedDevOrigins in next.config and restart next dev:`,
    `    allowedDevOrigins: ['${share.hostname}'],`,
    `  or wrap the config with withGangway from @gangway/next, which sets it in next dev and opens the share itself.`,
  ].join('\n')
}
