/**
 * nginx for the sandbox: its own prefix dir (pid, logs and every *_temp_path inside it,
 * so nothing touches /var) around the same base configuration `gangway setup` installs
 * on a VPS (proxy/nginx-base.ts: default servers, ACME webroot, the share vhosts).
 */
import { mkdir, writeFile, chmod, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { request } from 'node:http'
import type { SandboxLayout, SandboxState } from './layout.js'
import { logTail, runTool, spawnDetached } from './processes.js'
import { portAnswers, waitUntil } from './ports.js'
import { bin } from './binaries.js'
import { nginxFeatures, renderBaseNginx, renderTlsSnippet, type NginxFeatures } from '../proxy/nginx-base.js'

/** argv prefix shared by start, test and reload; `-e` keeps even early errors out of /var/log. */
export function nginxArgs(layout: SandboxLayout): string[] {
  return ['-p', layout.nginxPrefix + '/', '-c', layout.nginxConf, '-e', layout.nginxErrorLog]
}

/**
 * Run as root, nginx workers would drop to `nobody`, which can neither traverse a private
 * home (/root is 0700) nor connect to the share sockets (liveSocketDir is 0700, so no other
 * local user can reach a developer's dev server around nginx). The sandbox is loopback
 * only: its workers run as the user who started it.
 */
function workersAsRoot(): boolean {
  return process.getuid?.() === 0
}

export async function writeNginxConfig(layout: SandboxLayout, state: SandboxState): Promise<void> {
  const { http, https } = state.ports
  const temp = (name: string) => join(layout.nginxTemp, name)
  const conf = `# Gangway sandbox proxy: written by sandboxUp, rewritten on every start.
${workersAsRoot() ? 'user root;  # see workersAsRoot in nginx.ts\n' : ''}worker_processes 1;
pid ${layout.nginxPid};
error_log ${layout.nginxErrorLog} warn;

events { worker_connections 4096; }

http {
    access_log ${join(layout.nginxPrefix, 'access.log')};
    client_body_temp_path ${temp('client_body')};
    proxy_temp_path ${temp('proxy')};
    fastcgi_temp_path ${temp('fastcgi')};
    uwsgi_temp_path ${temp('uwsgi')};
    scgi_temp_path ${temp('scgi')};
    types { text/html html; text/plain txt; }
    default_type application/octet-stream;
${renderBaseNginx({ httpListen: [`127.0.0.1:${http}`], httpsListen: [`127.0.0.1:${https}`], webroot: layout.webroot, sharesDir: layout.sharesDir, tlsInclude: layout.nginxTls, features: state.nginx! })}}
`
  await writeFile(layout.nginxConf, conf)
  await writeFile(layout.nginxTls, renderTlsSnippet())
}

/** What this machine's nginx supports (HTTP/2 syntax, HTTP/3), from `nginx -V`. */
export async function detectNginx(): Promise<NginxFeatures> {
  const { stdout, stderr } = await runTool(bin('nginx'), ['-V'])
  return nginxFeatures(stdout + stderr)
}

/** GET http://127.0.0.1:port/path with a Host header. */
function httpGet(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, timeout: 5000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

export async function startNginx(layout: SandboxLayout, state: SandboxState): Promise<void> {
  state.nginx = await detectNginx()
  await mkdir(layout.nginxTemp, { recursive: true })
  await mkdir(layout.sharesDir, { recursive: true })
  // Workers (nobody when root) read challenge files: the whole webroot chain is 0755.
  const challenges = join(layout.webroot, '.well-known', 'acme-challenge')
  await mkdir(challenges, { recursive: true })
  for (const d of [layout.dir, layout.webroot, join(layout.webroot, '.well-known'), challenges]) await chmod(d, 0o755)
  await writeNginxConfig(layout, state)
  await runTool(bin('nginx'), [...nginxArgs(layout), '-t', '-q'])

  state.pids.nginx = await spawnDetached(bin('nginx'), [...nginxArgs(layout), '-g', 'daemon off;'], { logFile: layout.log('nginx'), cwd: layout.dir })
  await waitUntil('nginx', () => portAnswers(state.ports.http)).catch((e: Error) => {
    throw new Error(`${e.message}\n${logTail(layout.log('nginx'))}\n${logTail(layout.nginxErrorLog)}`)
  })

  // The same path pebble's HTTP-01 check takes: fails here, not later inside certbot.
  const probe = join(challenges, 'gangway-selfcheck')
  await writeFile(probe, 'ok\n', { mode: 0o644 })
  try {
    const res = await httpGet(state.ports.http, '/.well-known/acme-challenge/gangway-selfcheck', `selfcheck.${state.domain}`)
    if (res.status !== 200) throw new Error(`nginx cannot serve the ACME webroot (HTTP ${res.status}); see ${layout.nginxErrorLog}`)
  } finally {
    await rm(probe, { force: true })
  }
}
