/**
 * Everything `gangway setup` installs on a Debian proxy, as pure renderers: where it
 * goes, with which mode, and what it says. setup.ts compares them with what is there
 * and installs only the differences.
 */
import { readFileSync } from 'node:fs'
import { tunnelSshdLines } from '../proxy/sshd-tunnel.js'
import { AGENT_SOURCE, renderAgentConfig, type AgentConfig, type AgentZone } from '../proxy/agent-config.js'
import { renderBaseNginx, renderTlsSnippet, type NginxFeatures } from '../proxy/nginx-base.js'
import { RENEWAL_HOOK_NAME, renderRenewalHooks } from '../proxy/renewal-hooks.js'


/** Fixed paths on the proxy. Plain characters only: they go into sudoers, sshd and nginx files. */
export const PROXY = {
  libDir: '/usr/local/lib/gangway',
  agent: '/usr/local/lib/gangway/gangway-proxy',
  shell: '/usr/local/lib/gangway/gangway-shell',
  etcDir: '/etc/gangway',
  agentConfig: '/etc/gangway/agent.json',
  authorizedKeys: '/etc/gangway/tunnel_authorized_keys',
  sharesDir: '/etc/gangway/shares',
  acmeCa: '/etc/gangway/acme-ca.pem',
  wildcardDir: '/etc/gangway/wildcard',
  /** DNS providers' credentials of dns01 zones (the agent writes them, 0600). */
  dnsDir: '/etc/gangway/dns',
  stagingDir: '/etc/gangway/.staging',
  backupDir: '/etc/gangway/.backup',
  stateDir: '/var/lib/gangway',
  /** Sessions bind their forwarded sockets here: the tunnel account's, 0700. */
  socketDir: '/var/lib/gangway/in',
  /** The agent moves verified sockets here; nginx's group may connect to them. */
  liveDir: '/var/lib/gangway/live',
  webroot: '/var/www/gangway-acme',
  nginxConf: '/etc/nginx/conf.d/gangway.conf',
  nginxTls: '/etc/nginx/gangway-tls.conf',
  /** Debian's nginx.conf includes modules-enabled/*.conf in its main context. */
  nginxMainConf: '/etc/nginx/modules-enabled/90-gangway-main.conf',
  nginxDefaultSite: '/etc/nginx/sites-enabled/default',
  sshdConf: '/etc/ssh/sshd_config.d/gangway.conf',
  sudoers: '/etc/sudoers.d/gangway',
  deployHook: `/etc/letsencrypt/renewal-hooks/deploy/${RENEWAL_HOOK_NAME}`,
  postHook: `/etc/letsencrypt/renewal-hooks/post/${RENEWAL_HOOK_NAME}`,
  /** The hold store (webhooks of offline shares): its service, socket and root-only files. */
  holdService: '/etc/init.d/gangway-holds',
  holdSocket: '/var/lib/gangway/holds.sock',
  holdDir: '/var/lib/gangway/held',
} as const

export interface ProxySettings {
  /** Every zone the proxy serves with its certificate mode (the first is the profile's default; setup/dns01.ts planZones). */
  zones: AgentZone[]
  email: string | undefined
  httpsPort: number
  tunnelUser: string
  acmeServer: string | undefined
  /** PEM the proxy's certbot must trust to reach acmeServer (a private/test ACME CA). */
  acmeCa: string | undefined
  /** PEMs of a user-supplied *.ZONE certificate (for the zones it covers): no per-name certificates there. */
  wildcard: { fullchain: string; privkey: string; zones: string[] } | undefined
  /** The proxy has IPv6: listen on [::] too. */
  ipv6: boolean
  /** What the proxy's nginx supports (after it is installed). */
  nginx: NginxFeatures
}

export interface ManagedFile {
  path: string
  content: string
  /** Octal mode as `stat -c %a` prints it. */
  mode: string
  /** Why this file exists, for the change report. */
  what: string
}

