/**
 * What the plugin writes into the dev server's options (webpack-dev-server and
 * @rspack/dev-server share this shape): the exact public host in `allowedHosts`, and a
 * `client.webSocketURL` that follows the page, so a page loaded from the public URL
 * opens its HMR socket as wss://NAME.DOMAIN through the tunnel. Left to itself the
 * client dials `options.host`/`options.port` (e.g. ws://127.0.0.1:8080/ws), which only
 * seems to work because the browser runs on the same machine.
 */
export type AllowedHosts = 'auto' | 'all' | string | string[] | undefined

export interface WebSocketURL {
  protocol?: string
  hostname?: string
  port?: number | string
  pathname?: string
  username?: string
  password?: string
}

export interface DevServerOptionsLike {
  host?: string
  port?: number | string
  allowedHosts?: AllowedHosts
  client?: boolean | { webSocketURL?: string | WebSocketURL; [key: string]: unknown }
  onListening?: (devServer: never) => void
  [key: string]: unknown
}

/** The user's hosts plus the public host name. 'all' stays; 'auto' becomes a list (which still allows localhost and IPs). */
export function mergeAllowedHosts(current: AllowedHosts, hostname: string): 'all' | string[] {
  if (current === 'all') return 'all'
  const list = current === undefined || current === 'auto' ? [] : typeof current === 'string' ? [current] : [...current]
  return list.includes(hostname) ? list : [...list, hostname]
}

/** Host, port and protocol taken from the page: `auto://0.0.0.0:0`. */
const FOLLOW_PAGE = { protocol: 'auto:', hostname: '0.0.0.0', port: 0 }

function parseWebSocketURL(value: string | WebSocketURL | undefined): WebSocketURL {
  if (value === undefined) return {}
  if (typeof value !== 'string') return { ...value }
  const url = new URL(value)
  const parsed: WebSocketURL = { protocol: url.protocol, hostname: url.hostname, port: url.port === '' ? undefined : Number(url.port) }
  if (url.pathname && url.pathname !== '/') parsed.pathname = url.pathname
  if (url.username) parsed.username = url.username
  if (url.password) parsed.password = url.password
  return parsed
}

function followsPage(url: WebSocketURL): boolean {
  const protocol = url.protocol?.replace(/:$/, '')
  return protocol === 'auto' && ['0.0.0.0', '::', '[::]'].includes(url.hostname ?? '') && Number(url.port) === 0
}

/**
 * `client.webSocketURL` that follows the page, keeping the user's pathname and
 * credentials. Returns a warning when the user had pinned host, port or protocol.
 */
export function followPageWebSocket(client: DevServerOptionsLike['client']): { client: DevServerOptionsLike['client']; warning?: string } {
  if (client === false) return { client } // no client, no socket: nothing to route
  const base = typeof client === 'object' ? client : {}
  const user = parseWebSocketURL(base.webSocketURL)
  if (followsPage(user)) return { client: base }
  const pinned = (['protocol', 'hostname', 'port'] as const).filter((k) => user[k] !== undefined && user[k] !== '')
  const webSocketURL: WebSocketURL = { ...user, ...FOLLOW_PAGE }
  const warning = pinned.length
    ? `devServer.client.webSocketURL ${pinned.join('/')} replaced by the page's own (auto://0.0.0.0:0) so that HMR works on the public URL and on localhost alike`
    : undefined
  return { client: { ...base, webSocketURL }, warning }
}
