/**
 * Everything `gangway setup` installs on a Debian proxy, as pure renderers: where it
 * goes, with which mode, and what it says. setup.ts compares them with what is there
 * and installs only the differences.
 */
import { tunnelSshdLines } from '../proxy/sshd-tunnel.js'
import { readFileSync } from 'node:fs'
import { renderAgentConfig, tunnelKeyLine, type AgentConfig } from '../proxy/agent-config.js'
import { renderBaseNginx } from '../proxy/nginx-base.js'
import { AGENT_SOURCE } from '../sandbox/agent-install.js'

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
  stagingDir: '/etc/gangway/.staging',
  backupDir: '/etc/gangway/.backup',
  stateDir: '/var/lib/gangway',
  webroot: '/var/www/gangway-acme',
  nginxConf: '/etc/nginx/conf.d/gangway.conf',
  nginxDefaultSite: '/etc/nginx/sites-enabled/default',
  sshdConf: '/etc/ssh/sshd_config.d/gangway.conf',
  sudoers: '/etc/sudoers.d/gangway',
  deployHook: '/etc/letsencrypt/renewal-hooks/deploy/gangway-reload-nginx',
} as const

export interface ProxySettings {
  domain: string
  email: string | undefined
  httpsPort: number
  tunnelUser: string
  acmeServer: string | undefined
  /** PEM the proxy's certbot must trust to reach acmeServer (a private/test ACME CA). */
  acmeCa: string | undefined
  /** PEMs of a user-supplied *.DOMAIN certificate: no per-name certificates. */
  wildcard: { fullchain: string; privkey: string } | undefined
  /** The proxy has IPv6: listen on [::] too. */
  ipv6: boolean
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
    domain: s.domain,
    publicHttpsPort: s.httpsPort,
    sharesDir: PROXY.sharesDir,
    stateDir: PROXY.stateDir,
    webroot: PROXY.webroot,
    httpsListen: v6(s.httpsPort),
    httpListen: v6(80),
    nginx: { test: ['/usr/sbin/nginx', '-t', '-q'], reload: ['/usr/sbin/nginx', '-s', 'reload'], pidFile: '/run/nginx.pid' },
    certbot: {
      argv: ['/usr/bin/certbot', ...(s.acmeServer ? ['--server', s.acmeServer] : [])],
      env: s.acmeCa ? { REQUESTS_CA_BUNDLE: PROXY.acmeCa } : {},
      liveDir: '/etc/letsencrypt/live',
      email: s.email ?? null,
    },
    certMode: s.wildcard ? 'wildcard' : 'http01',
    ...(s.wildcard ? { wildcardCert: { fullchain: `${PROXY.wildcardDir}/fullchain.pem`, privkey: `${PROXY.wildcardDir}/privkey.pem` } } : {}),
    authGroup: 'www-data', // Debian's nginx workers
  }
}

// sudo resets the environment (SSH_ORIGINAL_COMMAND included), so the client's command
// travels as ONE argument; the root-owned agent splits and validates it.
const shellScript = `#!/bin/sh
# Login shell and forced command of the Gangway tunnel account. Written by gangway setup.
# Nothing here interprets the client's command: the root-owned agent parses and
# validates it, and runs nothing but its own verbs.
exec /usr/bin/sudo -n ${PROXY.agent} --config ${PROXY.agentConfig} --ssh-command "\${SSH_ORIGINAL_COMMAND-}"
`

const sudoers = (user: string) => `# Written by gangway setup: the tunnel account runs the Gangway agent with its fixed
# config, and nothing else. The agent refuses any argument after --ssh-command's value.
${user} ALL=(root) NOPASSWD: ${PROXY.agent} --config ${PROXY.agentConfig} --ssh-command *
`

