/**
 * The inspector is its owner's: a random token in the printed address (as Jupyter does),
 * which the page sends as `Authorization: Bearer` (and in the query of its live-update
 * stream, which cannot carry headers), as `gangway replay` does. No cookie: a browser
 * sends 127.0.0.1's cookies to every server on 127.0.0.1, whatever its port.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

function same(a: string | undefined, b: string): boolean {
  if (a === undefined) return false
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export type Access = 'header' | 'query' | undefined

/** How (if at all) this request proves it comes from the inspector's owner. */
export function accessOf(req: IncomingMessage, url: URL, token: string): Access {
  const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
  if (same(bearer, token)) return 'header'
  if (same(url.searchParams.get('token') ?? undefined, token)) return 'query'
  return undefined
}
