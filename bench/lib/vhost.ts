/**
 * Extra nginx vhosts the bench writes into its own sandbox proxy, next to the agent's:
 * the seed's vhost (P8), a copy of a share's vhost on its own port with one thing changed
 * (HTTP/2 to the visitor, P8; the origin as upstream: P2's "no tunnel" row). Each gets a
 * port of its own, so nothing the agent renders is touched (nginx 1.22's `http2` is a
 * property of the listening socket, shared by every vhost on it). Files are named
 * `_bench-*.conf`: not a share name, so the agent never counts or rewrites them.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { join } from 'node:path'
import type { BenchContext } from './context.js'

interface AgentConfig {
  sharesDir: string
  nginx: { test: string[]; reload: string[]; tlsInclude?: string }
  certbot: { liveDir: string }
}

function agentConfig(ctx: BenchContext): AgentConfig {
  return JSON.parse(readFileSync(ctx.info.agentConfig, 'utf8')) as AgentConfig
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

/** The agent's vhost file for a share (a name in the sandbox's zone, or a host), as rendered. */
export function agentVhost(ctx: BenchContext, share: string): string {
  const host = share.includes('.') ? share : `${share}.${ctx.info.domain}`
  return readFileSync(join(agentConfig(ctx).sharesDir, `${host}.conf`), 'utf8')
}

/** The text of the first `server { … }` block that listens with TLS. */
export function httpsServerBlock(vhost: string): string {
  for (let i = vhost.indexOf('server {'); i >= 0; i = vhost.indexOf('server {', i + 1)) {
    let depth = 0
    for (let j = vhost.indexOf('{', i); j < vhost.length; j++) {
      if (vhost[j] === '{') depth++
      else if (vhost[j] === '}' && --depth === 0) {
        const block = vhost.slice(i, j + 1)
        if (/listen [^;]* ssl/.test(block)) return block
        break
      }
    }
  }
  throw new Error('no TLS server block in the vhost')
}

export function certificatePaths(vhost: string): { cert: string; key: string } {
  const cert = /ssl_certificate (\S+);/.exec(vhost)?.[1]
  const key = /ssl_certificate_key (\S+);/.exec(vhost)?.[1]
  if (!cert || !key) throw new Error('no certificate in the vhost')
  return { cert, key }
}

export interface DerivedVhost {
  /** from the share's vhost */
  share: string
  port: number
  http2?: boolean
  /** a plain TCP upstream instead of the share's (same keepalive as the share's upstream) */
  upstream?: string
  /** the share's upstream server with this many idle keepalive connections instead */
  keepalive?: number
  /** directives added at the top of the server block (tuning experiments) */
  extra?: string
}

/** A share's TLS server block on another port, with `http2` on its listen and/or another upstream. */
export function deriveVhost(ctx: BenchContext, o: DerivedVhost): string {
  const vhost = agentVhost(ctx, o.share)
  const block = httpsServerBlock(vhost)
  // The agent's own listen flags (http2 where it renders it) unless asked for http2.
  const http2 = o.http2 || /listen [^;]*\bhttp2\b/.test(block)
  let server = block
    .replace(/^\s*listen [^;]*;\n/gm, '')
    .replace('server {\n', `server {\n    listen 127.0.0.1:${o.port} ssl${http2 ? ' http2' : ''};\n${o.extra ? `    ${o.extra.trim().replace(/\n\s*/g, '\n    ')}\n` : ''}`)
  let upstream = ''
  if (o.upstream || o.keepalive !== undefined) {
    const target = o.upstream ?? /upstream [^{]*\{[^}]*?\bserver ([^;]+);/.exec(vhost)?.[1]
    if (!target) throw new Error(`no upstream server in ${o.share}'s vhost`)
    const keepalive = o.keepalive ?? /keepalive (\d+);/.exec(vhost)?.[1]
    const id = `gw_bench_${o.port}`
    upstream = `upstream ${id} {\n    server ${target};\n${keepalive ? `    keepalive ${keepalive};\n` : ''}}\n\n`
    server = server.replace(/proxy_pass http:\/\/[^;]+;/, `proxy_pass http://${id};`)
  }
  const what = [o.http2 && 'HTTP/2 to the visitor', o.upstream && `upstream ${o.upstream}`, o.keepalive !== undefined && `keepalive ${o.keepalive}`, o.extra?.trim().replace(/\s*\n\s*/g, ' ')].filter(Boolean)
  return `# bench: ${o.share}'s vhost on port ${o.port}${what.length ? `, ${what.join(', ')}` : ''}\n${upstream}${server}\n`
}

/** The TLS settings file the agent's vhosts include (protocols, ciphers, session cache). */
export function tlsInclude(ctx: BenchContext): string | undefined {
  return agentConfig(ctx).nginx.tlsInclude
}

/**
 * The seed's vhost (/work/shared/seed: `listen 443 ssl`, `proxy_pass http://localhost:3000`,
 * Host and X-Forwarded-For, certbot's options-ssl-nginx.conf): HTTP/1.1 to the visitor,
 * nginx's default HTTP/1.0 without keepalive to the forward, so every request opens a new
 * forwarded connection. `upstream` is `localhost:PORT` as in the seed, or `unix:PATH:`
 * where the proxy allows only socket forwards; `tls` the agent's TLS settings file, the
 * counterpart of certbot's options file.
 */
export function seedVhost(o: { port: number; host: string; upstream: string; cert: string; key: string; tls?: string }): string {
  return `# bench: the seed's vhost (HTTP/1.1, no upstream keepalive)
server {
    listen 127.0.0.1:${o.port} ssl;
    server_name ${o.host};
    ssl_certificate ${o.cert};
    ssl_certificate_key ${o.key};
${o.tls ? `    include ${o.tls};
` : ''}
    location / {
        proxy_pass http://${o.upstream};
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $remote_addr;
    }
}
`
}

/** Writes `_bench-<id>.conf`, checks and reloads nginx the agent's way, and waits until `port` accepts. */
export async function installVhost(ctx: BenchContext, id: string, text: string, port: number): Promise<() => Promise<void>> {
  const cfg = agentConfig(ctx)
  const file = join(cfg.sharesDir, `_bench-${id}.conf`)
  writeFileSync(file, text)
  const reload = () => {
    execFileSync(cfg.nginx.test[0]!, cfg.nginx.test.slice(1), { stdio: 'pipe' })
    execFileSync(cfg.nginx.reload[0]!, cfg.nginx.reload.slice(1), { stdio: 'pipe' })
  }
  try {
    reload()
  } catch (err) {
    rmSync(file, { force: true })
    throw new Error(`nginx rejected the bench vhost ${file}: ${(err as { stderr?: Buffer }).stderr?.toString() ?? err}`)
  }
  const deadline = Date.now() + 10_000
  while (!(await accepts(port))) {
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port} after reload`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return async () => {
    rmSync(file, { force: true })
    reload()
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port })
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })
}

/** A self-signed ECDSA P-256 certificate (what certbot 2.x makes by default) for `host`. */
export function selfSignedCert(dir: string, host: string): { cert: string; key: string } {
  const cert = join(dir, `${host}.crt`)
  const key = join(dir, `${host}.key`)
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
    '-subj', `/CN=${host}`, '-keyout', key, '-out', cert, '-addext', `subjectAltName=DNS:${host}`], { stdio: 'ignore' })
  return { cert, key }
}
