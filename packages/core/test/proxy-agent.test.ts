/**
 * The proxy agent (packages/core/proxy/gangway-proxy) against a real sandbox: real sshd
 * forced commands per key label, real nginx, real certbot + pebble certificates. Shares are
 * made the way any key holder can make them, with a bare ssh2 client. No mocks.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sandboxDown, sandboxUp, type SandboxInfo } from '../src/sandbox/index.js'
import { AGENT_SOURCE, type AgentConfig } from '../src/proxy/agent-config.js'
import { runSandboxAgent } from '../src/sandbox/agent-install.js'
import { bcryptLine } from '../src/config/access.js'
import { sandboxLayout } from '../src/sandbox/layout.js'
import { nginxWorkers } from '../../../test/helpers/nginx.js'
import { bridgeUnix, execJson, forwardSocket, forwardTcp, rawLogin, rawShareUp } from '../../../test/helpers/raw-ssh.js'
import { listen, type LocalServer } from '../../../test/helpers/servers.js'
import { visitorAgent, visitorRequest } from '../../../test/helpers/visitor.js'

let info: SandboxInfo
let agentConfig: AgentConfig
let root: string
let bobKey: string
const servers: LocalServer[] = []
const clients: ssh2.Client[] = []
/** The interpreter of the forced command (a PATH python3 may be a slow pyenv shim). */
const PYTHON = '/usr/bin/python3'

interface AgentResult {
  status: number
  reply: Record<string, unknown> & { ok: boolean; code?: string; message?: string }
}

/** Runs the agent directly, as the proxy admin does (or, with `env`, as a forced command would). */
function agent(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<AgentResult> {
  return new Promise((resolve) => {
    const child = execFile(PYTHON, ['-I', AGENT_SOURCE, '--config', info.agentConfig, ...args], { env: opts.env ?? {}, timeout: 60_000 }, (error, stdout) => {
      const last = String(stdout).trimEnd().split('\n').pop() ?? ''
      resolve({ status: error ? Number((error as { code?: number }).code ?? -1) : 0, reply: JSON.parse(last) })
    })
    child.stdin!.end(opts.input)
  })
}

const admin = (verb: string, args: string[] = [], input?: string) => runSandboxAgent(sandboxLayout(info.dir), verb, args, input)

/** A login with the sandbox's own key (label = its user) or bob's. */
async function login(who: 'own' | 'bob' = 'own'): Promise<ssh2.Client> {
  const client = await rawLogin({ host: info.sshHost, port: info.sshPort, user: info.user, identityFile: who === 'own' ? info.identityFile : bobKey, knownHostsFile: info.knownHostsFile })
  clients.push(client)
  return client
}

/** A local HTTP server answering `hello from LABEL` with what it was sent. */
async function origin(label: string): Promise<LocalServer> {
  const server = await listen((req, res) => {
    res.setHeader('content-type', 'text/plain')
    // What reached the app of headers only the proxy may say (or must drop).
    res.setHeader('x-seen', JSON.stringify({ cookie: req.headers.cookie, authorization: req.headers.authorization, xff: req.headers['x-forwarded-for'], clientIp: req.headers['x-client-ip'], trueClientIp: req.headers['true-client-ip'], held: req.headers['x-gangway-held'], port: req.headers['x-forwarded-port'] }))
    res.end(`hello from ${label} host=${req.headers.host} proto=${req.headers['x-forwarded-proto']}`)
  })
  servers.push(server)
  return server
}

/** A session serving `name` from a new origin: login, bridge, share-up. */
async function serve(name: string, opts: { who?: 'own' | 'bob'; instance?: string; extra?: string[]; input?: string } = {}) {
  const app = await origin(name)
  const client = await login(opts.who)
  bridgeUnix(client, app.port)
  const up = await rawShareUp(client, info.socketDir, host(name), opts)
  return { app, client, ...up }
}

const host = (name: string) => (name.includes('.') ? name : `${name}.${info.domain}`)
/** Where the agent puts a share's socket (a digest of the host: socket paths are short). */
const livePath = (name: string) => join(agentConfig.liveDir, `${createHash('sha256').update(host(name)).digest('hex').slice(0, 32)}.sock`)

interface Visit {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A visitor's HTTPS request: TLS verified against the sandbox CA (or `ca`), SNI + Host = the share. */
async function visit(name: string, opts: { method?: string; body?: string; path?: string; headers?: Record<string, string>; ca?: Buffer } = {}): Promise<Visit> {
  const { path = '/', ca, ...request } = opts
  const url = new URL(path, `https://${host(name)}:${info.httpsPort}`).href
  const res = await visitorRequest(url, { ...request, timeoutMs: 10_000, ...(ca ? { agent: visitorAgent(info, { ca }) } : { to: info }) })
  return { status: res.status, headers: res.headers, body: res.text }
}

function sha1(password: string, salt: string): Buffer {
  return createHash('sha1').update(password).update(salt).digest()
}

const shareFiles = () => readdirSync(agentConfig.sharesDir).sort()

const workers = () => nginxWorkers(info.nginxPrefix)

/** Runs `fn` with agent.json changed the way a proxy admin would change it, then restores it. */
async function withConfig<T>(patch: (cfg: AgentConfig) => AgentConfig, fn: () => Promise<T>): Promise<T> {
  const saved = readFileSync(info.agentConfig, 'utf8')
  writeFileSync(info.agentConfig, JSON.stringify(patch(JSON.parse(saved) as AgentConfig)))
  try {
    return await fn()
  } finally {
    writeFileSync(info.agentConfig, saved)
  }
}

/** Waits until `name` answers `status` (a share going offline). */
const untilStatus = (name: string, status: number, timeout = 10_000, opts: Parameters<typeof visit>[1] = {}) =>
  expect.poll(async () => (await visit(name, opts)).status, { timeout, interval: 100 }).toBe(status)

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gw-agent-test-'))
  const started = Date.now()
  info = await sandboxUp({ dir: join(root, 'sandbox') })
  console.log(`sandbox up in ${((Date.now() - started) / 1000).toFixed(2)} s`)
  agentConfig = JSON.parse(readFileSync(info.agentConfig, 'utf8')) as AgentConfig
  // A second person on the same proxy, with a key of their own.
  const pair = ssh2.utils.generateKeyPairSync('ed25519')
  bobKey = join(root, 'bob_ed25519')
  writeFileSync(bobKey, pair.private, { mode: 0o600 })
  await admin('key-add', ['--label', 'bob'], `${pair.public}\n`)
})

