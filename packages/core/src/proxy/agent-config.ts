/**
 * What the sandbox and `gangway setup` both install for the proxy agent: where the agent
 * lives, and the shape of its agent.json. One renderer for both, so the tests exercise
 * exactly what a real proxy gets. The agent itself renders the tunnel keys'
 * authorized_keys lines (one per label), from its key registry.
 */
import { fileURLToPath } from 'node:url'

/**
 * The agent shipped with this package. Same depth from src/proxy/ (tests) and
 * dist/proxy/ (published; package.json "files" includes "proxy").
 */
export const AGENT_SOURCE = fileURLToPath(new URL('../../proxy/gangway-proxy', import.meta.url))

/** certbot's DNS plugins in Debian (python3-certbot-dns-NAME) whose credentials are one file. */
export const DNS_PROVIDERS = ['rfc2136', 'cloudflare', 'digitalocean', 'dnsimple', 'gandi', 'gehirn', 'google', 'linode', 'ovh', 'sakuracloud'] as const
export type DnsProvider = (typeof DNS_PROVIDERS)[number]

export interface AgentZone {
  /** Shares are ZONE itself and NAME.ZONE. */
  domain: string
  /** 'http01': one certificate per name (default); 'wildcard': `wildcardCert` serves every name. */
  certMode: 'http01' | 'wildcard'
  wildcardCert?: { fullchain: string; privkey: string }
  /**
   * The wildcard is certbot's, by DNS-01 (the agent's cert-issue verb; certbot's timer renews
   * it): `wildcardCert` is then the lineage `_wildcard.ZONE` in certbot's live dir.
   */
  dns01?: { provider: DnsProvider; /** certbot's --dns-NAME-propagation-seconds. @default the plugin's */ propagationSeconds?: number }
}

/** The certbot lineage of a zone's DNS-01 wildcard: no share host can have this name. */
export function wildcardLineage(domain: string): string {
  return `_wildcard.${domain}`
}

export function wildcardCertPaths(liveDir: string, domain: string): { fullchain: string; privkey: string } {
  return { fullchain: `${liveDir}/${wildcardLineage(domain)}/fullchain.pem`, privkey: `${liveDir}/${wildcardLineage(domain)}/privkey.pem` }
}

/** Shape of agent.json, shared with the agent (packages/core/proxy/gangway-proxy). */
export interface AgentConfig {
  zones: AgentZone[]
  publicPort: number
  /** nginx includes every *.conf here: one vhost per share. */
  sharesDir: string
  stateDir: string
  webroot: string
  /** Where sessions bind their forwarded sockets: writable by the tunnel account only. */
  socketDir: string
  /** Where the agent moves a verified socket, HOST.sock: written by the agent only. */
  liveDir: string
  /** The tunnel keys' authorized_keys, rendered by the agent from its registry. */
  authorizedKeys: string
  /** DNS providers' credentials of dns01 zones, ZONE.ini (root only, 0600; the dir 0700). */
  dnsCredentialsDir?: string
  /** The forced command of every tunnel key; the key's label is appended as its argument. */
  tunnelCommand: string
  /** The uid the agent runs as (root through sudo on a real proxy). */
  adminUid: number
  /** nginx `listen` values of the share vhosts; the agent defaults to the public port. */
  httpsListen?: string[]
  /** Plain-HTTP listens for the per-share redirect + ACME route; none by default. */
  httpListen?: string[]
  nginx: {
    test: string[]
    reload: string[]
    pidFile?: string
    /** The TLS settings file every HTTPS server block includes (proxy/nginx-base.ts). */
    tlsInclude: string
    /** How this nginx turns HTTP/2 on, and whether it speaks HTTP/3 (nginxFeatures). */
    http2: 'listen' | 'directive'
    http3: boolean
  }
  certbot: { argv: string[]; env: Record<string, string>; liveDir: string; email: string | null }
  /** nginx's worker group: basic-auth hash files and live sockets are theirs only (none: the sandbox's own user). */
  authGroup?: string | null
  /** Per label: names held, new certificates per 7 days, vhost changes (nginx reloads) per 10 minutes. */
  limits?: { namesPerLabel?: number; certsPerWeek?: number; reloadsPer10Min?: number }
  /** This proxy's sshd and the tunnel account: a revoke ends the account's sessions. */
  sshd?: { pidFile: string; tunnelUser: string }
  /**
   * The hold store for webhooks that arrive while a share is offline (`--hold`): the
   * Unix socket nginx hands them to, the root-only directory they are kept in, and the
   * per-share bounds (defaults 1000 requests, 100 MiB, 7 days).
   */
  hold?: { socket: string; dir: string; maxCount?: number; maxBytes?: number; maxAgeSeconds?: number; maxRequestBytes?: number }
}

export function renderAgentConfig(config: AgentConfig): string {
  return JSON.stringify(config, null, 2) + '\n'
}

/** Paths that may appear inside a double-quoted authorized_keys option or an nginx file. */
export const PLAIN_PATH = /^\/[A-Za-z0-9._/@+=,:-]*$/

/** A tunnel key's label: what `gangway ls` shows as a share's owner. */
export const LABEL = /^[a-z0-9]([a-z0-9._-]{0,30}[a-z0-9])?$/

/** A label made from free text (a user name, a host name): lowercase, '-' for the rest. */
export function toLabel(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-._]+|[-._]+$/g, '').slice(0, 32).replace(/[-._]+$/, '') || 'key'
}
