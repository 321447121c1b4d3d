/**
 * The part every dev-server adapter shares once it knows where the server listens:
 * which share it will be (before the server starts, so host allowances can be written),
 * the address to dial, opening the tunnel without ever taking the dev server down, and
 * the lines a person sees when it fails or closes. Adapters print the URL their own way.
 */
import { resolveShare } from '../config/resolve.js'
import { isGangwayError } from '../errors.js'
import { openTunnel } from '../tunnel/open-tunnel.js'
import type { Logger, ResolvedShare, Tunnel, TunnelStatus } from '../types.js'
import { projectShareName, type CoreOptions } from './options.js'
import { normalizeKeys, OPTION_KEYS } from '../config/fields.js'

/** The share a dev server will publish, or why it cannot (reported once a server listens: a plain build stays silent). */
export type PlannedShare =
  | { share: ResolvedShare; options: CoreOptions & { name: string }; notices: string[]; error?: undefined }
  | { share?: undefined; options?: undefined; notices?: undefined; error: unknown }

/**
 * Resolves the share for a project rooted at `root` (profile, env, name rule). Never
 * throws. An option under an old name (`subdomain`) counts under today's (`name`); an
 * unknown one is left out; both are said in `notices`, which openShare logs.
 */
export function planShare(given: CoreOptions, root: string, env: NodeJS.ProcessEnv = process.env): PlannedShare {
  try {
    const notices: string[] = []
    const { options, problems } = normalizeKeys(given, OPTION_KEYS, (m) => notices.push(m), 'gangway()')
    notices.push(...problems.map((p) => `${p}; ignored.`))
    const name = projectShareName(options.name, root, env)
    const share = resolveShare({ ...options, name }, env)
    return { share, options: { ...options, name }, notices }
  } catch (error) {
    return { error }
  }
}

/** An error as one log line: a GangwayError with its hint (`→ …`), else its message. */
export function describeError(err: unknown): string {
  return isGangwayError(err) ? err.format() : err instanceof Error ? err.message : String(err)
}

/**
 * The host to dial for a server listening on `address`: '::' and '0.0.0.0' (every
 * interface) and no address at all mean localhost, which core tries on IPv4 and IPv6.
 */
export function dialHost(address: string | undefined | null): string {
  return !address || address === '::' || address === '0.0.0.0' ? 'localhost' : address
}

/** Logged when the share cannot be resolved at all (no proxy configured, bad name). */
export function notPublishingMessage(err: unknown): string {
  return `Not publishing the dev server: ${describeError(err)}`
}

/** Logged when the tunnel does not open: what went wrong, its fix, and that localhost still works. */
export function publishFailedMessage(url: string, port: number, err: unknown): string {
  return `Could not publish the dev server at ${url}: ${describeError(err)}\n  The dev server keeps running on http://localhost:${port}/.`
}

/** Logged when the share ends: taken offline with the dev server, or ended by the proxy (taken over, a fatal error). */
export function shareClosedMessage(url: string, status: TunnelStatus): string {
  return status.error ? `Share closed: ${url} is offline: ${describeError(status.error)}` : `Share closed: ${url} is offline.`
}

export interface PublishRequest {
  plan: Extract<PlannedShare, { share: ResolvedShare }>
  /** The port the dev server really listens on. */
  port: number
  /** The address it listens on (from `server.address()`), dialled through dialHost(). */
  address?: string
  logger: Logger
}

/**
 * Opens the share and logs its close; rejects like openTunnel (a caller that keeps its
 * own bookkeeping, like the Vite registry, needs the failure).
 */
export async function openShare(req: PublishRequest): Promise<Tunnel> {
  const { plan, port, logger } = req
  for (const notice of plan.notices) logger.warn(notice)
  const tunnel = await openTunnel({ ...plan.options, port, localHost: dialHost(req.address), logger })
  tunnel.on('status', (status) => {
    if (status.state !== 'closed') return
    if (status.error) logger.error(shareClosedMessage(tunnel.url, status))
    else logger.info(shareClosedMessage(tunnel.url, status))
  })
  return tunnel
}

/**
 * openShare that never rejects: on failure it logs what went wrong and its fix and
 * resolves with undefined, so the dev server keeps running on localhost.
 */
export async function publishPort(req: PublishRequest): Promise<Tunnel | undefined> {
  try {
    return await openShare(req)
  } catch (err) {
    req.logger.error(publishFailedMessage(req.plan.share.url, req.port, err))
    return undefined
  }
}
