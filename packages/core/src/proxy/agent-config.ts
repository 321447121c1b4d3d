/**
 * What the sandbox and `gangway setup` both install for the proxy agent: the shape of
 * agent.json and the authorized_keys line of a tunnel key. One renderer for both, so
 * the tests exercise exactly what a real proxy gets.
 */

/** Shape of agent.json, shared with the agent (packages/core/proxy/gangway-proxy). */
export interface AgentConfig {
  domain: string
  publicHttpsPort: number
  sharesDir: string
  stateDir: string
  webroot: string
  /** nginx `listen` values of the share vhosts; the agent defaults to the public port. */
  httpsListen?: string[]
  /** Plain-HTTP listens for the per-share redirect + ACME route; none by default. */
  httpListen?: string[]
  nginx: { test: string[]; reload: string[]; pidFile?: string }
  certbot: { argv: string[]; env: Record<string, string>; liveDir: string; email: string | null }
  /** 'http01': one certificate per name (default); 'wildcard': `wildcardCert` serves every name. */
  certMode: 'http01' | 'wildcard'
  wildcardCert?: { fullchain: string; privkey: string }
  /** nginx's worker group: basic-auth hash files are readable by it only (none: world-readable). */
  authGroup?: string | null
}

export function renderAgentConfig(config: AgentConfig): string {
  return JSON.stringify(config, null, 2) + '\n'
}

/** Paths that may appear inside a double-quoted authorized_keys option or an nginx file. */
export const PLAIN_PATH = /^\/[A-Za-z0-9._/@+=,:-]*$/

/**
 * The tunnel key's authorized_keys line. `restrict` = no pty, agent/X11 forwarding or
 * ~/.ssh/rc; then only loopback remote forwards (permitlisten matches the literal
 * "127.0.0.1", not "localhost"; it does not cover Unix sockets, which sshd's own
 * AllowStreamLocalForwarding no refuses) and the forced command.
 */
export function tunnelKeyLine(forcedCommand: string, publicKey: string, comment: string): string {
  if (/["\\\n]/.test(forcedCommand)) throw new Error(`forced command ${JSON.stringify(forcedCommand)} cannot be quoted in authorized_keys`)
  if (!/^ssh-[a-z0-9-]+ [A-Za-z0-9+/=]+$/.test(publicKey)) throw new Error('not an OpenSSH public key: ' + publicKey.slice(0, 40))
  const safeComment = comment.replace(/[^A-Za-z0-9._@-]/g, '-')
  return `restrict,port-forwarding,permitlisten="127.0.0.1:*",command="${forcedCommand}" ${publicKey} ${safeComment}\n`
}
