/**
 * Public types of @gangway/core. Every option has a JSDoc default; the one place
 * where defaults are applied and values validated is `resolveOptions()`.
 */

import type { ResignScheme } from './hold/resign.js'

/** Where log lines go. Core never writes to the console by itself. */
export interface Logger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
  debug?(message: string): void
}

/** Sees a copy of every byte of one connection, each way, without changing them. */
export interface ConnectionTap {
  /** Bytes from the visitor (through nginx) toward the local server. */
  visitor(chunk: Buffer): void
  /** Bytes from the local server (or Gangway's own 502 page) toward the visitor. */
  local(chunk: Buffer): void
  /** The connection ended. */
  close(): void
}

/** Called once per tunnelled connection; return undefined to not watch it. */
export type TapFactory = () => ConnectionTap | undefined

export interface ShareOptions {
  /**
   * Share name: the first DNS label of the public host (`NAME.DOMAIN`).
   * @default derived from the nearest package.json name, else the directory name
   */
  name?: string
  /**
   * The exact public host, e.g. `drafts.b.org` or a zone itself (`b.org`): any zone the
   * proxy serves. Overrides `name` and `domain`.
   * @default `NAME.DOMAIN`
   */
  host?: string
  /**
   * The proxy, as an ssh target: `user@host[:port]` or a Host alias from ~/.ssh/config.
   * @default from env GANGWAY_PROXY, then the user config profile
   */
  proxy?: string
  /**
   * The zone shares live under, e.g. `example.com` gives `https://NAME.example.com`.
   * @default from env GANGWAY_DOMAIN, then the user config profile
   */
  domain?: string
  /**
   * The HTTPS port visitors use on the proxy.
   * @default 443
   */
  publicPort?: number
  /**
   * Private key for the tunnel account. Tried after the ssh-agent.
   * @default IdentityFile from ~/.ssh/config, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa
   */
  identityFile?: string
  /**
   * Passphrase for an encrypted identity file.
   * @default env GANGWAY_KEY_PASSPHRASE
   */
  passphrase?: string
  /**
   * known_hosts file used to check the proxy's host key.
   * @default UserKnownHostsFile from ~/.ssh/config, else ~/.ssh/known_hosts
   */
  knownHostsFile?: string
  /**
   * Trust and record the proxy's host key when it is not yet known (never when it changed).
   * @default false
   */
  acceptNewHostKey?: boolean
  /**
   * Largest request body the proxy accepts for this share, nginx size syntax.
   * @default '100m'
   */
  maxBodySize?: string
  /**
   * Profile of the user config file to read.
   * @default env GANGWAY_PROFILE, then the file's `default`
   */
  profile?: string
  /**
   * User config file.
   * @default env GANGWAY_CONFIG, else $XDG_CONFIG_HOME/gangway/config.json (~/.config/gangway/config.json)
   */
  configFile?: string
  /**
   * CA file that signs the proxy's certificates, for clients that check the public URL
   * (the sandbox's pebble root). Not used by the tunnel itself.
   */
  caFile?: string
  /**
   * Address the public host name resolves to, for clients that check the public URL
   * when DNS does not know it (the sandbox: 127.0.0.1).
   */
  resolveTo?: string
  /** Where log lines go. @default no logging */
  logger?: Logger
}