afterAll(async () => {
  for (const c of clients) c.end()
  await Promise.all(servers.map((s) => s.close()))
  if (info) await sandboxDown({ dir: info.dir })
  if (root && !process.env.GANGWAY_KEEP_SANDBOX) rmSync(root, { recursive: true, force: true })
})

describe('gangway-proxy command line', () => {
  it('answers info for the key that logged in, and for the admin', async () => {
    const own = await execJson(await login(), 'gangway-proxy info')
    expect(own.reply).toMatchObject({ ok: true, label: info.label, domain: info.domain, publicPort: info.httpsPort, socketDir: info.socketDir, version: '2' })
    expect((await execJson(await login('bob'), 'gangway-proxy info')).reply).toMatchObject({ ok: true, label: 'bob' })
    expect((await agent(['info'])).reply).toMatchObject({ ok: true, label: null })
  })

  it('runs nothing but gangway-proxy from SSH_ORIGINAL_COMMAND, and never another config', async () => {
    const client = await login()
    for (const command of ['id', 'sh -c id', '/bin/gangway-proxy info', 'gangway-proxy', 'gangway-proxy "info', 'gangway-proxy info --config /etc/passwd', 'gangway-proxy; id']) {
      const { code, reply } = await execJson(client, command)
      expect({ command, code, error: reply.code }).toEqual({ command, code: 2, error: 'USAGE' })
    }
    // sudo's form (a real proxy): the words in one argument, nothing after them.
    const forced = ['--label', info.label]
    expect((await agent([...forced, '--ssh-command', 'gangway-proxy info'])).reply).toMatchObject({ ok: true, label: info.label })
    expect((await agent([...forced, '--ssh-command', 'gangway-proxy info', '--config', '/etc/passwd'])).reply.code).toBe('USAGE')
    expect((await agent([...forced, '--ssh-command', 'gangway-proxy info', 'extra'])).reply.code).toBe('USAGE')
    expect((await agent(['--label', 'x', '--label', 'y', '--ssh-command', 'gangway-proxy info'])).reply.code).toBe('USAGE')
  })

  it('refuses a forced command without a label, a label not registered, admin verbs and v1 clients', async () => {
    const unlabelled = await agent([], { env: { SSH_ORIGINAL_COMMAND: 'gangway-proxy info' } })
    expect([unlabelled.status, unlabelled.reply.code]).toEqual([1, 'KEY_UNLABELED'])
    expect((await agent(['--label', 'ghost', '--ssh-command', 'gangway-proxy info'])).reply.code).toBe('KEY_UNLABELED')
    const client = await login('bob')
    for (const command of ['gangway-proxy key-add --label bob2', 'gangway-proxy key-rm --label root', 'gangway-proxy keys', 'gangway-proxy migrate --label bob']) {
      expect((await execJson(client, command, 'ssh-ed25519 AAAA\n')).reply.code, command).toBe('FORBIDDEN')
    }
    const v1 = await execJson(client, 'gangway-proxy share-up --name x --port 8080 --client c1')
    expect([v1.code, v1.reply.code]).toEqual([2, 'CLIENT_OUTDATED'])
  })

  it('rejects bad hosts, tokens, instances and sizes before touching anything', async () => {
    const before = shareFiles()
    const client = await login()
    const token = '0'.repeat(32)
    const badHosts = ['a;b.gangway.test', '../x', 'x'.repeat(64) + '.gangway.test', 'Abc.gangway.test', 'ünï.gangway.test', 'x\nserver{', '-a.gangway.test', 'evil.example.com', 'a.b.gangway.test', 'gangway.test.evil', '']
    for (const h of badHosts) {
      const { code, reply } = await execJson(client, `gangway-proxy share-up --host '${h}' --socket ${token} --instance inst-0001`)
      expect({ h, code, error: reply.code }).toEqual({ h, code: 2, error: 'INVALID_HOST' })
    }
    for (const [flag, value] of [['--socket', 'abc'], ['--socket', '../../x'.padEnd(32, 'a')], ['--instance', 'a b'], ['--instance', 'x'], ['--max-body', '10 m'], ['--max-body', '1t'], ['--pid', '-1'], ['--cmd', 'a;b']]) {
      const args = ['share-up', '--host', `ok.${info.domain}`, '--socket', token, '--instance', 'inst-0001', flag!, value!]
      const { reply } = await execJson(client, `gangway-proxy ${args.map((a) => `'${a}'`).join(' ')}`)
      expect({ flag, value, code: reply.code }).toEqual({ flag, value, code: 'USAGE' })
    }
    expect((await execJson(client, `gangway-proxy share-up --host ok.${info.domain} --instance inst-0001`)).reply.code).toBe('USAGE')
    expect((await execJson(client, `gangway-proxy share-up --host ok.${info.domain} --host ok2.${info.domain} --socket ${token} --instance inst-0001`)).reply.code).toBe('USAGE')
    expect((await execJson(client, 'gangway-proxy destroy')).code).toBe(2)
    expect(shareFiles()).toEqual(before)
  })
})

