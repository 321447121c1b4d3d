/**
 * The visitor's edge (issue 11) as a visitor and as the dev server see it: what reaches
 * the app is what the proxy vouches for, visitors get HTTP/2 and TLS 1.2+, and the share's
 * password and session never reach the app.
 */
import { execFile } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openTunnel, type Tunnel } from '@gangway/core'
import { echoHandler, listen, publicRequest, type LocalServer } from '#test-utils'
import { rawTls, readAll } from './faults/helpers.js'

const sb = inject('sandbox')

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
  )
}

describe("the visitor's edge", () => {
  let local: LocalServer
  let open: Tunnel
  let locked: Tunnel
  const headersOf = async (url: string, headers: Record<string, string> = {}) =>
    (JSON.parse((await publicRequest(new URL('headers', url).href, { headers })).text) as { headers: Record<string, string> }).headers

  beforeAll(async () => {
    local = await listen(echoHandler())
    open = await openTunnel({ port: local.port, name: 'edge', localHost: '127.0.0.1' })
    locked = await openTunnel({ port: local.port, name: 'edge-locked', localHost: '127.0.0.1', auth: { user: 'viewer', password: 'a long passphrase' } })
  })
  afterAll(async () => {
    await open?.close()
    await locked?.close()
    await local?.close()
  })

  it("sends the share's own Host, whatever Host the visitor sent", async () => {
    const vouched = `edge.${sb.domain}:${sb.httpsPort}`
    // The attack from the issue: a Host that nginx routes to the share but that an app
    // parsing it as a URL authority reads as evil.example.
    const s = await rawTls(open.url)
    s.write(`GET /headers HTTP/1.1\r\nHost: edge.${sb.domain}:${sb.httpsPort}@evil.example\r\nConnection: close\r\n\r\n`)
    const answer = await readAll(s)
    if (answer.startsWith('HTTP/1.1 200')) {
      const seen = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { headers: Record<string, string> }
      expect([seen.headers.host, seen.headers['x-forwarded-host']]).toEqual([vouched, vouched])
    } else {
      expect(answer).toMatch(/^HTTP\/1\.1 400/) // or nginx refuses it outright
    }
    const seen = await headersOf(open.url, { 'x-forwarded-host': 'evil.example' })
    expect([seen.host, seen['x-forwarded-host'], seen['x-forwarded-proto']]).toEqual([vouched, vouched, 'https'])
  })

  it("passes the visitor's real address only: spoofed X-Forwarded-For, X-Real-IP and Forwarded are replaced", async () => {
    const seen = await headersOf(open.url, { 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '7.7.7.7', forwarded: 'for=8.8.8.8' })
    expect(seen['x-forwarded-for']).toBe('127.0.0.1')
    expect(seen['x-real-ip']).toBe('127.0.0.1')
    expect(seen.forwarded).toBe(`for=127.0.0.1;proto=https;host="edge.${sb.domain}:${sb.httpsPort}"`)
  })

  it("keeps the share's password and session from the app, and the app's own cookies", async () => {
    const basic = `Basic ${Buffer.from('viewer:a long passphrase').toString('base64')}`
    const first = await publicRequest(new URL('headers', locked.url).href, { headers: { authorization: basic, cookie: 'theme=dark' } })
    expect(first.status).toBe(200)
    const session = String(first.headers['set-cookie']).split(';')[0]!
    expect(session).toMatch(/^gw_session=[0-9a-f]{40}$/)
    const seen = JSON.parse(first.text).headers as Record<string, string>
    expect(seen.authorization).toBeUndefined()
    expect(seen.cookie).toBe('theme=dark')
    for (const cookie of [`${session}; theme=dark`, `theme=dark; ${session}`, `a=1; ${session}; b=2`]) {
      const res = await publicRequest(new URL('headers', locked.url).href, { headers: { cookie } })
      expect(res.status, cookie).toBe(200) // the cookie stands in for the password
      const app = JSON.parse(res.text).headers as Record<string, string>
      expect(app.cookie, cookie).toBe(cookie.replace(/(^|; )gw_session=[0-9a-f]+(; )?/, (_m, a: string, b: string) => (a && b ? '; ' : '')))
      expect(app.authorization).toBeUndefined()
    }
    expect((await publicRequest(new URL('headers', locked.url).href, { headers: { cookie: 'gw_session=0000' } })).status).toBe(401)
  })

  it('speaks HTTP/2 to visitors (and HTTP/1.1 to those who ask for it)', async () => {
    const host = new URL(open.url).host
    const base = ['-s', '-o', '/dev/null', '-w', '%{http_version}', '--cacert', sb.caFile, '--resolve', `${host}:127.0.0.1`]
    expect((await run('curl', [...base, '--http2', open.url])).stdout).toBe('2')
    expect((await run('curl', [...base, '--http1.1', open.url])).stdout).toBe('1.1')
  })

  it('refuses TLS 1.0 and 1.1; TLS 1.2 and 1.3 work', async () => {
    const connect = ['s_client', '-connect', `127.0.0.1:${sb.httpsPort}`, '-servername', new URL(open.url).hostname, '-CAfile', sb.caFile]
    for (const old of ['-tls1', '-tls1_1']) {
      const r = await run('sh', ['-c', `openssl ${[...connect, old].join(' ')} </dev/null 2>&1`])
      expect(r.stdout, old).toContain('Cipher is (NONE)') // no session: the handshake was refused
    }
    for (const [good, name] of [['-tls1_2', 'TLSv1.2'], ['-tls1_3', 'TLSv1.3']]) {
      const r = await run('sh', ['-c', `openssl ${[...connect, good].join(' ')} </dev/null 2>&1`])
      expect(r.stdout, good).toContain(`New, ${name}, Cipher is`)
      expect(r.stdout, good).toContain('Verify return code: 0 (ok)')
    }
  })
})
