/**
 * Share management through the tunnel key: `gangway ls` and `gangway rm` ask the proxy's
 * agent, which owns every vhost, certificate and holder record.
 */
import { GangwayError } from '../errors.js'
import type { ShareOptions } from '../types.js'
import { resolveProxyAccess } from '../config/resolve.js'
import { SHARE_NAME } from '../config/default-name.js'
import { connectSsh } from '../ssh/connect.js'
import { runAgent } from '../ssh/exec.js'

export interface ShareListing {
  name: string
  url: string
  /** The vhost points at a listener that accepts connections right now. */
  online: boolean
  /** ISO time the certificate expires, or null when there is none. */
  certExpires: string | null
  /** Client id of the workstation holding the name. */
  client: string | null
  access: { auth: string | null; allow: string[]; noindex: boolean } | null
}

async function withAgent<T>(options: ShareOptions, fn: (client: Awaited<ReturnType<typeof connectSsh>>) => Promise<T>): Promise<T> {
  const access = resolveProxyAccess(options)
  const client = await connectSsh({ target: access.proxy, ...access, keepaliveInterval: 10, keepaliveCountMax: 3, logger: options.logger })
  try {
    return await fn(client)
  } finally {
    client.end()
  }
}

export function listShares(options: ShareOptions = {}): Promise<ShareListing[]> {
  return withAgent(options, async (client) => {
    const reply = await runAgent(client, 'ls', [])
    return (reply.shares as ShareListing[]).map((s) => ({
      name: s.name,
      url: s.url,
      online: s.online,
      certExpires: s.certExpires ?? null,
      client: s.client ?? null,
      access: s.access ?? null,
    }))
  })
}

export interface RemoveResult {
  removed: boolean
  certificate: 'kept' | 'deleted' | 'none' | 'shared'
}

export function removeShare(name: string, options: ShareOptions & { cert?: boolean } = {}): Promise<RemoveResult> {
  if (!SHARE_NAME.test(name)) {
    return Promise.reject(new GangwayError('INVALID_NAME', `share name "${name}" is not a DNS label`, { hint: 'gangway ls lists the shares.' }))
  }
  return withAgent(options, async (client) => {
    const reply = await runAgent(client, 'rm', ['--name', name, ...(options.cert ? ['--cert'] : [])])
    return { removed: Boolean(reply.removed), certificate: reply.certificate as RemoveResult['certificate'] }
  })
}
