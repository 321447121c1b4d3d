/**
 * Share management through the tunnel key: `gangway ls` and `gangway rm` ask the proxy's
 * agent, which owns every vhost, certificate and owner record. The agent acts for the
 * key's label: `rm` of another label's share is refused there.
 */
import { GangwayError } from '../errors.js'
import type { ShareOptions } from '../types.js'
import { resolveProxyAccess } from '../config/resolve.js'
import { connectSsh } from '../ssh/connect.js'
import { runAgent } from '../ssh/exec.js'
import { adminAgent, type AdminOptions } from '../team/admin.js'

export interface ShareListing {
  /** The share's public host, e.g. `blog.example.com`. */
  host: string
  url: string
  /** A live session of its owner serves it right now. */
  online: boolean
  /** Label of the tunnel key the share belongs to. */
  owner: string | null
  /** The process serving it (as that process described itself), or null. */
  holder: { client: string | null; pid: number | null; cmd: string | null; since: string | null } | null
  /** ISO time the certificate expires, or null when there is none. */
  certExpires: string | null
  access: { auth: string | null; allow: string[]; noindex: boolean; maxBody?: string; hold?: string[] } | null
  /** Requests the proxy holds for the share (it was offline), waiting for delivery. */
  held: number
}

export async function withTunnelKey<T>(options: ShareOptions, fn: (client: Awaited<ReturnType<typeof connectSsh>>) => Promise<T>): Promise<T> {
  const access = resolveProxyAccess(options)
  const client = await connectSsh({ target: access.proxy, ...access, keepaliveInterval: 10, keepaliveCountMax: 3, logger: options.logger })
  try {
    return await fn(client)
  } finally {
    client.end()
  }
}

export function listShares(options: ShareOptions = {}): Promise<ShareListing[]> {
  return withTunnelKey(options, async (client) => {
    const reply = await runAgent(client, 'ls', [])
    return (reply.shares as ShareListing[]).map((s) => ({
      host: s.host,
      url: s.url,
      online: s.online,
      owner: s.owner ?? null,
      holder: s.holder ?? null,
      certExpires: s.certExpires ?? null,
      access: s.access ?? null,
      held: s.held ?? 0,
    }))
  })
}

export interface RemoveResult {
  removed: boolean
  certificate: 'kept' | 'deleted' | 'none' | 'shared'
}

const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/

/** `NAME` under the profile's domain, or a full host. */
export function shareHost(nameOrHost: string, domain: string | undefined): string {
  const host = nameOrHost.includes('.') ? nameOrHost.toLowerCase() : domain ? `${nameOrHost}.${domain}` : nameOrHost
  if (!HOST.test(host)) {
    throw new GangwayError('INVALID_HOST', `"${nameOrHost}" is not a share name or host`, { hint: 'gangway ls lists the shares.' })
  }
  return host
}

/**
 * Removes a share: with the tunnel key, one of its own that no process serves; `asAdmin`
 * (the admin login gangway setup used, or a sandbox's own agent) removes any.
 */
export async function removeShare(nameOrHost: string, options: AdminOptions & { cert?: boolean; asAdmin?: boolean } = {}): Promise<RemoveResult> {
  const host = shareHost(nameOrHost, resolveProxyAccess(options).domain)
  const args = ['--host', host, ...(options.cert ? ['--cert'] : [])]
  const reply = options.asAdmin ? await adminAgent(options, 'rm', args) : await withTunnelKey(options, (client) => runAgent(client, 'rm', args))
  return { removed: Boolean(reply.removed), certificate: reply.certificate as RemoveResult['certificate'] }
}
