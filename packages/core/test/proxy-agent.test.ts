/**
 * The proxy agent (packages/core/proxy/gangway-proxy) against a real sandbox: real nginx,
 * real certbot + pebble certificates, real sshd forced command. No mocks.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { request } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_SOURCE, sandboxDown, sandboxUp, type AgentConfig, type SandboxInfo } from '../src/sandbox/index.js'

let info: SandboxInfo
let agentConfig: AgentConfig
let root: string
const servers: Server[] = []
/** The interpreter of the forced command (a PATH python3 may be a slow pyenv shim). */
const PYTHON = '/usr/bin/python3'

interface AgentResult {
  status: number
  reply: Record<string, unknown> & { ok: boolean; code?: string; message?: string }
}

/** Runs the agent; with `ssh` set, the words come from SSH_ORIGINAL_COMMAND as under sshd. */
function agent(args: string[], opts: { ssh?: string; config?: string; prefix?: string[]; input?: string } = {}): Promise<AgentResult> {
  const argv = [...(opts.prefix ?? []), PYTHON, AGENT_SOURCE, '--config', opts.config ?? info.agentConfig]
  const env = { ...process.env }
  if (opts.ssh !== undefined) env.SSH_ORIGINAL_COMMAND = opts.ssh
  else argv.push(...args)
  return new Promise((resolve) => {
    const child = execFile(argv[0]!, argv.slice(1), { env, timeout: 60_000 }, (error, stdout) => {
      const last = String(stdout).trimEnd().split('\n').pop() ?? ''
      resolve({ status: error ? Number((error as { code?: number }).code ?? -1) : 0, reply: JSON.parse(last) })
    })
    child.stdin!.end(opts.input)
  })
}

/** A local HTTP server answering `hello from LABEL`. */
async function origin(label: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'text/plain')
    res.end(`hello from ${label} host=${req.headers.host} proto=${req.headers['x-forwarded-proto']}`)
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

interface Visit {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A visitor's HTTPS request: TLS verified against the sandbox CA, SNI + Host = the share. */
function visit(name: string, opts: { method?: string; body?: string; path?: string; headers?: Record<string, string>; ca?: Buffer } = {}): Promise<Visit> {
  const host = `${name}.${info.domain}`
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: info.resolveTo,
        port: info.httpsPort,
        servername: host,
        ca: opts.ca ?? readFileSync(info.caFile),
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        headers: { host: `${host}:${info.httpsPort}`, ...opts.headers },
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end(opts.body)
  })
}

function sha1(password: string, salt: string): Buffer {
  return createHash('sha1').update(password).update(salt).digest()
}

const shareFiles = () => readdirSync(agentConfig.sharesDir).sort()

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gw-agent-test-'))
  const started = Date.now()
  info = await sandboxUp({ dir: join(root, 'sandbox') })
  console.log(`sandbox up in ${((Date.now() - started) / 1000).toFixed(2)} s`)
  agentConfig = JSON.parse(readFileSync(info.agentConfig, 'utf8')) as AgentConfig
})

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    server.close()
  }
  if (info) await sandboxDown({ dir: info.dir })
  if (root && !process.env.GANGWAY_KEEP_SANDBOX) rmSync(root, { recursive: true, force: true })
})

