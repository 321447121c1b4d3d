/**
 * Who may talk to the inspector. It shows webhook secrets and lets anyone replay
 * requests into the dev server, so only this machine, and only our own page:
 *  - the socket's peer must be a loopback address (the server also binds 127.0.0.1);
 *  - Host must name loopback with our port, so a DNS-rebound name (evil.example
 *    resolving to 127.0.0.1) gets nothing;
 *  - a browser's Origin / Sec-Fetch-Site must be our own origin, so another site open
 *    in the same browser can neither read nor trigger anything (and no CORS headers
 *    are ever sent);
 *  - writes must be JSON, which a cross-origin form cannot send without a preflight.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isIP } from 'node:net'

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  if (isIP(v4) === 4) return v4.startsWith('127.')
  return address === '::1'
}

function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
}

export interface Refusal {
  status: number
  message: string
}

export function checkRequest(req: IncomingMessage, port: number): Refusal | undefined {
  if (!isLoopbackAddress(req.socket.remoteAddress)) return { status: 403, message: 'the inspector answers this machine only' }
  const hosts = allowedHosts(port)
  const host = (req.headers.host ?? '').toLowerCase()
  if (!hosts.has(host)) return { status: 403, message: `Host "${host}" is not the inspector's; open http://127.0.0.1:${port}/` }
  const origin = req.headers.origin
  if (origin !== undefined && !(origin.startsWith('http://') && hosts.has(origin.slice(7).toLowerCase())))
    return { status: 403, message: 'cross-origin requests are refused' }
  const site = req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return { status: 403, message: 'cross-site requests are refused' }
  const method = req.method ?? 'GET'
  if (method !== 'GET' && method !== 'HEAD') {
    const type = req.headers['content-type'] ?? ''
    const hasBody = req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0'
    if ((hasBody || req.headers['transfer-encoding']) && !/^application\/json\b/i.test(type)) return { status: 415, message: 'send JSON' }
  }
  return undefined
}

/** Headers on every answer: never cached, never framed, never readable cross-origin. */
export function setSafetyHeaders(res: ServerResponse): void {
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
}
