/**
 * `gangway setup` against a bare Debian VPS (test/helpers/vps.ts: its own network
 * namespace, Debian's sshd, apt from a local repo) with a pebble ACME CA on the host side
 * of its veth. The CLI runs from source with temp user configs, one per "workstation".
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import type { IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTunnel, type Tunnel } from '@gangway/core'
import { forwardSocket, forwardTcp, rawLogin, } from './helpers/raw-ssh.js'
import { runCli, runCliToEnd, type Running } from './helpers/cli.js'
import { listen, type LocalServer } from './helpers/servers.js'
import { visitorRequest, waitForAnswer } from './helpers/visitor.js'
import { startVps, type Vps } from './helpers/vps.js'
import { startVpsAcme, type VpsAcme } from './helpers/vps-acme.js'

const isRoot = process.getuid?.() === 0
if (!isRoot) console.warn('setup.e2e.test.ts skipped: the VPS fixture needs root (ip netns, chroot, mounts)')

const DOMAIN = 'dev.gangway.test'
/** A second zone on the same proxy: exact hosts under it, its apex included. */
const ZONE_B = 'drafts.gangway.test'
const HOLD = fileURLToPath(new URL('./helpers/hold-tunnel.ts', import.meta.url))

describe.skipIf(!isRoot)('gangway setup on a bare Debian VPS (needs root)', () => {
  let vps: Vps
  let acme: VpsAcme
  let root: string
  let configA: string
  let configB: string
  const tunnels: Tunnel[] = []
  const servers: LocalServer[] = []
  const children: Running[] = []

  beforeAll(async () => {
    const t0 = Date.now()
    root = mkdtempSync(join(tmpdir(), 'gw-setup-e2e-'))
    configA = join(root, 'ws-a', 'config.json')
    configB = join(root, 'ws-b', 'config.json')
    vps = await startVps()
    acme = await startVpsAcme(vps, join(root, 'pebble'))
    console.log(`VPS ${vps.host} + pebble in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  }, 600_000)

  afterAll(async () => {
    for (const c of children) c.child.kill('SIGKILL')
    await Promise.all(tunnels.map((t) => t.close().catch(() => {})))
    await Promise.all(servers.map((s) => s.close()))
    await acme?.stop()
    await vps?.stop()
    if (root) rmSync(root, { recursive: true, force: true })
  })

  const setupArgs = () => [
    'setup', `admin@${vps.host}`, '--domain', DOMAIN, '--domain', ZONE_B, '--label', 'alice', '--email', 'dev@gangway.test',
    '--acme-server', acme.directoryUrl, '--acme-ca-file', acme.listenerCert,
    '--identity-file', vps.adminKey, '--known-hosts', vps.knownHostsFile,
  ]

  /** A visitor: TLS verified against pebble's root, every share name resolving to the VPS. */
  const visitor = () => ({ caFile: acme.caFile, resolveTo: vps.host })
  async function visit(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    const res = await visitorRequest(url, { headers, to: visitor(), timeoutMs: 10_000 })
    return { status: res.status, headers: res.headers, body: res.text }
  }

  async function origin(label: string): Promise<number> {
    const server = await listen((req, res) => res.end(`hello from ${label} xff=${req.headers['x-forwarded-for']}`))
    servers.push(server)
    return server.port
  }

  async function share(name: string, configFile: string, clientId: string, extra: Partial<Parameters<typeof openTunnel>[0]> = {}): Promise<Tunnel> {
    const tunnel = await openTunnel({ port: await origin(extra.host ?? name), name, configFile, clientId, ...extra })
    tunnels.push(tunnel)
    return tunnel
  }

  const sharesOnVps = async () => (await vps.exec(['sh', '-c', 'ls -la /etc/gangway/shares /var/lib/gangway/shares /var/lib/gangway/auth /var/lib/gangway/live 2>&1'])).stdout
  /** nginx's worker pids on the VPS: unchanged means no reload. */
  const nginxWorkers = async () => (await vps.exec(['sh', '-c', 'pgrep -P "$(cat /run/nginx.pid)" | sort'])).stdout
  const keyOf = (ws: 'ws-a' | 'ws-b', file: string) => join(root, ws, 'keys', file)
  const tunnelLogin = (identityFile: string) => rawLogin({ host: vps.host, port: 22, user: 'gangway', identityFile, knownHostsFile: join(root, 'ws-a', 'known_hosts') })

  it('installs and configures a bare host; a second run changes nothing and says so', async () => {
    const first = await runCliToEnd([...setupArgs(), '--json'], { GANGWAY_CONFIG: configA })
    expect(first.code, first.stderr).toBe(0)
    const report = JSON.parse(first.stdout) as { changes: string[]; proxy: string; label: string }
    expect(report.changes).toContain('installed nginx, certbot, cron')
    expect(report.changes.join('\n')).toContain('registered this workstation\'s tunnel key as "alice"')
    expect(report).toMatchObject({ proxy: `gangway@${vps.host}`, label: 'alice' })
    expect((await vps.exec(['getent', 'passwd', 'gangway'])).stdout).toMatch(/:\/var\/lib\/gangway:\/usr\/local\/lib\/gangway\/gangway-shell\n$/)
    expect((await vps.exec(['stat', '-c', '%a %U', '/var/lib/gangway/in', '/var/lib/gangway/live'])).stdout).toBe('700 gangway\n711 root\n')
    // Unknown hosts: 404 over HTTP, no TLS handshake over HTTPS.
    expect((await visit(`http://unknown.${DOMAIN}/`)).status).toBe(404)
    await expect(visit(`https://unknown.${DOMAIN}/`)).rejects.toThrow()

    const second = await runCliToEnd(setupArgs(), { GANGWAY_CONFIG: configA })
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toContain('proxy already set up: nothing changed')
    expect(second.stderr).not.toContain('changed:')
  }, 180_000)

  it('a share then serves HTTPS through the proxy, noindex by default, HTTP redirected', async () => {
    const tunnel = await share('hello', configA, 'ws-a')
    expect(tunnel.url).toBe(`https://hello.${DOMAIN}/`)
    const page = await visit(tunnel.url)
    expect(page.status).toBe(200)
    expect(page.body).toBe(`hello from hello xff=${vps.hostSideAddress}`)
    expect(page.headers['x-robots-tag']).toBe('noindex, nofollow')
    const plain = await visit(`http://hello.${DOMAIN}/x?y=1`)
    expect([plain.status, plain.headers.location]).toEqual([301, `https://hello.${DOMAIN}/x?y=1`])
  })

  it('two zones on one proxy: an exact host under the second and its apex, each with its certificate', async () => {
    const sub = await share('post', configA, 'ws-a', { host: `post.${ZONE_B}` })
    const apex = await share('apex', configA, 'ws-a', { host: ZONE_B })
    expect([sub.url, apex.url]).toEqual([`https://post.${ZONE_B}/`, `https://${ZONE_B}/`])
    expect((await visit(sub.url)).body).toContain(`hello from post.${ZONE_B}`)
    expect((await visit(apex.url)).body).toContain(`hello from ${ZONE_B}`)
    for (const h of [`post.${ZONE_B}`, ZONE_B]) expect((await vps.exec(['test', '-s', `/etc/letsencrypt/live/${h}/fullchain.pem`])).code, h).toBe(0)
    await expect(share('x', configA, 'ws-a', { host: 'outside.example.com' })).rejects.toMatchObject({ code: 'INVALID_HOST' })
  })

  describe('the tunnel key', () => {
    let client: ssh2.Client
    beforeAll(async () => {
      client = await tunnelLogin(keyOf('ws-a', `${DOMAIN}_ed25519`))
    })
    afterAll(() => client?.end())

    const exec = (command: string, opts: ssh2.ExecOptions = {}) =>
      new Promise<{ code: number | null; reply: { ok: boolean; code?: string; message?: string } }>((resolve, reject) =>
        client.exec(command, opts, (err, stream) => {
          if (err) return reject(err)
          let out = ''
          let code: number | null = null
          stream.on('data', (d: Buffer) => (out += d)).on('exit', (c: number) => (code = c))
          stream.stderr.on('data', () => {})
          stream.on('close', () => resolve({ code, reply: JSON.parse(out.trim().split('\n').pop() || '{}') }))
        }),
      )
    const refused = (p: Promise<unknown>) => expect(p).rejects.toThrow()

    it('runs no shell command and gets no pty; the agent acts for its label', async () => {
      for (const command of ['id', 'sh -c "touch /tmp/pwned"', 'gangway-proxy info; touch /tmp/pwned', '']) {
        expect(await exec(command)).toMatchObject({ code: 2, reply: { ok: false, code: 'USAGE' } })
      }
      expect((await vps.exec(['test', '-e', '/tmp/pwned'])).code).toBe(1)
      await refused(exec('gangway-proxy info', { pty: true }))
      expect((await exec('gangway-proxy info')).reply).toMatchObject({ ok: true, label: 'alice', domain: DOMAIN })
      expect((await exec('gangway-proxy keys')).reply).toMatchObject({ ok: false, code: 'FORBIDDEN' })
      // sudo: exactly one rule, the agent with its fixed config.
      const rules = (await vps.exec(['sudo', '-u', 'gangway', 'sudo', '-n', '-l'])).stdout
      expect(rules.match(/NOPASSWD/g)).toHaveLength(1)
      expect(rules.replace(/\s+/g, ' ')).toContain('(root) NOPASSWD: /usr/local/lib/gangway/gangway-proxy --config /etc/gangway/agent.json --label * --ssh-command *')
      // The key line carries the label; the shell refuses to pick one from the client.
      expect((await vps.exec(['cat', '/etc/gangway/tunnel_authorized_keys'])).stdout).toMatch(/^restrict,port-forwarding,command="\/usr\/local\/lib\/gangway\/gangway-shell alice" ssh-ed25519 \S+ gangway:alice$/m)
      const forged = await vps.exec(['su', '-s', '/usr/local/lib/gangway/gangway-shell', 'gangway', '-c', '/usr/local/lib/gangway/gangway-shell root'])
      expect(forged.stdout).toContain('KEY_UNLABELED')
    })

    it('opens remote socket forwards only: no TCP bind anywhere, no local forward, nothing in the live dir', async () => {
      await forwardSocket(client, '/var/lib/gangway/in/0123456789abcdef0123456789abcdef.sock')
      for (const addr of ['127.0.0.1', '0.0.0.0', vps.host]) await refused(forwardTcp(client, addr))
      await refused(forwardSocket(client, '/var/lib/gangway/live/mine.sock'))
      await refused(new Promise((res, rej) => client.forwardOut('127.0.0.1', 0, '127.0.0.1', 22, (e, s) => (e ? rej(e) : res(s)))))
      await refused(new Promise((res, rej) => client.openssh_forwardOutStreamLocal('/run/nginx.pid', (e, s) => (e ? rej(e) : res(s)))))
    })

    it('writes no vhost outside the zones and refuses injected hosts before writing anything', async () => {
      const before = await sharesOnVps()
      const tail = '--socket 0123456789abcdef0123456789abcdef --instance attack-instance'
      const attempts: Array<[string, string]> = [
        [`gangway-proxy share-up --host evil.example.com ${tail}`, 'INVALID_HOST'],
        [`gangway-proxy share-up --host a.b.${DOMAIN} ${tail}`, 'INVALID_HOST'],
        [`gangway-proxy share-up --host evil.${DOMAIN} ${tail} --config /tmp/evil.json`, 'USAGE'],
        [`gangway-proxy share-up --host evil.${DOMAIN} ${tail} --label bob`, 'USAGE'],
        [`gangway-proxy share-up --host 'x;reboot.${DOMAIN}' ${tail}`, 'INVALID_HOST'],
        [`gangway-proxy share-up --host 'x\nserver{.${DOMAIN}' ${tail}`, 'INVALID_HOST'],
        [`gangway-proxy share-up --host x;reboot.${DOMAIN} ${tail}`, 'INVALID_HOST'], // the agent's split: one word
        [`gangway-proxy share-up --host ../../etc/nginx/x ${tail}`, 'INVALID_HOST'],
        [`gangway-proxy share-up --name evil --port 8080 --client x`, 'CLIENT_OUTDATED'],
      ]
      for (const [command, code] of attempts) {
        expect({ command, ...(await exec(command)).reply }).toMatchObject({ command, ok: false, code })
      }
      expect(await sharesOnVps()).toBe(before)
      expect((await vps.exec(['nginx', '-T'])).stdout).not.toMatch(/evil|reboot|x\s*server\{/)
    })
  })

  it('basic auth (CLI --auth, password from env): 401 without, 200 with; only a salted hash on the proxy', async () => {
    const secret = 'correct horse battery staple'
    const cli = runCli(['http', String(await origin('private')), '--subdomain', 'private', '--auth', 'alice', '--no-inspect', '--json'], {
      GANGWAY_CONFIG: configA, GANGWAY_CLIENT_ID: 'ws-a', GANGWAY_AUTH_PASSWORD: secret,
    })
    children.push(cli)
    const { url } = JSON.parse((await cli.waitFor(/^\{.*\}$/m, 60_000))[0]) as { url: string }
    expect((await visit(url)).status).toBe(401)
    expect((await visit(url, { authorization: `Basic ${Buffer.from('alice:wrong').toString('base64')}` })).status).toBe(401)
    const ok = await visit(url, { authorization: `Basic ${Buffer.from(`alice:${secret}`).toString('base64')}` })
    expect([ok.status, ok.body]).toEqual([200, `hello from private xff=${vps.hostSideAddress}`])
    const htpasswd = `/var/lib/gangway/auth/private.${DOMAIN}.htpasswd`
    expect((await vps.exec(['cat', htpasswd])).stdout).toMatch(/^alice:\$2b\$10\$[./A-Za-z0-9]{53}\n$/)
    expect((await vps.exec(['stat', '-c', '%a %U:%G', htpasswd, '/var/lib/gangway/auth'])).stdout).toBe('640 root:www-data\n750 root:www-data\n')
    expect((await vps.exec(['grep', '-rlF', 'horse', '/etc', '/var/lib/gangway', '/var/log'])).stdout).toBe('')
    expect(cli.stdout() + cli.stderr()).not.toContain('horse')
    cli.child.kill('SIGINT')
    expect(await cli.exit).toBe(0)
  })

  it('allowlist: 403 from an address not on it, 200 once it is', async () => {
    const denied = await share('listed', configA, 'ws-a', { allow: ['192.0.2.0/24', '2001:db8::/32'] })
    expect((await visit(denied.url)).status).toBe(403)
    await denied.close()
    await share('listed', configA, 'ws-a', { allow: [`${vps.hostSideAddress}/32`] })
    expect((await visit(denied.url)).status).toBe(200)
  })

  it('a restart serves the same URL again with no nginx reload and no certbot', async () => {
    const first = await share('static', configA, 'ws-a')
    await first.close()
    expect((await visit(first.url)).status).toBe(503)
    const workers = await nginxWorkers()
    const certs = (await vps.exec(['stat', '-c', '%Y', `/etc/letsencrypt/live/static.${DOMAIN}/fullchain.pem`])).stdout
    const again = await share('static', configA, 'ws-a')
    expect((await visit(again.url)).status).toBe(200)
    expect(await nginxWorkers()).toBe(workers)
    expect((await vps.exec(['stat', '-c', '%Y', `/etc/letsencrypt/live/static.${DOMAIN}/fullchain.pem`])).stdout).toBe(certs)
  })

  it('the shares directory wiped under a live client (the proxy re-provisioned): the share serves again by itself', async () => {
    const live = await share('phoenix', configA, 'ws-a', { healIntervalMs: 1000 })
    expect((await visit(live.url)).status).toBe(200)
    await vps.exec(['sh', '-c', 'rm -f /etc/gangway/shares/* && nginx -s reload'])
    const page = await waitForAnswer(live.url, (r) => r.status === 200, { to: visitor(), timeoutMs: 30_000, everyMs: 250 })
    expect(page.text).toContain('hello from phoenix')
    expect(live.state).toBe('online')
  })

  it('holds a webhook while the share is offline, through a restart of the store; root-only on disk', async () => {
    const got: string[] = []
    const app = await listen((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c))
      req.on('end', () => {
        got.push(`${req.method} ${req.url} ${body} held=${String(req.headers['x-gangway-held']).split(';')[0]}`)
        res.end('ok')
      })
    })
    servers.push(app)
    const port = app.port
    const first = await openTunnel({ port, localHost: '127.0.0.1', name: 'hooks', configFile: configA, hold: ['POST:/events'] })
    await first.close()
    const held = await visitorRequest(`https://hooks.${DOMAIN}/events/slack?x=1`, { method: 'POST', body: '{"event":1}', to: visitor() })
    expect({ status: held.status, held: held.headers['x-gangway-held'] }).toEqual({ status: 200, held: '1' })
    expect((await vps.exec(['sh', '-c', 'stat -c "%a %U" /var/lib/gangway/held /var/lib/gangway/held/*/*'])).stdout.trim().split('\n')).toEqual(['700 root', '600 root', '600 root', '600 root'])
    expect((await vps.exec(['service', 'gangway-holds', 'restart'])).code).toBe(0) // the proxy restarts while holding
    const back = await openTunnel({ port, localHost: '127.0.0.1', name: 'hooks', configFile: configA, hold: ['POST:/events'] })
    tunnels.push(back)
    await expect.poll(() => got.length, { timeout: 20_000, interval: 200 }).toBeGreaterThan(0)
    expect(got).toEqual(['POST /events/slack?x=1 {"event":1} held=id=1'])
  })

  describe('a teammate with a key of their own (invite, join)', () => {
    let joinFile: string
    let bobKey: string

    it('invite writes a join file; join writes a profile that shares at once', async () => {
      joinFile = join(root, 'bob.gangway')
      const invite = await runCliToEnd(['invite', 'bob', '--out', joinFile, '--admin-identity-file', vps.adminKey, '--admin-known-hosts', vps.knownHostsFile], { GANGWAY_CONFIG: configA })
      expect(invite.code, invite.stderr).toBe(0)
      expect(invite.stdout).toContain('invited bob (SHA256:')
      expect(statSync(joinFile).mode & 0o777).toBe(0o600) // it holds a private key
      const joined = await runCliToEnd(['join', joinFile], { GANGWAY_CONFIG: configB })
      expect(joined.code, joined.stderr).toBe(0)
      expect(joined.stdout).toContain(`joined as bob: profile "${DOMAIN}" (the default)`)
      bobKey = keyOf('ws-b', `${DOMAIN}_ed25519`)
      const own = await share('bobs', configB, 'ws-b')
      expect((await visit(own.url)).body).toContain('hello from bobs')
      const keys = JSON.parse((await runCliToEnd(['keys', '--json', '--admin-identity-file', vps.adminKey, '--admin-known-hosts', vps.knownHostsFile], { GANGWAY_CONFIG: configA })).stdout) as Array<{ label: string; shares: Array<{ host: string }> }>
      expect(keys.find((k) => k.label === 'bob')?.shares.map((x) => x.host)).toEqual([`bobs.${DOMAIN}`])
    })

    it("another label's share is not bob's: NAME_TAKEN naming its owner, rm refused, a crashed owner takes it back at once", async () => {
      const holder = runCli(['contested', 'A'], { GANGWAY_CONFIG: configA, GANGWAY_CLIENT_ID: 'ws-a' }, HOLD)
      children.push(holder)
      const url = (await holder.waitFor(/^online (\S+)/m, 60_000))[1]!
      expect((await visit(url)).body).toBe('hello from A')
      await expect(share('contested', configB, 'ws-b')).rejects.toMatchObject({ code: 'NAME_TAKEN', message: expect.stringContaining('belongs to alice') })
      const rm = await runCliToEnd(['rm', 'contested'], { GANGWAY_CONFIG: configB })
      expect([rm.code, rm.stderr]).toEqual([1, expect.stringContaining('FORBIDDEN')])

      holder.child.kill('SIGKILL') // a crash: no goodbye
      await holder.exit
      // Nobody holds it now: visitors get the offline page, and neither bob's key nor a
      // local user of the proxy can put a listener where nginx sends its visitors.
      expect((await visit(url)).status).toBe(503)
      const bob = await tunnelLogin(bobKey)
      const livePath = (await vps.exec(['sh', '-c', `grep -o 'unix:[^;]*' /etc/gangway/shares/contested.${DOMAIN}.conf | cut -d: -f2`])).stdout.trim()
      await expect(forwardSocket(bob, livePath)).rejects.toThrow()
      // A local user can neither replace the dead socket nor add one: the directory is root's.
      const asNobody = (code: string) => vps.exec(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', 'python3', '-c', code])
      expect((await asNobody(`import os; os.unlink(${JSON.stringify(livePath)})`)).stderr).toContain('PermissionError')
      expect((await asNobody(`import socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(livePath)})`)).stderr).toMatch(/Address already in use|PermissionError/)
      expect((await asNobody(`import socket; s=socket.socket(socket.AF_UNIX); s.bind("/var/lib/gangway/live/x.sock")`)).stderr).toContain('PermissionError')
      expect((await asNobody('import os; os.listdir("/var/lib/gangway/live")')).stderr).toContain('PermissionError')
      expect((await visit(url)).status).toBe(503)
      bob.end()

      const t0 = Date.now()
      const back = await share('contested', configA, 'ws-a')
      expect(Date.now() - t0).toBeLessThan(5_000)
      expect((await visit(back.url)).body).toBe(`hello from contested xff=${vps.hostSideAddress}`)
      // A local user cannot reach the live share's dev server around nginx (and its password).
      expect((await asNobody(`import socket; s=socket.socket(socket.AF_UNIX); s.connect(${JSON.stringify(livePath)})`)).stderr).toContain('PermissionError')
    })

    it('revoke: the key can no longer log in, its sessions end (an idle one too), its shares answer 503', async () => {
      const idle = await tunnelLogin(bobKey)
      const idleEnded = new Promise<void>((r) => idle.once('close', () => r()))
      const res = await runCliToEnd(['revoke', 'bob', '--admin-identity-file', vps.adminKey, '--admin-known-hosts', vps.knownHostsFile], { GANGWAY_CONFIG: configA })
      expect([res.code, res.stdout.trim()]).toEqual([0, `revoked bob; offline now: bobs.${DOMAIN}`])
      expect((await visit(`https://bobs.${DOMAIN}/`)).status).toBe(503)
      await expect(tunnelLogin(bobKey)).rejects.toThrow()
      const tunnel = tunnels.find((t) => t.share.name === 'bobs')!
      await new Promise((r) => setTimeout(r, 2000))
      expect(tunnel.state).not.toBe('online')
      await idleEnded
    })
  })

  it('gangway ls and rm work through the tunnel key', async () => {
    const ls = await runCliToEnd(['ls', '--json'], { GANGWAY_CONFIG: configA })
    expect(ls.code, ls.stderr).toBe(0)
    const shares = JSON.parse(ls.stdout) as Array<{ host: string; online: boolean; owner: string; holder: { client: string } | null; certExpires: string | null; url: string }>
    expect(shares.find((s) => s.host === `hello.${DOMAIN}`)).toMatchObject({ online: true, owner: 'alice', holder: { client: 'ws-a' }, url: `https://hello.${DOMAIN}/`, certExpires: expect.stringMatching(/^\d{4}-/) })
    expect(shares.find((s) => s.host === `listed.${DOMAIN}`)).toMatchObject({ access: { auth: null, allow: [`${vps.hostSideAddress}/32`], noindex: true } })
    const table = await runCliToEnd(['ls'], { GANGWAY_CONFIG: configA })
    expect(table.stdout).toMatch(/hello\.dev\.gangway\.test\s+https:\/\/hello\.dev\.gangway\.test\/\s+online\s+alice\s+.*on ws-a\s+\d{4}-\d\d-\d\d/)

    await tunnels.find((t) => t.share.name === 'hello')!.close()
    const rm = await runCliToEnd(['rm', 'hello', '--cert'], { GANGWAY_CONFIG: configA })
    expect([rm.code, rm.stdout.trim()]).toEqual([0, `removed hello (certificate deleted)`])
    const after = JSON.parse((await runCliToEnd(['ls', '--json'], { GANGWAY_CONFIG: configA })).stdout) as Array<{ host: string }>
    expect(after.map((s) => s.host)).not.toContain(`hello.${DOMAIN}`)
    await expect(visit(`https://hello.${DOMAIN}/`)).rejects.toThrow()
    expect((await vps.exec(['test', '-e', `/etc/letsencrypt/live/hello.${DOMAIN}`])).code).toBe(1)
  })
})