describe('gangway-proxy shares: static vhosts, sockets the caller holds', () => {
  it('issues a certificate, serves the share, and a reconnect reloads nothing', async () => {
    let started = Date.now()
    const first = await serve('alpha')
    console.log(`share-up with certificate issue: ${((Date.now() - started) / 1000).toFixed(2)} s`)
    expect(first.reply).toEqual({
      ok: true,
      url: `https://alpha.${info.domain}:${info.httpsPort}/`,
      host: `alpha.${info.domain}`,
      label: info.label,
      certificate: 'issued',
      reloaded: true,
      held: 0,
    })
    const page = await visit('alpha')
    expect(page.status).toBe(200)
    // Host keeps the public port (apps compare it with Origin); the app sees https.
    expect(page.body).toBe(`hello from alpha host=alpha.${info.domain}:${info.httpsPort} proto=https`)
    expect(page.headers['x-robots-tag']).toBe('noindex, nofollow')

    // The session ends: the listener is gone, visitors get the offline page at once.
    first.client.end()
    await untilStatus('alpha', 503)

    const pids = workers()
    started = Date.now()
    const second = await serve('alpha', { instance: 'raw-client-1' })
    console.log(`share-up with certificate reuse: ${((Date.now() - started) / 1000).toFixed(3)} s`)
    expect(second.reply).toMatchObject({ ok: true, certificate: 'reused', reloaded: false })
    expect((await visit('alpha')).body).toContain('hello from alpha')
    expect(workers()).toEqual(pids)
    expect(statSync(livePath('alpha')).isSocket()).toBe(true)
    second.client.end()
  })

  it('accepts a 63-character name and the zone apex', async () => {
    const name = 'a' + 'b-'.repeat(30) + 'cd'
    expect(name).toHaveLength(63)
    const long = await serve(name)
    expect(long.reply).toMatchObject({ ok: true, certificate: 'issued' })
    expect((await visit(name)).body).toContain(`hello from ${name}`)
    const apex = await serve(info.domain)
    expect(apex.reply).toMatchObject({ ok: true, host: info.domain, certificate: 'issued' })
    expect((await visit(info.domain)).body).toContain(`hello from ${info.domain}`)
    long.client.end()
    apex.client.end()
  })

  it('the end of its session takes a share offline at once: a self-reloading 503 page', async () => {
    const beta = await serve('beta')
    expect((await visit('beta')).status).toBe(200)
    beta.client.end()
    await untilStatus('beta', 503, 3000)
    for (const path of ['/', '/deep/page?x=1']) {
      const page = await visit('beta', { path })
      expect(page.status).toBe(503)
      expect(page.headers['retry-after']).toBe('5')
      expect(page.headers['content-type']).toMatch(/^text\/html/)
      expect(page.body).toContain('<meta http-equiv="refresh" content="5">')
      expect(page.body).toContain(`beta.${info.domain} is offline`)
    }
    const ls = await execJson(await login(), 'gangway-proxy ls')
    const listed = (ls.reply.shares as Array<Record<string, unknown>>).find((s) => s.host === `beta.${info.domain}`)
    expect(listed).toMatchObject({ owner: info.label, online: false })
    expect(String(listed!.certExpires)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })

  it('keeps a share for its owner label (NAME_TAKEN names it); only a live session of that label holds it', async () => {
    const owned = await serve('taken')
    const refused = await serve('taken', { who: 'bob' })
    expect(refused.code).toBe(1)
    expect(refused.reply).toMatchObject({ ok: false, code: 'NAME_TAKEN' })
    expect(refused.reply.message).toContain(`belongs to ${info.label}`)
    expect((await visit('taken')).body).toContain('hello from taken')
    // Offline, it is still not bob's: the name belongs to the label, not to a session.
    owned.client.end()
    await untilStatus('taken', 503)
    expect((await serve('taken', { who: 'bob' })).reply.code).toBe('NAME_TAKEN')
    expect((await execJson(await login('bob'), `gangway-proxy rm --host taken.${info.domain}`)).reply.code).toBe('FORBIDDEN')
  })

  it('within a label: another live process is refused unless it takes over; the old session is ended and told', async () => {
    const first = await serve('twice', { instance: 'process-one', extra: ['--pid', '4242', '--cmd', 'vite', '--client', 'alice.laptop'] })
    expect(first.reply.ok).toBe(true)
    const second = await serve('twice', { instance: 'process-two' })
    expect(second.reply.code).toBe('NAME_TAKEN')
    expect(second.reply.message).toContain('pid 4242 (vite) on alice.laptop')
    const closed = new Promise<void>((r) => first.client.once('close', () => r()))
    const taken = await serve('twice', { instance: 'process-two', extra: ['--takeover'] })
    expect(taken.reply.ok).toBe(true)
    await closed // the agent ended the first process's session
    expect((await visit('twice')).status).toBe(200)
    // The first process reconnects: it is told, not let back in.
    const back = await serve('twice', { instance: 'process-one' })
    expect(back.reply.code).toBe('TAKEN_OVER')
    taken.client.end()
  })

  it('refuses a socket the caller does not hold, and binds no socket for a key anywhere it matters', async () => {
    const victim = await serve('victim')
    const bob = await login('bob')
    // bob learns the victim's token (say, from /proc/net/unix as a local user): still not his.
    const stolen = await rawShareUp(bob, info.socketDir, `bobs.${info.domain}`, { token: victim.token })
    expect(stolen.reply.code).toBe('NO_LISTENER')
    // Remote forwards onto the victim's live path, or a TCP port: refused by sshd.
    await expect(forwardSocket(bob, livePath('victim'))).rejects.toThrow()
    await expect(forwardTcp(bob, '127.0.0.1')).rejects.toThrow()
    expect((await visit('victim')).body).toContain('hello from victim')
    // The victim's session dies (SIGKILL-like): nothing of bob's can bind its live path.
    victim.client.end()
    await untilStatus('victim', 503)
    await expect(forwardSocket(bob, livePath('victim'))).rejects.toThrow()
    expect((await visit('victim')).status).toBe(503)
  })

  it('enforces --max-body', async () => {
    const small = await serve('small', { extra: ['--max-body', '1k'] })
    expect((await visit('small', { method: 'POST', body: 'x'.repeat(512) })).status).toBe(200)
    expect((await visit('small', { method: 'POST', body: 'x'.repeat(4096) })).status).toBe(413)
    small.client.end()
  })

  it('rolls a vhost back when nginx rejects the configuration; other shares keep serving', async () => {
    const keeper = await serve('keeper')
    const broken = await serve('broken')
    broken.client.end()
    // A share whose certificate vanished makes every `nginx -t` fail from now on.
    const live = join(agentConfig.certbot.liveDir, `broken.${info.domain}`)
    renameSync(join(live, 'fullchain.pem'), join(live, 'fullchain.pem.away'))
    try {
      const before = shareFiles()
      const fresh = await serve('fresh')
      expect(fresh.code).toBe(1)
      expect(fresh.reply.code).toBe('NGINX_CONFIG_REJECTED')
      expect(fresh.reply.message).toContain('fullchain.pem')
      expect(shareFiles()).toEqual(before) // no fresh.conf, no temp file left
      expect((await visit('keeper')).body).toContain('hello from keeper')
    } finally {
      renameSync(join(live, 'fullchain.pem.away'), join(live, 'fullchain.pem'))
    }
    const fresh = await serve('fresh')
    expect(fresh.reply).toMatchObject({ ok: true, certificate: 'reused', reloaded: true }) // issued before nginx said no
    expect((await visit('fresh')).body).toContain('hello from fresh')
    keeper.client.end()
  })

  it('keeps serving an old certificate when certbot fails, and fails without one', async () => {
    // Same proxy, certbot pointed at a dead ACME server.
    const deadAcme = (cfg: AgentConfig) => {
      const argv = [...cfg.certbot.argv]
      argv[argv.indexOf('--server') + 1] = 'https://127.0.0.1:1/dir'
      return { ...cfg, certbot: { ...cfg.certbot, argv } }
    }
    await withConfig(deadAcme, async () => {
      const failed = await serve('nocert')
      expect(failed.reply.code).toBe('CERTIFICATE_FAILED')
      expect(existsSync(join(agentConfig.sharesDir, `nocert.${info.domain}.conf`))).toBe(false)
      // A certificate that expires within 30 days is due for renewal: certbot runs and fails.
      const live = join(agentConfig.certbot.liveDir, `oldcert.${info.domain}`)
      await new Promise<void>((resolve, reject) =>
        execFile('sh', ['-c', 'mkdir -p "$1" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=old -keyout "$1/privkey.pem" -out "$1/fullchain.pem"', 'sh', live], (e) =>
          e ? reject(e) : resolve(),
        ),
      )
      const kept = await serve('oldcert')
      expect(kept.reply).toMatchObject({ ok: true, certificate: 'kept-old' })
      expect(String(kept.reply.warning)).toContain('certbot failed')
      kept.client.end()
    })
  })

  it('serves concurrent share-ups, each with its own socket', async () => {
    const [one, two] = await Promise.all([serve('alpha', { instance: 'again-one' }), serve('beta', { instance: 'again-two' })])
    expect([one.reply, two.reply]).toMatchObject([{ ok: true }, { ok: true }])
    expect((await visit('alpha')).body).toContain('hello from alpha')
    expect((await visit('beta')).body).toContain('hello from beta')
    one.client.end()
    two.client.end()
  })

  it('check tells a live session whether the proxy still routes the share to it', async () => {
    const share = await serve('heal')
    const check = () => execJson(share.client, `gangway-proxy check --host heal.${info.domain} --instance raw-client-1`)
    expect((await check()).reply).toMatchObject({ ok: true, serving: true })
    const vhost = join(agentConfig.sharesDir, `heal.${info.domain}.conf`)
    renameSync(vhost, `${vhost}.away`)
    expect((await check()).reply).toMatchObject({ ok: true, serving: false, reason: "the share's vhost is gone" })
    renameSync(`${vhost}.away`, vhost)
    rmSync(livePath('heal'))
    expect((await check()).reply).toMatchObject({ ok: true, serving: false, reason: "the share's socket is gone" })
    share.client.end()
  })

  it('rm: the owner removes a share nobody serves; the admin removes any, with the certificate', async () => {
    const gone = await serve('gone')
    expect((await execJson(gone.client, `gangway-proxy rm --host gone.${info.domain}`)).reply.code).toBe('NAME_IN_USE')
    gone.client.end()
    await untilStatus('gone', 503)
    const own = await login()
    const { reply } = await execJson(own, `gangway-proxy rm --host gone.${info.domain} --cert`)
    expect(reply).toMatchObject({ ok: true, removed: true, certificate: 'deleted' })
    expect(existsSync(join(agentConfig.sharesDir, `gone.${info.domain}.conf`))).toBe(false)
    expect(existsSync(livePath('gone'))).toBe(false)
    expect(existsSync(join(agentConfig.certbot.liveDir, `gone.${info.domain}`))).toBe(false)
    const hosts = ((await execJson(own, 'gangway-proxy ls')).reply.shares as Array<{ host: string }>).map((s) => s.host)
    expect(hosts).not.toContain(`gone.${info.domain}`)
    await expect(visit('gone')).rejects.toThrow() // ssl_reject_handshake for unknown names
    expect((await execJson(own, `gangway-proxy rm --host gone.${info.domain}`)).reply).toMatchObject({ ok: true, removed: false })
    // The admin removes another label's share (served or not).
    const bobs = await serve('bobs-thing', { who: 'bob' })
    expect((await admin('rm', ['--host', `bobs-thing.${info.domain}`])).removed).toBe(true)
    await expect(visit('bobs-thing')).rejects.toThrow()
    bobs.client.end()
  })

  it('limits names per label and new certificates per week', async () => {
    await withConfig((cfg) => ({ ...cfg, limits: { namesPerLabel: 1, certsPerWeek: 100 } }), async () => {
      const bob = await login('bob')
      const names = await execJson(bob, 'gangway-proxy ls')
      const ownsOne = (names.reply.shares as Array<{ owner: string }>).some((s) => s.owner === 'bob')
      if (!ownsOne) expect((await serve('bob-first', { who: 'bob' })).reply.ok).toBe(true)
      const over = await serve('bob-second', { who: 'bob' })
      expect(over.reply).toMatchObject({ code: 'LIMIT_REACHED' })
      expect(over.reply.message).toContain('bob already has 1 names')
    })
    await withConfig((cfg) => ({ ...cfg, limits: { namesPerLabel: 100, certsPerWeek: 0 } }), async () => {
      const over = await serve('bob-third', { who: 'bob' })
      expect(over.reply.code).toBe('LIMIT_REACHED')
      expect(over.reply.message).toContain('new certificates in the last 7 days')
      expect(existsSync(join(agentConfig.certbot.liveDir, `bob-third.${info.domain}`))).toBe(false)
    })
  })
})

describe('gangway-proxy access control and wildcard mode', () => {
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` })
  // As the workstation computes it (config/access.ts): bcrypt, cost 10.
  const line = bcryptLine('bob', 's3cret', `locked.gangway.test`)
  const ssha = `bob:{SSHA}${Buffer.concat([sha1('s3cret', 'saltsalt'), Buffer.from('saltsalt')]).toString('base64')}`

  it('basic auth from a bcrypt line on stdin: 401 without, 200 with, then a session cookie; a bad line writes nothing', async () => {
    const before = shareFiles()
    for (const input of ['bob:plaintext\n', `${ssha}\n`]) {
      const bad = await serve('locked', { extra: ['--auth-stdin'], input })
      expect(bad.reply.code).toBe('USAGE')
    }
    expect(shareFiles()).toEqual(before)
    const up = await serve('locked', { extra: ['--auth-stdin'], input: `${line}\n`, instance: 'locked-one' })
    expect(up.reply).toMatchObject({ ok: true, reloaded: true })
    const file = join(agentConfig.stateDir, 'auth', `locked.${info.domain}.htpasswd`)
    expect(readFileSync(file, 'utf8')).toMatch(/^bob:\$2b\$10\$[./A-Za-z0-9]{53}\n$/)
    expect(statSync(file).mode & 0o777).toBe(0o600) // the sandbox's nginx runs as its user; a proxy: 0640 nginx's group
    expect((await visit('locked')).status).toBe(401)
    expect((await visit('locked', { headers: basic('bob', 'wrong') })).status).toBe(401)
    const ok = await visit('locked', { headers: basic('bob', 's3cret') })
    expect(ok.status).toBe(200)
    const cookie = String(ok.headers['set-cookie']).split(';')[0]!
    expect(String(ok.headers['set-cookie'])).toMatch(/^gw_session=[0-9a-f]{40}; Path=\/; Max-Age=604800; Secure; HttpOnly; SameSite=Lax$/)
    expect((await visit('locked', { headers: { cookie } })).status).toBe(200) // no password check now
    expect((await visit('locked', { headers: { cookie: 'gw_session=forged' } })).status).toBe(401)
    // A reconnect with the same password: same line, same session, nothing reloaded.
    up.client.end()
    const again = await serve('locked', { extra: ['--auth-stdin'], input: `${line}\n`, instance: 'locked-one' })
    expect(again.reply).toMatchObject({ ok: true, reloaded: false })
    expect((await visit('locked', { headers: { cookie } })).status).toBe(200)
    again.client.end()
    // Shared again without auth: the password file goes, the share is open.
    const open = await serve('locked', { instance: 'locked-one' })
    expect(open.reply.ok).toBe(true)
    expect((await visit('locked')).status).toBe(200)
    expect(existsSync(file)).toBe(false)
    open.client.end()
  })

  it('an authenticated share: the app never sees the password or the session, nor a visitor\'s forged proxy headers; writes from another share\'s page are refused', async () => {
    const up = await serve('vault', { extra: ['--auth-stdin'], input: `${bcryptLine('bob', 's3cret', `vault.${info.domain}`)}\n` })
    expect(up.reply.ok).toBe(true)
    const ok = await visit('vault', { headers: basic('bob', 's3cret') })
    const session = String(ok.headers['set-cookie']).split(';')[0]!
    const forged = { 'x-forwarded-for': '6.6.6.6', 'x-client-ip': '6.6.6.6', 'true-client-ip': '6.6.6.6', 'x-gangway-held': 'id=1; attempt=1', 'x-forwarded-port': '1' }
    // The session cookie sent twice, around the app's own cookies: none of it reaches the app.
    const page = await visit('vault', { headers: { ...forged, cookie: `a=1; ${session}; b=2; ${session}; gw_session=x; c=3` } })
    expect(page.status).toBe(200)
    const seen = JSON.parse(String(page.headers['x-seen']))
    expect(seen).toEqual({ cookie: 'a=1; b=2; c=3', xff: '127.0.0.1', port: String(info.httpsPort) })
    const only = JSON.parse(String((await visit('vault', { headers: { cookie: session } })).headers['x-seen']))
    expect(only.cookie).toBeUndefined()
    // Another share of the zone is the same "site" to a browser: its page may not write here
    // with the visitor's session. This share's own pages, and senders with no page, may.
    const own = `https://vault.${info.domain}:${info.httpsPort}`
    const write = (headers: Record<string, string>) => visit('vault', { method: 'POST', body: 'x', headers: { cookie: session, ...headers } })
    expect((await write({ 'sec-fetch-site': 'same-site', origin: `https://evil.${info.domain}:${info.httpsPort}` })).status).toBe(403)
    expect((await write({ origin: `https://evil.${info.domain}:${info.httpsPort}` })).status).toBe(403)
    expect((await write({ 'sec-fetch-site': 'cross-site', origin: 'https://example.org' })).status).toBe(403)
    expect((await write({ 'sec-fetch-site': 'same-origin', origin: own })).status).toBe(200)
    expect((await write({})).status).toBe(200)
    expect((await visit('vault', { headers: { cookie: session, 'sec-fetch-site': 'same-site' } })).status).toBe(200) // a link from there: fine
    up.client.end()
  })

  it('an open share: a visitor\'s forged address headers are replaced or dropped', async () => {
    const up = await serve('plain')
    const page = await visit('plain', { headers: { 'x-forwarded-for': '6.6.6.6', 'x-client-ip': '6.6.6.6', 'true-client-ip': '6.6.6.6', 'x-gangway-held': 'id=1', authorization: 'Bearer app-token', cookie: 'gw_session=mine' } })
    // An open share's app gets its own Authorization and cookies untouched.
    expect(JSON.parse(String(page.headers['x-seen']))).toEqual({ cookie: 'gw_session=mine', authorization: 'Bearer app-token', xff: '127.0.0.1', port: String(info.httpsPort) })
    up.client.end()
  })

  it('bounds how often one label may reload nginx (LIMIT_REACHED says when to retry)', async () => {
    await withConfig((cfg) => ({ ...cfg, limits: { ...cfg.limits, reloadsPer10Min: 2 } }), async () => {
      rmSync(join(agentConfig.stateDir, 'reloads.json'), { force: true })
      const sessions = []
      for (const name of ['churn-1', 'churn-2']) {
        const up = await serve(name)
        expect(up.reply).toMatchObject({ ok: true, reloaded: true })
        sessions.push(up)
      }
      const third = await serve('churn-3')
      expect(third.reply).toMatchObject({ ok: false, code: 'LIMIT_REACHED' })
      expect(String(third.reply.message) + String(third.reply.hint)).toMatch(/try again in \d+ s/)
      // A reconnect changes nothing, so it is never limited.
      sessions[0]!.client.end()
      expect((await serve('churn-1')).reply).toMatchObject({ ok: true, reloaded: false })
      expect((await visit('churn-2')).body).toContain('hello from churn-2')
      for (const s of sessions) s.client.end()
    })
    rmSync(join(agentConfig.stateDir, 'reloads.json'), { force: true })
  })

  it('wrong passwords in a row are slowed: 429 after a burst, for that address', async () => {
    const up = await serve('guarded', { extra: ['--auth-stdin'], input: `${bcryptLine('bob', 's3cret', `guarded.${info.domain}`)}\n` })
    expect(up.reply.ok).toBe(true)
    const statuses: number[] = []
    for (let i = 0; i < 14; i++) statuses.push((await visit('guarded', { headers: basic('bob', `guess-${i}`) })).status)
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401))
    expect(statuses.slice(11)).toEqual([429, 429, 429])
    up.client.end()
  })

  it('allowlist: canonical networks only, 403 for others; indexing can be allowed', async () => {
    for (const bad of ['10.0.0.0/33', 'example.com', '1.2.3.4; deny all', '::g']) {
      expect((await serve('fenced', { extra: ['--allow', bad] })).reply.code).toBe('USAGE')
    }
    const fenced = await serve('fenced', { extra: ['--allow', '192.0.2.7/24', '--allow', '2001:db8::1'], instance: 'fence-one' })
    expect(fenced.reply).toMatchObject({ ok: true })
    expect(readFileSync(join(agentConfig.sharesDir, `fenced.${info.domain}.conf`), 'utf8')).toContain('allow 192.0.2.0/24;\n    allow 2001:db8::1/128;\n    deny all;')
    expect((await visit('fenced')).status).toBe(403)
    fenced.client.end()
    const open = await serve('fenced', { extra: ['--allow', '127.0.0.1', '--allow-indexing'], instance: 'fence-one' })
    expect(open.reply).toMatchObject({ ok: true, reloaded: true }) // changed access: the vhost changes
    const page = await visit('fenced')
    expect([page.status, page.headers['x-robots-tag']]).toEqual([200, undefined])
    open.client.end()
  })

  it('wildcard mode: one *.ZONE certificate serves every name, certbot never runs', async () => {
    const dir = join(root, 'wildcard')
    await new Promise<void>((resolve, reject) =>
      execFile('sh', ['-c', `mkdir -p "$1" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj /CN=wild -addext "subjectAltName=DNS:*.${info.domain}" -keyout "$1/privkey.pem" -out "$1/fullchain.pem"`, 'sh', dir], (e) => (e ? reject(e) : resolve())),
    )
    const wildcard = (cfg: AgentConfig): AgentConfig => ({
      ...cfg,
      certbot: { ...cfg.certbot, argv: [...cfg.certbot.argv.slice(0, -1), 'https://127.0.0.1:1/dir'] },
      zones: [{ domain: info.domain, certMode: 'wildcard', wildcardCert: { fullchain: join(dir, 'fullchain.pem'), privkey: join(dir, 'privkey.pem') } }],
    })
    await withConfig(wildcard, async () => {
      const wild = await serve('wild')
      expect(wild.reply).toMatchObject({ ok: true, certificate: 'wildcard' })
      expect((await visit('wild', { ca: readFileSync(join(dir, 'fullchain.pem')) })).body).toContain('hello from wild')
      wild.client.end()
      await untilStatus('wild', 503, 10_000, { ca: readFileSync(join(dir, 'fullchain.pem')) })
      expect((await execJson(await login(), `gangway-proxy rm --host wild.${info.domain} --cert`)).reply).toMatchObject({ ok: true, certificate: 'shared' })
      expect(existsSync(join(dir, 'fullchain.pem'))).toBe(true)
    })
  })
})