describe('gangway-proxy command line', () => {
  it('answers info from argv and from SSH_ORIGINAL_COMMAND', async () => {
    const direct = await agent(['info'])
    expect(direct).toEqual({ status: 0, reply: { ok: true, domain: info.domain, publicHttpsPort: info.httpsPort, version: '1' } })
    const viaSsh = await agent([], { ssh: 'gangway-proxy info' })
    expect(viaSsh).toEqual(direct)
  })

  it('runs nothing but gangway-proxy from SSH_ORIGINAL_COMMAND, and never another config', async () => {
    for (const command of ['id', 'sh -c id', '/bin/gangway-proxy info', 'gangway-proxy', 'gangway-proxy "info', 'gangway-proxy info --config /etc/passwd']) {
      const { status, reply } = await agent([], { ssh: command })
      expect({ command, status, code: reply.code }).toEqual({ command, status: 2, code: 'USAGE' })
    }
  })

  it('rejects bad names, ports, clients and sizes before touching anything', async () => {
    const before = shareFiles()
    const badNames = ['a;b', '../x', 'x'.repeat(64), 'Abc', 'ünï', 'x\nserver{', 'a.b', '-a', 'a-', '', 'abc\n']
    for (const name of badNames) {
      const { status, reply } = await agent(['share-up', '--name', name, '--port', '8080', '--client', 'c1'])
      expect({ name, status, code: reply.code }).toEqual({ name, status: 2, code: 'INVALID_NAME' })
    }
    for (const port of ['0', '65536', '80abc', '-1', ' 80', '1e3']) {
      const { reply } = await agent(['share-up', '--name', 'ok', '--port', port, '--client', 'c1'])
      expect({ port, code: reply.code }).toEqual({ port, code: 'INVALID_PORT' })
    }
    for (const [flag, value] of [['--client', 'a b'], ['--client', 'x'.repeat(65)], ['--max-body', '10 m'], ['--max-body', '1t']]) {
      const args = ['share-up', '--name', 'ok', '--port', '8080', '--client', 'c1', '--max-body', '1m']
      args[args.indexOf(flag!) + 1] = value!
      expect((await agent(args)).reply.code).toBe('USAGE')
    }
    expect((await agent(['share-up', '--name', 'ok', '--port', '8080'])).reply.code).toBe('USAGE')
    expect((await agent(['share-up', '--name', 'ok', '--name', 'ok2', '--port', '1', '--client', 'c'])).reply.code).toBe('USAGE')
    expect((await agent(['destroy'])).status).toBe(2)
    expect(shareFiles()).toEqual(before)
  })
})