// sshd: a Match block scoped to the tunnel account; the admin's settings are untouched.
const sshdConf = (user: string) => `# Written by gangway setup. The tunnel account may open loopback remote forwards and
# run the Gangway agent: no shell, no pty, no other forwards, keys from one root-owned file.
Match User ${user}
    AuthorizedKeysFile ${PROXY.authorizedKeys}
    AuthenticationMethods publickey
    PasswordAuthentication no
    KbdInteractiveAuthentication no
    ForceCommand ${PROXY.shell}
${tunnelSshdLines('    ')}
    # A vanished workstation loses its forwarded ports within ~15 s, so the name is free again.
    ClientAliveInterval 5
    ClientAliveCountMax 3
`

const deployHook = `#!/bin/sh
# Written by gangway setup: after certbot renews a certificate, nginx serves the new one.
/usr/sbin/nginx -t -q && exec /usr/sbin/nginx -s reload
`

/** Keeps other workstations' keys; replaces this key's line. */
export function mergeAuthorizedKeys(current: string | undefined, line: string): string {
  const blob = line.split(' ').at(-2)
  const others = (current ?? '').split('\n').filter((l) => l.trim() && !l.includes(` ${blob} `))
  return [...others, line.trimEnd()].join('\n') + '\n'
}

export function renderProxyFiles(s: ProxySettings, tunnelKey: { publicKey: string; comment: string }, currentKeys: string | undefined): ManagedFile[] {
  const listen = (port: number) => (s.ipv6 ? [String(port), `[::]:${port}`] : [String(port)])
  const files: ManagedFile[] = [
    { path: PROXY.agent, content: readFileSync(AGENT_SOURCE, 'utf8'), mode: '755', what: 'the proxy agent' },
    { path: PROXY.shell, content: shellScript, mode: '755', what: "the tunnel account's entry point" },
    { path: PROXY.agentConfig, content: renderAgentConfig(agentConfig(s)), mode: '644', what: 'agent.json' },
    { path: PROXY.sudoers, content: sudoers(s.tunnelUser), mode: '440', what: 'the one sudo rule of the tunnel account' },
    { path: PROXY.sshdConf, content: sshdConf(s.tunnelUser), mode: '644', what: 'sshd settings of the tunnel account' },
    {
      path: PROXY.authorizedKeys,
      content: mergeAuthorizedKeys(currentKeys, tunnelKeyLine(PROXY.shell, tunnelKey.publicKey, tunnelKey.comment)),
      mode: '644',
      what: "this workstation's tunnel key",
    },
    {
      path: PROXY.nginxConf,
      content: renderBaseNginx({ httpListen: listen(80), httpsListen: listen(s.httpsPort), webroot: PROXY.webroot, sharesDir: PROXY.sharesDir }),
      mode: '644',
      what: 'nginx default servers and the shares include',
    },
    { path: PROXY.deployHook, content: deployHook, mode: '755', what: 'nginx reload after certificate renewal' },
  ]
  if (s.acmeCa) files.push({ path: PROXY.acmeCa, content: s.acmeCa, mode: '644', what: 'the ACME server CA' })
  if (s.wildcard) {
    files.push({ path: `${PROXY.wildcardDir}/fullchain.pem`, content: s.wildcard.fullchain, mode: '644', what: 'the wildcard certificate' })
    files.push({ path: `${PROXY.wildcardDir}/privkey.pem`, content: s.wildcard.privkey, mode: '600', what: 'the wildcard key' })
  }
  return files
}

/** Directories setup owns (mode 755 unless said). */
export const PROXY_DIRS: Array<[string, string]> = [
  [PROXY.libDir, '755'],
  [PROXY.etcDir, '755'],
  [PROXY.sharesDir, '755'],
  [PROXY.stateDir, '755'],
  [PROXY.webroot, '755'],
  [`${PROXY.webroot}/.well-known/acme-challenge`, '755'],
  [PROXY.wildcardDir, '700'],
  ['/etc/letsencrypt/renewal-hooks/deploy', '755'],
  ['/etc/ssh/sshd_config.d', '755'],
]