describe('gangway-proxy keys: invite, revoke, upgrade from v1', () => {
  it('revoke: the key can no longer log in, its live sessions end, its shares answer 503', async () => {
    const pair = ssh2.utils.generateKeyPairSync('ed25519')
    const keyFile = join(root, 'carol_ed25519')
    writeFileSync(keyFile, pair.private, { mode: 0o600 })
    expect(await admin('key-add', ['--label', 'carol'], `${pair.public}\n`)).toMatchObject({ ok: true, label: 'carol', changed: true })
    expect((await admin('key-add', ['--label', 'carol'], `${pair.public}\n`)).changed).toBe(false) // idempotent
    await expect(admin('key-add', ['--label', 'dave'], `${pair.public}\n`)).rejects.toMatchObject({ code: 'KEY_EXISTS' })
    const app = await origin('carol')
    const carol = await rawLogin({ host: info.sshHost, port: info.sshPort, user: info.user, identityFile: keyFile, knownHostsFile: info.knownHostsFile })
    bridgeUnix(carol, app.port)
    expect((await rawShareUp(carol, info.socketDir, `carols.${info.domain}`)).reply.ok).toBe(true)
    expect((await visit('carols')).status).toBe(200)
    // A second session of the key that serves nothing (it could forward or share later).
    const idle = await rawLogin({ host: info.sshHost, port: info.sshPort, user: info.user, identityFile: keyFile, knownHostsFile: info.knownHostsFile })
    const ended = Promise.all([carol, idle].map((c) => new Promise<void>((r) => c.once('close', () => r()))))
    expect(await admin('key-rm', ['--label', 'carol'])).toMatchObject({ ok: true, offline: [`carols.${info.domain}`] })
    await ended
    expect((await visit('carols')).status).toBe(503)
    await expect(rawLogin({ host: info.sshHost, port: info.sshPort, user: info.user, identityFile: keyFile, knownHostsFile: info.knownHostsFile })).rejects.toThrow()
    const keys = (await admin('keys')).keys as Array<{ label: string; revoked?: boolean }>
    expect(keys.find((k) => k.label === 'carol')).toMatchObject({ revoked: true })
    expect(readFileSync(sandboxLayout(info.dir).authorizedKeys, 'utf8')).not.toContain(pair.public.split(' ')[1])
  })

  it('upgrade from v1: labels old key lines from their comments and moves shares to hosts', async () => {
    const dir = join(root, 'v1')
    const cfg = { ...agentConfig, sharesDir: join(dir, 'shares'), stateDir: join(dir, 'state'), liveDir: join(dir, 'live'), authorizedKeys: join(dir, 'authorized_keys') }
    for (const d of [cfg.sharesDir, join(cfg.stateDir, 'shares'), cfg.liveDir]) mkdirSync(d, { recursive: true })
    const config = join(dir, 'agent.json')
    // nginx must not see these vhosts: test and reload are no-ops for this copy.
    writeFileSync(config, JSON.stringify({ ...cfg, nginx: { ...cfg.nginx, test: ['/bin/true'], reload: ['/bin/true'], pidFile: undefined } }))
    const alice = ssh2.utils.generateKeyPairSync('ed25519').public.split(' ').slice(0, 2).join(' ')
    const admin1 = ssh2.utils.generateKeyPairSync('ed25519').public.split(' ').slice(0, 2).join(' ')
    writeFileSync(cfg.authorizedKeys, [
      `restrict,port-forwarding,permitlisten="127.0.0.1:*",command="/usr/local/lib/gangway/gangway-shell" ${alice} gangway-tunnel alice@laptop`,
      `restrict,port-forwarding,permitlisten="127.0.0.1:*",command="/usr/local/lib/gangway/gangway-shell" ${admin1} gangway-tunnel root@vps`,
    ].join('\n') + '\n')
    writeFileSync(join(cfg.stateDir, 'shares', 'blog.json'), JSON.stringify({ client: 'alice.laptop', port: 41234, access: { auth: null, allow: [], noindex: true } }))
    writeFileSync(join(cfg.stateDir, 'shares', 'docs.json'), JSON.stringify({ client: 'someone.else', port: 41235, access: null }))
    writeFileSync(join(cfg.sharesDir, 'blog.conf'), '# gangway-proxy vhost v1 name=blog state=online port=41234\n')
    const run = (verb: string, args: string[], input?: string) =>
      new Promise<Record<string, unknown>>((resolve) =>
        execFile(PYTHON, ['-I', AGENT_SOURCE, '--config', config, verb, ...args], { env: {} }, (_e, out) => resolve(JSON.parse(String(out).trim().split('\n').pop()!))).stdin!.end(input),
      )
    const migrated = await run('migrate', ['--label', 'admin'], `${admin1} gangway-tunnel root@vps\n`)
    expect(migrated).toMatchObject({ ok: true })
    expect((migrated.changes as string[]).join('\n')).toMatch(/labelled a key alice-laptop[\s\S]*labelled a key admin[\s\S]*moved share blog to blog\.gangway\.test \(owner alice-laptop\)[\s\S]*moved share docs to docs\.gangway\.test \(owner admin\)/)
    expect(readdirSync(cfg.sharesDir).sort()).toEqual([`blog.${info.domain}.conf`, `docs.${info.domain}.conf`])
    const keysFile = readFileSync(cfg.authorizedKeys, 'utf8')
    expect(keysFile).toContain(`command="${agentConfig.tunnelCommand} alice-laptop" ${alice} gangway:alice-laptop`)
    expect(keysFile).not.toContain('permitlisten')
    expect(await run('migrate', ['--label', 'admin'])).toMatchObject({ ok: true, changes: [] }) // idempotent
  })
})