function agentConfig(s: ProxySettings): AgentConfig {
  const v6 = (port: number) => (s.ipv6 ? [String(port), `[::]:${port}`] : [String(port)])
  return {
    zones: s.zones,
    publicPort: s.httpsPort,
    sharesDir: PROXY.sharesDir,
    stateDir: PROXY.stateDir,
    webroot: PROXY.webroot,
    socketDir: PROXY.socketDir,
    liveDir: PROXY.liveDir,
    authorizedKeys: PROXY.authorizedKeys,
    dnsCredentialsDir: PROXY.dnsDir,
    tunnelCommand: PROXY.shell,
    adminUid: 0,
    httpsListen: v6(s.httpsPort),
    httpListen: v6(80),
    nginx: {
      test: ['/usr/sbin/nginx', '-t', '-q'],
      reload: ['/usr/sbin/nginx', '-s', 'reload'],
      pidFile: '/run/nginx.pid',
      tlsInclude: PROXY.nginxTls,
      http2: s.nginx.http2,
      http3: s.nginx.http3,
    },
    certbot: {
      argv: ['/usr/bin/certbot', ...(s.acmeServer ? ['--server', s.acmeServer] : [])],
      env: s.acmeCa ? { REQUESTS_CA_BUNDLE: PROXY.acmeCa } : {},
      liveDir: '/etc/letsencrypt/live',
      email: s.email ?? null,
    },
    authGroup: 'www-data', // Debian's nginx workers
    hold: { socket: PROXY.holdSocket, dir: PROXY.holdDir },
    sshd: { pidFile: '/run/sshd.pid', tunnelUser: s.tunnelUser },
  }
}

// The tunnel account's login shell. sshd runs every command of a tunnel key through it as
// `gangway-shell -c "<the key's forced command>"`, and each key's forced command is this
// script's path followed by the key's label (rendered by the agent, one line per key).
// sudo resets the environment (SSH_ORIGINAL_COMMAND included), so the client's command
// travels as ONE argument; the root-owned agent splits and validates it. A key line
// without Gangway's forced command gets nothing: sshd then leaves SSH_ORIGINAL_COMMAND
// unset, and a client cannot pick a label by sending this script's path as its command.
const shellScript = `#!/bin/sh
# Login shell of the Gangway tunnel account. Written by gangway setup.
set -f
refuse() { printf '{"ok": false, "code": "KEY_UNLABELED", "message": "%s", "hint": "Ask the proxy admin for gangway invite."}\\n' "$1"; exit 2; }
[ "$1" = "-c" ] && [ $# -eq 2 ] || refuse "this account has no shell"
case "$2" in
  "${PROXY.shell} "*) label=\${2#"${PROXY.shell} "} ;;
  *) refuse "this key has no Gangway label" ;;
esac
[ -n "\${SSH_ORIGINAL_COMMAND+x}" ] || refuse "this key runs Gangway's commands only"
exec /usr/bin/sudo -n ${PROXY.agent} --config ${PROXY.agentConfig} --label "$label" --ssh-command "$SSH_ORIGINAL_COMMAND"
`

const sudoers = (user: string) => `# Written by gangway setup: the tunnel account runs the Gangway agent with its fixed
# config, and nothing else. The agent takes --label and --ssh-command once each, refuses
# anything after --ssh-command's value, and checks the label against its key registry.
${user} ALL=(root) NOPASSWD: ${PROXY.agent} --config ${PROXY.agentConfig} --label * --ssh-command *
# No pty between the agent and the ssh channel (Debian's default use_pty would add one,
# echoing stdin — a password hash, a request body — back and rewriting line endings).
Defaults:${user} !use_pty
`

// sshd: a Match block scoped to the tunnel account; the admin's settings are untouched.
// No ForceCommand: it would replace each key's own forced command, which carries its label.
const sshdConf = (user: string) => `# Written by gangway setup. The tunnel account may open remote socket forwards and
# run the Gangway agent: no shell, no pty, no TCP or local forwards, keys from one
# root-owned file that the agent renders (one line per labelled key).
Match User ${user}
    AuthorizedKeysFile ${PROXY.authorizedKeys}
    AuthenticationMethods publickey
    PasswordAuthentication no
    KbdInteractiveAuthentication no
${tunnelSshdLines('    ')}
    # A frozen or vanished workstation is dropped after ~6 s (sshd gives up after about
    # (2 x CountMax + 1) x Interval): its visitors get the offline page, the name is free.
    ClientAliveInterval 2
    ClientAliveCountMax 1
`

// Main context: old workers of a reload finish their requests, then close what is left.
const nginxMain = `# Written by gangway setup: after a reload, old nginx workers close their last
# connections (long websockets) after 10 minutes instead of piling up.
worker_shutdown_timeout 10m;
`