export interface TunnelOptions extends ShareOptions {
  /** Local port to publish. Required. */
  port: number
  /**
   * Host the local server listens on.
   * @default 'localhost' (tries IPv4 and IPv6)
   */
  localHost?: string
  /**
   * Seconds between keepalives; a proxy silent for keepaliveCountMax of them is dropped.
   * @default 3
   */
  keepaliveInterval?: number
  /** @default 3 */
  keepaliveCountMax?: number
  /**
   * This workstation as `gangway ls` shows a share's holder. Who owns a share is the
   * tunnel key's label on the proxy, never this value.
   * @default env GANGWAY_CLIENT_ID, else `user.hostname` of this workstation
   */
  clientId?: string
  /**
   * Serve the share even when another live process (of the same key) serves it now:
   * that process is disconnected and told. Otherwise it is refused with NAME_TAKEN.
   * @default false
   */
  takeover?: boolean
  /**
   * Where the proxy's sessions bind their sockets (written to the profile by setup, join
   * and the sandbox). @default asked from the proxy on the first connection
   */
  socketDir?: string
  /**
   * Milliseconds between checks that the proxy still routes the share here (a proxy
   * re-provisioned or restored from a backup under a live session). @default 50000 ± 10000
   */
  healIntervalMs?: number
  /**
   * Basic auth for visitors. The password is hashed here (bcrypt); only the hash reaches
   * the proxy, on the agent's stdin (never in a command line or a log). After one login a
   * browser holds a session cookie (HttpOnly, Secure) instead of re-checking the password.
   * @default none; `password` defaults to env GANGWAY_AUTH_PASSWORD
   */
  auth?: { user: string; password?: string }
  /**
   * Visitor addresses allowed (IPv4/IPv6 address or CIDR network); everyone else gets 403.
   * @default [] (everyone)
   */
  allow?: string[]
  /**
   * Send `X-Robots-Tag: noindex, nofollow` so search engines skip the share.
   * @default true
   */
  noindex?: boolean
  /**
   * Requests the proxy answers and keeps while the share is offline (laptop asleep, tunnel
   * down), delivered in order when it is back: `METHOD:/path-prefix`, e.g.
   * `POST:/slack/events` (METHOD may be `*`). Bounded on the proxy (1000 requests, 100 MiB,
   * 7 days per share); when full, senders get 503 with Retry-After.
   * @default env GANGWAY_HOLD (comma-separated), then the profile's `hold`, else none
   */
  hold?: string[]
  /**
   * The status the proxy answers a held request with (Slack wants a 2xx within 3 s).
   * @default 200
   */
  holdStatus?: number
  /**
   * Sign held (late) deliveries again, after checking their original signature and that it
   * was made within 5 minutes of their arrival: 'slack' (secret in SLACK_SIGNING_SECRET),
   * 'stripe' (STRIPE_WEBHOOK_SECRET) or 'standard-webhooks' (WEBHOOK_SECRET).
   * @default none: delivered as they came
   */
  resign?: ResignScheme
  /**
   * Start the request inspector with the tunnel (page on 127.0.0.1, replay to the local
   * server): `true` for port 4040 (or the next free one), or a port. Closed with the tunnel.
   * @default false
   */
  inspect?: boolean | number
  /** Advanced: watch every tunnelled connection's bytes, unchanged (the request inspector uses it). */
  tap?: TapFactory
  /** Aborting closes the tunnel, like `close()`. */
  signal?: AbortSignal
}

/** Everything about a share that is known before any connection is made. */
export interface ResolvedShare {
  name: string
  domain: string
  /** `NAME.DOMAIN`, or the exact `host` asked for */
  hostname: string
  publicPort: number
  /** `https://NAME.DOMAIN/` (with `:PORT` when publicPort is not 443) */
  url: string
  /** `NAME.DOMAIN` or `NAME.DOMAIN:PORT`, as a browser sends it in Host. */
  host: string
  proxy: string
  caFile: string | undefined
  resolveTo: string | undefined
}

export type TunnelState = 'connecting' | 'online' | 'offline' | 'reconnecting' | 'closed'

export interface TunnelStatus {
  state: TunnelState
  /** Set for 'offline' and 'reconnecting': why the tunnel is down. */
  error?: Error
  /** Set for 'reconnecting': attempt number, from 1. */
  attempt?: number
  /** Set for 'reconnecting': milliseconds before the attempt. */
  delayMs?: number
}

export interface Tunnel {
  readonly url: string
  readonly share: ResolvedShare
  /** Current state. */
  readonly state: TunnelState
  /** Status changes: connecting, online, offline, reconnecting, closed. */
  on(event: 'status', listener: (status: TunnelStatus) => void): this
  off(event: 'status', listener: (status: TunnelStatus) => void): this
  /** The request inspector's page, `http://127.0.0.1:PORT/`, when `inspect` is on. */
  readonly inspectorUrl: string | undefined
  /** Takes the share offline on the proxy and closes the connection. Safe to call twice. */
  close(): Promise<void>
}