describe('gangway-proxy shares', () => {
  it('issues a certificate, serves the share over verified HTTPS, then reuses the certificate', async () => {
    const app = await origin('alpha')
    let started = Date.now()
    const first = await agent(['share-up', '--name', 'alpha', '--port', String(app.port), '--client', 'laptop-1'])
    console.log(`share-up with certificate issue: ${((Date.now() - started) / 1000).toFixed(2)} s`)
    expect(first.reply).toEqual({
      ok: true,
      url: `https://alpha.${info.domain}:${info.httpsPort}/`,
      host: `alpha.${info.domain}`,
      certificate: 'issued',
      port: app.port,
    })
    const page = await visit('alpha')
    expect(page.status).toBe(200)
    // Host keeps the public port (apps compare it with Origin); the app sees https.
    expect(page.body).toBe(`hello from alpha host=alpha.${info.domain}:${info.httpsPort} proto=https`)
    expect(page.headers['x-robots-tag']).toBe('noindex, nofollow')

    started = Date.now()
    const second = await agent([], { ssh: `gangway-proxy share-up --name alpha --port ${app.port} --client laptop-1` })
    console.log(`share-up with certificate reuse: ${((Date.now() - started) / 1000).toFixed(2)} s`)
    expect(second.reply).toMatchObject({ ok: true, certificate: 'reused' })
    expect((await visit('alpha')).status).toBe(200)
  })

  it('accepts a 63-character name (long server_name)', async () => {
    const app = await origin('long')
    const name = 'a' + 'b-'.repeat(30) + 'cd'
    expect(name).toHaveLength(63)
    const { reply } = await agent(['share-up', '--name', name, '--port', String(app.port), '--client', 'laptop-1'])
    expect(reply).toMatchObject({ ok: true, certificate: 'issued' })
    expect((await visit(name)).body).toContain('hello from long')
  })

  it('share-down turns the share into a self-reloading 503 page; idempotent', async () => {
    const app = await origin('beta')
    expect((await agent(['share-up', '--name', 'beta', '--port', String(app.port), '--client', 'c1'])).reply.ok).toBe(true)
    expect((await agent(['share-down', '--name', 'beta', '--client', 'other'])).reply).toMatchObject({ ok: true, changed: false })
    expect((await visit('beta')).status).toBe(200)

    expect((await agent(['share-down', '--name', 'beta', '--client', 'c1'])).reply).toMatchObject({ ok: true, changed: true })
    for (const path of ['/', '/deep/page?x=1']) {
      const page = await visit('beta', { path })
      expect(page.status).toBe(503)
      expect(page.headers['retry-after']).toBe('5')
      expect(page.headers['content-type']).toMatch(/^text\/html/)
      expect(page.body).toContain('<meta http-equiv="refresh" content="5">')
      expect(page.body).toContain(`beta.${info.domain} is offline`)
    }
    expect((await agent(['share-down', '--name', 'beta', '--client', 'c1'])).reply).toMatchObject({ ok: true, changed: false })

    const ls = await agent(['ls'])
    const beta = (ls.reply.shares as Array<Record<string, unknown>>).find((s) => s.name === 'beta')
    expect(beta).toMatchObject({ host: `beta.${info.domain}`, client: 'c1', port: app.port, online: false })
    expect(String(beta!.certExpires)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

    expect((await agent(['share-up', '--name', 'beta', '--port', String(app.port), '--client', 'c1'])).reply.certificate).toBe('reused')
    expect((await visit('beta')).status).toBe(200)
  })

  it('shows the offline page when nothing listens on the tunnel port (nginx 502)', async () => {
    const app = await origin('gamma')
    await agent(['share-up', '--name', 'gamma', '--port', String(app.port), '--client', 'c1'])
    await app.close()
    const page = await visit('gamma')
    expect(page.status).toBe(503)
    expect(page.headers['retry-after']).toBe('5')
    expect(page.body).toContain('reloads itself')
  })

  it('keeps a live share of another client (NAME_TAKEN) and lets its owner take it back', async () => {
    const a = await origin('owner-a')
    const b = await origin('owner-b')
    expect((await agent(['share-up', '--name', 'taken', '--port', String(a.port), '--client', 'laptop-a'])).reply.ok).toBe(true)
    const refused = await agent(['share-up', '--name', 'taken', '--port', String(b.port), '--client', 'laptop-b'])
    expect(refused.status).toBe(1)
    expect(refused.reply).toMatchObject({ ok: false, code: 'NAME_TAKEN' })
    expect(refused.reply.message).toContain('laptop-a')
    expect((await visit('taken')).body).toContain('hello from owner-a')

    // The owner reconnects on another port: at once, no waiting.
    const a2 = await origin('owner-a2')
    expect((await agent(['share-up', '--name', 'taken', '--port', String(a2.port), '--client', 'laptop-a'])).reply.ok).toBe(true)
    expect((await visit('taken')).body).toContain('hello from owner-a2')

    // Once the holder's tunnel port is dead, the name is free for others.
    await a2.close()
    expect((await agent(['share-up', '--name', 'taken', '--port', String(b.port), '--client', 'laptop-b'])).reply.ok).toBe(true)
    expect((await visit('taken')).body).toContain('hello from owner-b')
  })

  it('turns other shares still pointing at a reused port offline', async () => {
    const app = await origin('reused-port')
    await agent(['share-up', '--name', 'old-session', '--port', String(app.port), '--client', 'c1'])
    const { reply } = await agent(['share-up', '--name', 'new-session', '--port', String(app.port), '--client', 'c2'])
    expect(reply).toMatchObject({ ok: true, staleShares: ['old-session'] })
    expect((await visit('old-session')).status).toBe(503)
    expect((await visit('new-session')).status).toBe(200)
  })

  it('enforces --max-body', async () => {
    const app = await origin('small')
    await agent(['share-up', '--name', 'small', '--port', String(app.port), '--client', 'c1', '--max-body', '1k'])
    expect((await visit('small', { method: 'POST', body: 'x'.repeat(512) })).status).toBe(200)
    expect((await visit('small', { method: 'POST', body: 'x'.repeat(4096) })).status).toBe(413)
  })

  it('rolls a vhost back when nginx rejects the configuration; other shares keep serving', async () => {
    const keep = await origin('keeper')
    const fresh = await origin('fresh')
    await agent(['share-up', '--name', 'keeper', '--port', String(keep.port), '--client', 'c1'])
    const doomed = await origin('broken')
    await agent(['share-up', '--name', 'broken', '--port', String(doomed.port), '--client', 'c1'])
    // A share whose certificate vanished makes every `nginx -t` fail from now on.
    const live = join(agentConfig.certbot.liveDir, `broken.${info.domain}`)
    renameSync(join(live, 'fullchain.pem'), join(live, 'fullchain.pem.away'))
    try {
      const before = shareFiles()
      const { status, reply } = await agent(['share-up', '--name', 'fresh', '--port', String(fresh.port), '--client', 'c1'])
      expect(status).toBe(1)
      expect(reply.code).toBe('NGINX_CONFIG_REJECTED')
      expect(reply.message).toContain('fullchain.pem')
      expect(shareFiles()).toEqual(before) // no fresh.conf, no temp file left
      expect((await visit('keeper')).body).toContain('hello from keeper')
    } finally {
      renameSync(join(live, 'fullchain.pem.away'), join(live, 'fullchain.pem'))
    }
    const { reply } = await agent(['share-up', '--name', 'fresh', '--port', String(fresh.port), '--client', 'c1'])
    expect(reply).toMatchObject({ ok: true, certificate: 'reused' }) // issued before nginx said no
    expect((await visit('fresh')).body).toContain('hello from fresh')
  })

  it('leaves the old vhost when the new one cannot be written (file size limit = disk full)', async () => {
    const app = await origin('full')
    await agent(['share-up', '--name', 'full', '--port', String(app.port), '--client', 'c1'])
    const vhost = join(agentConfig.sharesDir, 'full.conf')
    const old = readFileSync(vhost, 'utf8')
    const { reply } = await agent(['share-up', '--name', 'full', '--port', '1', '--client', 'c1'], { prefix: ['prlimit', '--fsize=1024'] })
    expect(reply.code).toBe('PROXY_COMMAND_FAILED')
    expect(readFileSync(vhost, 'utf8')).toBe(old)
    expect(shareFiles().filter((f) => !f.endsWith('.conf'))).toEqual([])
    expect((await visit('full')).body).toContain('hello from full')
  })

  it('keeps serving an old certificate when certbot fails, and fails without one', async () => {
    // Same proxy, but certbot pointed at a dead ACME server.
    const brokenConfig = join(root, 'agent-dead-acme.json')
    const argv = [...agentConfig.certbot.argv]
    argv[argv.indexOf('--server') + 1] = 'https://127.0.0.1:1/dir'
    writeFileSync(brokenConfig, JSON.stringify({ ...agentConfig, certbot: { ...agentConfig.certbot, argv } }))

    const app = await origin('old-cert')
    const failed = await agent(['share-up', '--name', 'nocert', '--port', String(app.port), '--client', 'c1'], { config: brokenConfig })
    expect(failed.reply.code).toBe('CERTIFICATE_FAILED')
    expect(existsSync(join(agentConfig.sharesDir, 'nocert.conf'))).toBe(false)

    // A certificate that expires within 30 days is due for renewal: certbot runs and fails.
    const live = join(agentConfig.certbot.liveDir, `oldcert.${info.domain}`)
    await new Promise<void>((resolve, reject) =>
      execFile('sh', ['-c', 'mkdir -p "$1" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=old -keyout "$1/privkey.pem" -out "$1/fullchain.pem"', 'sh', live], (e) =>
        e ? reject(e) : resolve(),
      ),
    )
    const kept = await agent(['share-up', '--name', 'oldcert', '--port', String(app.port), '--client', 'c1'], { config: brokenConfig })
    expect(kept.reply).toMatchObject({ ok: true, certificate: 'kept-old' })
    expect(String(kept.reply.warning)).toContain('certbot failed')
  })

  it('serves concurrent share-ups one at a time (flock)', async () => {
    const apps = await Promise.all(['alpha', 'beta'].map((n) => origin(`${n}-again`)))
    const replies = await Promise.all(
      ['alpha', 'beta'].map((n, i) => agent(['share-up', '--name', n, '--port', String(apps[i]!.port), '--client', n === 'alpha' ? 'laptop-1' : 'c1'])),
    )
    expect(replies.map((r) => r.reply.ok)).toEqual([true, true])
    expect((await visit('alpha')).body).toContain('alpha-again')
    expect((await visit('beta')).body).toContain('beta-again')
  })

  it('rm removes the vhost, the record and (with --cert) the certificate', async () => {
    const app = await origin('gone')
    await agent(['share-up', '--name', 'gone', '--port', String(app.port), '--client', 'c1'])
    const { reply } = await agent(['rm', '--name', 'gone', '--cert'])
    expect(reply).toMatchObject({ ok: true, removed: true, certificate: 'deleted' })
    expect(existsSync(join(agentConfig.sharesDir, 'gone.conf'))).toBe(false)
    expect(existsSync(join(agentConfig.certbot.liveDir, `gone.${info.domain}`))).toBe(false)
    const names = ((await agent(['ls'])).reply.shares as Array<{ name: string }>).map((s) => s.name)
    expect(names).not.toContain('gone')
    await expect(visit('gone')).rejects.toThrow() // ssl_reject_handshake for unknown names
    expect((await agent(['rm', '--name', 'gone'])).reply).toMatchObject({ ok: true, removed: false })
  })
})

describe('gangway-proxy access control, sudo entry and wildcard mode', () => {
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` })
  // {SSHA} of "s3cret" with salt "saltsalt", as the workstation computes it (config/access.ts).
  const line = `bob:{SSHA}${Buffer.concat([sha1('s3cret', 'saltsalt'), Buffer.from('saltsalt')]).toString('base64')}`

  it('takes the words from --ssh-command (sudo resets the env) and nothing after them', async () => {
    const ok = await agent(['--ssh-command', 'gangway-proxy info'])
    expect(ok.reply).toMatchObject({ ok: true, domain: info.domain })
    expect((await agent(['--ssh-command', 'gangway-proxy info', '--config', '/etc/passwd'])).reply.code).toBe('USAGE')
    expect((await agent(['--ssh-command', 'gangway-proxy info', 'extra'])).reply.code).toBe('USAGE')
    expect((await agent(['--ssh-command', ''])).reply.code).toBe('USAGE')
  })

  it('basic auth from a hashed line on stdin: 401 without, 200 with; a bad line writes nothing', async () => {
    const app = await origin('locked')
    const before = shareFiles()
    const bad = await agent(['share-up', '--name', 'locked', '--port', String(app.port), '--client', 'c1', '--auth-stdin'], { input: 'bob:plaintext\n' })
    expect(bad.reply.code).toBe('USAGE')
    expect(shareFiles()).toEqual(before)
    const up = await agent(['share-up', '--name', 'locked', '--port', String(app.port), '--client', 'c1', '--auth-stdin'], { input: `${line}\n` })
    expect(up.reply).toMatchObject({ ok: true })
    expect((await visit('locked')).status).toBe(401)
    expect((await visit('locked', { headers: basic('bob', 'wrong') })).status).toBe(401)
    expect((await visit('locked', { headers: basic('bob', 's3cret') })).status).toBe(200)
    // Shared again without auth: the password file goes, the share is open.
    await agent(['share-up', '--name', 'locked', '--port', String(app.port), '--client', 'c1'])
    expect((await visit('locked')).status).toBe(200)
    expect(existsSync(join(agentConfig.stateDir, 'auth', 'locked.htpasswd'))).toBe(false)
  })

  it('allowlist: canonical networks only, 403 for others; indexing can be allowed', async () => {
    const app = await origin('fenced')
    for (const bad of ['10.0.0.0/33', 'example.com', '1.2.3.4; deny all', '::g']) {
      expect((await agent(['share-up', '--name', 'fenced', '--port', String(app.port), '--client', 'c1', '--allow', bad])).reply.code).toBe('USAGE')
    }
    await agent(['share-up', '--name', 'fenced', '--port', String(app.port), '--client', 'c1', '--allow', '192.0.2.7/24', '--allow', '2001:db8::1'])
    expect(readFileSync(join(agentConfig.sharesDir, 'fenced.conf'), 'utf8')).toContain('allow 192.0.2.0/24;\n    allow 2001:db8::1/128;\n    deny all;')
    expect((await visit('fenced')).status).toBe(403)
    await agent(['share-up', '--name', 'fenced', '--port', String(app.port), '--client', 'c1', '--allow', '127.0.0.1', '--allow-indexing'])
    const open = await visit('fenced')
    expect([open.status, open.headers['x-robots-tag']]).toEqual([200, undefined])
  })

  it('wildcard mode: one *.DOMAIN certificate serves every name, certbot never runs', async () => {
    const dir = join(root, 'wildcard')
    await new Promise<void>((resolve, reject) =>
      execFile('sh', ['-c', `mkdir -p "$1" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj /CN=wild -addext "subjectAltName=DNS:*.${info.domain}" -keyout "$1/privkey.pem" -out "$1/fullchain.pem"`, 'sh', dir], (e) => (e ? reject(e) : resolve())),
    )
    const config = join(root, 'agent-wildcard.json')
    const deadAcme = { ...agentConfig.certbot, argv: [...agentConfig.certbot.argv.slice(0, -1), 'https://127.0.0.1:1/dir'] }
    writeFileSync(config, JSON.stringify({ ...agentConfig, certbot: deadAcme, certMode: 'wildcard', wildcardCert: { fullchain: join(dir, 'fullchain.pem'), privkey: join(dir, 'privkey.pem') } }))
    const app = await origin('wild')
    const up = await agent(['share-up', '--name', 'wild', '--port', String(app.port), '--client', 'c1'], { config })
    expect(up.reply).toMatchObject({ ok: true, certificate: 'wildcard' })
    expect((await visit('wild', { ca: readFileSync(join(dir, 'fullchain.pem')) })).body).toContain('hello from wild')
    expect((await agent(['rm', '--name', 'wild', '--cert'], { config })).reply).toMatchObject({ ok: true, certificate: 'shared' })
    expect(existsSync(join(dir, 'fullchain.pem'))).toBe(true)
  })
})

describe('gangway-proxy through sshd (forced command of the tunnel key)', () => {
  let client: ssh2.Client

  beforeAll(async () => {
    const [, blob] = readFileSync(info.knownHostsFile, 'utf8').trim().split(/\s+/).slice(1)
    const hostKey = Buffer.from(blob!, 'base64')
    client = new ssh2.Client()
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve).once('error', reject)
      client.connect({
        host: info.sshHost,
        port: info.sshPort,
        username: info.user,
        privateKey: readFileSync(info.identityFile),
        hostVerifier: (key: Buffer) => key.equals(hostKey),
      })
    })
  })
  afterAll(() => client?.end())

  function exec(command: string, opts: ssh2.ExecOptions = {}): Promise<{ code: number | null; stdout: string }> {
    return new Promise((resolve, reject) => {
      client.exec(command, opts, (err, stream) => {
        if (err) return reject(err)
        let stdout = ''
        let code: number | null = null
        stream.on('data', (d: Buffer) => (stdout += d.toString()))
        stream.stderr.on('data', () => {})
        stream.on('exit', (c: number | null) => (code = c))
        stream.on('close', () => resolve({ code, stdout }))
      })
    })
  }

  it('runs gangway-proxy info', async () => {
    const { code, stdout } = await exec('gangway-proxy info')
    expect(code).toBe(0)
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toMatchObject({ ok: true, domain: info.domain, version: '1' })
  })

  it('refuses any other command', async () => {
    for (const command of ['id', 'sh -c "touch /tmp/gangway-pwned"', 'gangway-proxy; id']) {
      const { code, stdout } = await exec(command)
      expect(code).toBe(2)
      expect(JSON.parse(stdout.trim().split('\n').pop()!)).toMatchObject({ ok: false, code: 'USAGE' })
    }
    expect(existsSync('/tmp/gangway-pwned')).toBe(false)
  })

  it('refuses a pty', async () => {
    await expect(exec('gangway-proxy info', { pty: true })).rejects.toThrow()
  })

  it('refuses a remote forward on 0.0.0.0', async () => {
    await expect(
      new Promise<number>((resolve, reject) => client.forwardIn('0.0.0.0', 0, (err, port) => (err ? reject(err) : resolve(port)))),
    ).rejects.toThrow()
  })
})
