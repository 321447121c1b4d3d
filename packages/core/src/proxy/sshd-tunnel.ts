/**
 * What sshd allows a tunnel login, shared by the sandbox's sshd_config and the Match
 * block `gangway setup` writes on a real proxy: remote Unix-socket forwards and nothing
 * else. sshd checks stream-local forwards against the remote TCP permissions, so TCP
 * remote forwarding stays on with `PermitListen none`: no TCP port can be bound.
 */
export const TUNNEL_SSHD_RESTRICTIONS: readonly string[] = [
  'AllowTcpForwarding remote',
  'PermitListen none',
  'PermitOpen none',
  'AllowStreamLocalForwarding remote',
  // A bound path is never replaced: no key can take over a socket file another one left.
  'StreamLocalBindUnlink no',
  // rw for owner and group: the agent hands the socket to nginx's group.
  'StreamLocalBindMask 0117',
  'AllowAgentForwarding no',
  'X11Forwarding no',
  'PermitTTY no',
  'PermitTunnel no',
  'GatewayPorts no',
]

/** The settings as `sshd -T` prints them, for setup's check of the effective config. */
export const TUNNEL_SSHD_EFFECTIVE: readonly string[] = TUNNEL_SSHD_RESTRICTIONS.map((line) => line.toLowerCase())

/** The restrictions as config lines, indented for a Match block when asked. */
export function tunnelSshdLines(indent = ''): string {
  return TUNNEL_SSHD_RESTRICTIONS.map((line) => `${indent}${line}`).join('\n')
}