// An init script, so hosts without systemd run it too; systemd runs it through its
// sysv generator. start-stop-daemon keeps one instance and its pid file.
const holdService = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          gangway-holds
# Required-Start:    $local_fs $remote_fs
# Required-Stop:     $local_fs $remote_fs
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: Gangway's hold store: keeps webhooks for shares that are offline
### END INIT INFO
# Written by gangway setup.
PIDFILE=/run/gangway-holds.pid
case "$1" in
  start) exec start-stop-daemon --start --quiet --oknodo --background --make-pidfile --pidfile $PIDFILE --exec /usr/bin/python3 -- -I ${PROXY.agent} --config ${PROXY.agentConfig} hold-daemon ;;
  stop) exec start-stop-daemon --stop --quiet --oknodo --retry TERM/5/KILL/2 --pidfile $PIDFILE --remove-pidfile ;;
  restart|force-reload) "$0" stop && exec "$0" start ;;
  status) start-stop-daemon --status --pidfile $PIDFILE && echo running && exit 0; echo stopped; exit 3 ;;
  *) echo "Usage: $0 {start|stop|restart|status}" >&2; exit 2 ;;
esac
`

const renewalHooks = renderRenewalHooks({ nginxTest: ['/usr/sbin/nginx', '-t', '-q'], nginxReload: ['/usr/sbin/nginx', '-s', 'reload'], marker: `${PROXY.stateDir}/renewed` })

export function renderProxyFiles(s: ProxySettings): ManagedFile[] {
  const listen = (port: number) => (s.ipv6 ? [String(port), `[::]:${port}`] : [String(port)])
  const files: ManagedFile[] = [
    { path: PROXY.agent, content: readFileSync(AGENT_SOURCE, 'utf8'), mode: '755', what: 'the proxy agent' },
    { path: PROXY.shell, content: shellScript, mode: '755', what: "the tunnel account's entry point" },
    { path: PROXY.agentConfig, content: renderAgentConfig(agentConfig(s)), mode: '644', what: 'agent.json' },
    { path: PROXY.sudoers, content: sudoers(s.tunnelUser), mode: '440', what: 'the one sudo rule of the tunnel account' },
    { path: PROXY.sshdConf, content: sshdConf(s.tunnelUser), mode: '644', what: 'sshd settings of the tunnel account' },
    {
      path: PROXY.nginxConf,
      content: renderBaseNginx({ httpListen: listen(80), httpsListen: listen(s.httpsPort), webroot: PROXY.webroot, sharesDir: PROXY.sharesDir, tlsInclude: PROXY.nginxTls, features: s.nginx }),
      mode: '644',
      what: 'nginx default servers and the shares include',
    },
    { path: PROXY.nginxTls, content: renderTlsSnippet(), mode: '644', what: 'TLS settings of every HTTPS server (TLS 1.2+)' },
    { path: PROXY.nginxMainConf, content: nginxMain, mode: '644', what: 'nginx worker shutdown timeout' },
    { path: PROXY.deployHook, content: renewalHooks.deploy, mode: '755', what: 'marks renewed certificates for the post hook' },
    { path: PROXY.postHook, content: renewalHooks.post, mode: '755', what: 'one nginx reload after certificate renewal' },
    { path: PROXY.holdService, content: holdService, mode: '755', what: 'the hold store service (webhooks of offline shares)' },
  ]
  if (s.acmeCa) files.push({ path: PROXY.acmeCa, content: s.acmeCa, mode: '644', what: 'the ACME server CA' })
  if (s.wildcard) {
    files.push({ path: `${PROXY.wildcardDir}/fullchain.pem`, content: s.wildcard.fullchain, mode: '644', what: 'the wildcard certificate' })
    files.push({ path: `${PROXY.wildcardDir}/privkey.pem`, content: s.wildcard.privkey, mode: '600', what: 'the wildcard key' })
  }
  return files
}

/** Directories setup owns: path, mode, owner ('TUNNEL' is the tunnel account). */
export const PROXY_DIRS: Array<[string, string, string]> = [
  [PROXY.libDir, '755', 'root'],
  [PROXY.etcDir, '755', 'root'],
  [PROXY.sharesDir, '755', 'root'],
  [PROXY.stateDir, '755', 'root'],
  [PROXY.socketDir, '700', 'TUNNEL'],
  // x for all (nginx's workers pass through), r and w for root only: nobody lists or adds.
  [PROXY.liveDir, '711', 'root'],
  [PROXY.holdDir, '700', 'root'],
  [PROXY.webroot, '755', 'root'],
  [`${PROXY.webroot}/.well-known/acme-challenge`, '755', 'root'],
  [PROXY.wildcardDir, '700', 'root'],
  [PROXY.dnsDir, '700', 'root'],
  ['/etc/letsencrypt/renewal-hooks/deploy', '755', 'root'],
  ['/etc/letsencrypt/renewal-hooks/post', '755', 'root'],
  ['/etc/ssh/sshd_config.d', '755', 'root'],
  ['/etc/nginx/modules-enabled', '755', 'root'],
]
