/**
 * `gangway setup` against a bare Debian VPS (test/helpers/vps.ts: its own network
 * namespace, Debian's sshd, apt from a local repo) with a pebble ACME CA on the host side
 * of its veth. The CLI runs from source with temp user configs, one per "workstation".
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import https from 'node:https'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lookupTo, openTunnel, type Tunnel } from '@gangway/core'
import { runCli, runCliToEnd, type Running } from './helpers/cli.js'
import { startVps, type Vps } from './helpers/vps.js'
import { startVpsAcme, type VpsAcme } from './helpers/vps-acme.js'

const isRoot = process.getuid?.() === 0
if (!isRoot) console.warn('setup.e2e.test.ts skipped: the VPS fixture needs root (ip netns, chroot, mounts)')

const DOMAIN = 'dev.gangway.test'
const HOLD = fileURLToPath(new URL('./helpers/hold-tunnel.ts', import.meta.url))

describe.skipIf(!isRoot)('gangway setup on a bare Debian VPS (needs root)', () => {
  let vps: Vps
  let acme: VpsAcme
  let root: string
  let configA: string
  let configB: string
  const tunnels: Tunnel[] = []
  const servers: Server[] = []
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
    for (const s of servers) s.closeAllConnections(), s.close()
    await acme?.stop()
    await vps?.stop()
    if (root) rmSync(root, { recursive: true, force: true })
  })

  const setupArgs = () => [
    'setup', `admin@${vps.host}`, '--domain', DOMAIN, '--email', 'dev@gangway.test',
    '--acme-server', acme.directoryUrl, '--acme-ca-file', acme.listenerCert,
    '--identity-file', vps.adminKey, '--known-hosts', vps.knownHostsFile,
  ]

  /** A visitor: TLS verified against pebble's root, every share name resolving to the VPS. */
  function visit(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    const lookup = lookupTo(vps.host)
    const client = url.startsWith('https:') ? https : http
    return new Promise((resolve, reject) => {
      const req = client.get(url, { ca: readFileSync(acme.caFile), lookup, headers, agent: false, timeout: 10_000 } as https.RequestOptions, (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (d: string) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      })
      req.on('timeout', () => req.destroy(new Error('timeout'))).on('error', reject)
    })
  }

  async function origin(label: string): Promise<number> {
    const server = createServer((req, res) => res.end(`hello from ${label} xff=${req.headers['x-forwarded-for']}`))
    servers.push(server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    return (server.address() as AddressInfo).port
  }

  async function share(name: string, configFile: string, clientId: string, extra: Partial<Parameters<typeof openTunnel>[0]> = {}): Promise<Tunnel> {
    const tunnel = await openTunnel({ port: await origin(name), name, configFile, clientId, ...extra })
    tunnels.push(tunnel)
    return tunnel
  }

  const sharesOnVps = async () => (await vps.exec(['sh', '-c', 'ls -la /etc/gangway/shares /var/lib/gangway/shares /var/lib/gangway/auth 2>&1'])).stdout

  it('installs and configures a bare host; a second run changes nothing and says so', async () => {
    const first = await runCliToEnd([...setupArgs(), '--json'], { GANGWAY_CONFIG: configA })
    expect(first.code, first.stderr).toBe(0)
    const report = JSON.parse(first.stdout) as { changes: string[]; proxy: string }
    expect(report.changes).toContain('installed nginx, certbot, cron')
    expect(report.proxy).toBe(`gangway@${vps.host}`)
    expect((await vps.exec(['getent', 'passwd', 'gangway'])).stdout).toMatch(/:\/var\/lib\/gangway:\/usr\/local\/lib\/gangway\/gangway-shell\n$/)
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

  describe('the tunnel key', () => {
    let client: ssh2.Client
    beforeAll(async () => {
      const [, type, blob] = readFileSync(join(root, 'ws-a', 'known_hosts'), 'utf8').split('\n')[0]!.split(' ')
      expect(type).toBeTruthy()
      client = new ssh2.Client()
      await new Promise<void>((resolve, reject) => {
        client.once('ready', resolve).once('error', reject)
        client.connect({
          host: vps.host, username: 'gangway', privateKey: readFileSync(join(root, 'ws-a', 'keys', `${DOMAIN}_ed25519`)),
          hostVerifier: (key: Buffer) => key.equals(Buffer.from(blob!, 'base64')),
        })
      })
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

    it('runs no shell command and gets no pty', async () => {
      for (const command of ['id', 'sh -c "touch /tmp/pwned"', 'gangway-proxy info; touch /tmp/pwned', '']) {
        expect(await exec(command)).toMatchObject({ code: 2, reply: { ok: false, code: 'USAGE' } })
      }
      expect((await vps.exec(['test', '-e', '/tmp/pwned'])).code).toBe(1)
      await refused(exec('gangway-proxy info', { pty: true }))
      expect((await exec('gangway-proxy info')).reply).toMatchObject({ ok: true, domain: DOMAIN })
      // sudo: exactly one rule, the agent with its fixed config.
      const rules = (await vps.exec(['sudo', '-u', 'gangway', 'sudo', '-n', '-l'])).stdout
      expect(rules.match(/NOPASSWD/g)).toHaveLength(1)
      expect(rules.replace(/\s+/g, ' ')).toContain('(root) NOPASSWD: /usr/local/lib/gangway/gangway-proxy --config /etc/gangway/agent.json --ssh-command *')
    })

    it('opens loopback remote forwards only: no public bind, no Unix socket, no local forward', async () => {
      const forwardIn = (addr: string) => new Promise<number>((res, rej) => client.forwardIn(addr, 0, (e, p) => (e ? rej(e) : res(p))))
      const port = await forwardIn('127.0.0.1')
      await new Promise<void>((res) => client.unforwardIn('127.0.0.1', port, () => res()))
      await refused(forwardIn('0.0.0.0'))
      await refused(forwardIn(vps.host))
      await refused(new Promise((res, rej) => client.openssh_forwardInStreamLocal('/tmp/gw.sock', (e) => (e ? rej(e) : res(0)))))
      await refused(new Promise((res, rej) => client.forwardOut('127.0.0.1', 0, '127.0.0.1', 22, (e, s) => (e ? rej(e) : res(s)))))
      expect((await vps.exec(['test', '-e', '/tmp/gw.sock'])).code).toBe(1)
    })

    it('writes no vhost outside the zone and refuses injected names before writing anything', async () => {
      const before = await sharesOnVps()
      const attempts: Array<[string, string]> = [
        ['gangway-proxy share-up --name evil.example.com --port 8080 --client x', 'INVALID_NAME'],
        ['gangway-proxy share-up --name evil --domain example.com --port 8080 --client x', 'USAGE'],
        ['gangway-proxy share-up --name evil --port 8080 --client x --config /tmp/evil.json', 'USAGE'],
        ["gangway-proxy share-up --name 'x;reboot' --port 8080 --client x", 'INVALID_NAME'],
        ["gangway-proxy share-up --name 'x\nserver{' --port 8080 --client x", 'INVALID_NAME'],
        ['gangway-proxy share-up --name x;reboot --port 8080 --client x', 'INVALID_NAME'], // the agent's split: one word
        ['gangway-proxy share-up --name ../../etc/nginx/x --port 8080 --client x', 'INVALID_NAME'],
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
    expect((await vps.exec(['cat', '/var/lib/gangway/auth/private.htpasswd'])).stdout).toMatch(/^alice:\{SSHA\}[A-Za-z0-9+/]+=*\n$/)
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

  it('two workstations, one name: the second is refused naming the holder; a crashed holder takes it back at once', async () => {
    const setupB = await runCliToEnd([...setupArgs(), '--json'], { GANGWAY_CONFIG: configB })
    expect(setupB.code, setupB.stderr).toBe(0)
    expect((JSON.parse(setupB.stdout) as { changes: string[] }).changes).toContain("installed /etc/gangway/tunnel_authorized_keys (this workstation's tunnel key)")

    const holder = runCli(['contested', 'A'], { GANGWAY_CONFIG: configA, GANGWAY_CLIENT_ID: 'ws-a' }, HOLD)
    children.push(holder)
    const url = (await holder.waitFor(/^online (\S+)/m, 60_000))[1]!
    expect((await visit(url)).body).toBe('hello from A')

    const refusal = share('contested', configB, 'ws-b')
    await expect(refusal).rejects.toMatchObject({ code: 'NAME_TAKEN', message: expect.stringContaining('ws-a') })

    holder.child.kill('SIGKILL') // a crash: no share-down, the sshd session and its port linger
    await holder.exit
    const t0 = Date.now()
    const back = await share('contested', configA, 'ws-a')
    expect(Date.now() - t0).toBeLessThan(5_000)
    expect((await visit(back.url)).body).toBe(`hello from contested xff=${vps.hostSideAddress}`)
  })

  it('gangway ls and rm work through the tunnel key', async () => {
    const ls = await runCliToEnd(['ls', '--json'], { GANGWAY_CONFIG: configA })
    expect(ls.code, ls.stderr).toBe(0)
    const shares = JSON.parse(ls.stdout) as Array<{ name: string; online: boolean; client: string; certExpires: string | null; url: string }>
    expect(shares.find((s) => s.name === 'hello')).toMatchObject({ online: true, client: 'ws-a', url: `https://hello.${DOMAIN}/`, certExpires: expect.stringMatching(/^\d{4}-/) })
    expect(shares.find((s) => s.name === 'listed')).toMatchObject({ access: { auth: null, allow: [`${vps.hostSideAddress}/32`], noindex: true } })
    const table = await runCliToEnd(['ls'], { GANGWAY_CONFIG: configA })
    expect(table.stdout).toMatch(/hello\s+https:\/\/hello\.dev\.gangway\.test\/\s+online\s+\d{4}-\d\d-\d\d\s+ws-a/)

    await tunnels.find((t) => t.share.name === 'hello')!.close()
    const rm = await runCliToEnd(['rm', 'hello', '--cert'], { GANGWAY_CONFIG: configB })
    expect([rm.code, rm.stdout.trim()]).toEqual([0, 'removed hello (certificate deleted)'])
    const after = JSON.parse((await runCliToEnd(['ls', '--json'], { GANGWAY_CONFIG: configA })).stdout) as Array<{ name: string }>
    expect(after.map((s) => s.name)).not.toContain('hello')
    await expect(visit(`https://hello.${DOMAIN}/`)).rejects.toThrow()
    expect((await vps.exec(['test', '-e', `/etc/letsencrypt/live/hello.${DOMAIN}`])).code).toBe(1)
  })
})
