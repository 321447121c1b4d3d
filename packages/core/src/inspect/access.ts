/**
 * The inspector is its owner's: a random token in the printed address (as Jupyter does),
 * exchanged on first visit for an HttpOnly cookie, or sent as `Authorization: Bearer` by
 * `gangway replay`. Other local users and other pages in the browser have neither.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

/** Cookies ignore ports: each inspector's cookie carries its own. */
export function cookieName(port: number): string {
  return `gw_inspector_${port}`
}

function same(a: string | undefined, b: string): boolean {
  if (a === undefined) return false
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

export type Access = 'cookie' | 'header' | 'query' | undefined

/** How (if at all) this request proves it comes from the inspector's owner. */
export function accessOf(req: IncomingMessage, url: URL, token: string, port: number): Access {
  if (same(cookieValue(req, cookieName(port)), token)) return 'cookie'
  const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
  if (same(bearer, token)) return 'header'
  if (same(url.searchParams.get('token') ?? undefined, token)) return 'query'
  return undefined
}

export function sessionCookie(token: string, port: number): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`
}
