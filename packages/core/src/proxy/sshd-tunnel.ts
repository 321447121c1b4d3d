/**
 * What sshd allows a tunnel login, shared by the sandbox's sshd_config and the Match
 * block `gangway setup` writes on a real proxy: loopback remote forwards and nothing else.
 */
export const TUNNEL_SSHD_RESTRICTIONS: readonly string[] = [
  'AllowTcpForwarding remote',
  'PermitListen 127.0.0.1:*',
  'PermitOpen none',
  'AllowStreamLocalForwarding no',
  'AllowAgentForwarding no',
  'X11Forwarding no',
  'PermitTTY no',
  'PermitTunnel no',
  'GatewayPorts no',
]

/** The restrictions as config lines, indented for a Match block when asked. */
export function tunnelSshdLines(indent = ''): string {
  return TUNNEL_SSHD_RESTRICTIONS.map((line) => `${indent}${line}`).join('\n')
}
