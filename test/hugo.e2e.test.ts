/**
 * gangway-hugo with Debian's real hugo against the sandbox proxy (issue 5's Proof):
 * the draft at the public URL with every link and asset on the public origin, live reload
 * through the tunnel in Chromium, pass-through commands, and the failure exits.
 */
import { execFileSync } from 'node:child_process'
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { connect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchBrowser, publicRequest, runCli, waitForPublic, type Running } from '#test-utils'
import { runHugo } from '../packages/hugo-wrapper/src/index.js'

const sb = inject('sandbox')
const repo = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(repo, 'packages/hugo-wrapper/src/cli.ts')
const PLAYGROUND = join(repo, 'playground/hugo-site')

let root: string
/** A fresh copy of the playground site in a directory called `name` (the default share name). */
function siteCopy(name: string): string {
  const dir = join(root, name)
  cpSync(PLAYGROUND, dir, { recursive: true, filter: (src) => !/\/(public|resources)$|\.hugo_build\.lock$/.test(src) })
  return dir
}

function gangwayHugo(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  return runCli(args, env, BIN)
}

async function toEnd(run: Running): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const code = await run.exit
  return { code, stdout: run.stdout(), stderr: run.stderr() }
}

/** PIDs of hugo processes serving on a local port. */
function hugoPids(localPort: number): number[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
  return ps
    .split('\n')
    .filter((line) => /\bhugo server\b/.test(line) && line.includes(`--port ${localPort} `))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

/** Every href/src in an HTML page, resolved against the page's URL. */
function pageUrls(html: string, pageUrl: string): string[] {
  const found = [...html.matchAll(/\b(?:href|src)="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'))
  return [...new Set(found.map((u) => new URL(u, pageUrl).href))]
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'gangway-hugo-e2e-'))
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('gangway-hugo server', () => {
  const origin = `https://hugo-e2e.${sb.domain}:${sb.httpsPort}`
  let site: string
  let run: Running
  let localPort: number

  beforeAll(async () => {
    site = siteCopy('hugo-e2e')
    // No --subdomain: the share is named after the site directory.
    run = gangwayHugo(['server', '-D', '-s', site, '--baseURL', 'http://example.org/'])
    const [, url, port] = await run.waitFor(/Public: (https:\/\/\S+)\s+→\s+http:\/\/127\.0\.0\.1:(\d+)\//, 90_000)
    expect(url).toBe(`${origin}/`)
    localPort = Number(port)
  }, 120_000)

  afterAll(async () => {
    if (run && run.child.exitCode === null) {
      run.child.kill('SIGKILL')
      await run.exit
    }
  })

  it('passes hugo its own output and replaces the user --baseURL with a warning', () => {
    expect(run.stdout()).toContain(`Web Server is available at ${origin}/ (bind address 127.0.0.1)`)
    expect(run.stderr()).toContain(`--baseURL http://example.org/ replaced by ${origin}/`)
  })

  it('serves the draft at the public URL, noindex, with every link and asset on the public origin and loading', async () => {
    const pageUrl = `${origin}/posts/draft-post/`
    const page = await publicRequest(pageUrl)
    expect(page.status).toBe(200)
    expect(page.text).toContain('A draft post')
    expect(page.headers['x-robots-tag']).toMatch(/noindex/)
    expect(page.text).not.toMatch(/localhost|127\.0\.0\.1|example\.org/)

    const urls = pageUrls(page.text, pageUrl)
    // stylesheet, icon, canonical, nav (3), image, nested guide, parent section, live-reload script
    expect(urls.length).toBeGreaterThanOrEqual(8)
    expect(urls).toContain(`${origin}/images/gangway.png`)
    expect(urls).toContain(`${origin}/docs/guides/first-guide/`)
    expect(urls).toContain(`${origin}/livereload.js?mindelay=10&v=2&port=${sb.httpsPort}&path=livereload`)
    for (const url of urls) {
      expect(new URL(url).origin, url).toBe(origin)
      expect((await publicRequest(url)).status, url).toBe(200)
    }
    const png = await publicRequest(`${origin}/images/gangway.png`)
    expect(png.headers['content-type']).toMatch(/^image\/png/)
    expect(png.body.subarray(1, 4).toString()).toBe('PNG')
  })

  it('live reload: the websocket goes through the public host and editing the draft reloads the page', async () => {
    const browser = await launchBrowser()
    try {
      const page = await browser.context.newPage()
      const sockets: string[] = []
      const hello = new Promise<string>((resolve) => {
        page.on('websocket', (ws) => {
          sockets.push(ws.url())
          ws.on('framereceived', (frame) => {
            if (String(frame.payload).includes('hello')) resolve(ws.url())
          })
        })
      })
      await page.goto(`${origin}/posts/draft-post/`)
      const wsUrl = await Promise.race([hello, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no live-reload hello; sockets: ${sockets.join(', ')}`)), 20_000))])
      expect(new URL(wsUrl).host).toBe(`hugo-e2e.${sb.domain}:${sb.httpsPort}`)
      expect(new URL(wsUrl).protocol).toBe('wss:')
      expect(await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol)).toBe('h2')

      await page.evaluate(() => ((window as unknown as { beforeEdit: boolean }).beforeEdit = true))
      appendFileSync(join(site, 'content/posts/draft-post.md'), '\nEdited through the tunnel.\n')
      await page.waitForFunction(
        () => !(window as unknown as { beforeEdit?: boolean }).beforeEdit && document.body.innerText.includes('Edited through the tunnel.'),
        undefined,
        { timeout: 20_000 },
      )
      expect(sockets.every((u) => new URL(u).host === `hugo-e2e.${sb.domain}:${sb.httpsPort}`)).toBe(true)
    } finally {
      await browser.close()
    }
  })

  it('Ctrl-C stops hugo and the share: exit 0, no hugo process, no listener', async () => {
    const pids = hugoPids(localPort)
    expect(pids).toHaveLength(1)
    expect(await listening(localPort)).toBe(true)
    run.child.kill('SIGINT')
    expect(await run.exit).toBe(0)
    expect(alive(pids[0]!)).toBe(false)
    expect(hugoPids(localPort)).toEqual([])
    expect(await listening(localPort)).toBe(false)
    expect((await publicRequest(`${origin}/`)).status).toBe(503)
  })
})

describe('gangway-hugo: other commands and failures', () => {
  it('`gangway-hugo version` just runs hugo', async () => {
    const r = await toEnd(gangwayHugo(['version']))
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^hugo v0\.\d+/)
    expect(r.stdout).not.toContain('Public')
    expect(r.stderr).toBe('')
  })

  it('--help goes to hugo, --gangway-help is the wrapper\'s, and hugo\'s errors keep its exit code', async () => {
    const help = await toEnd(gangwayHugo(['--help']))
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('hugo is the main command')
    const own = await toEnd(gangwayHugo(['--gangway-help']))
    expect(own.code).toBe(0)
    expect(own.stdout).toContain('--subdomain NAME')
    const unknown = await toEnd(gangwayHugo(['nosuchcommand']))
    expect(unknown.code).toBe(255)
    expect(unknown.stderr).toContain('unknown command "nosuchcommand"')
  })

  it('hugo missing from PATH: how to install it, exit 127', async () => {
    // A PATH with what the tsx launcher needs, but no hugo.
    const bin = join(root, 'bin-without-hugo')
    mkdirSync(bin)
    for (const tool of ['node', 'sed', 'dirname', 'uname']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool))
    for (const args of [['server', '-D'], ['version']]) {
      const r = await toEnd(gangwayHugo(args, { PATH: bin }))
      expect(r.code).toBe(127)
      expect(r.stderr).toContain('hugo was not found on PATH')
      expect(r.stderr).toContain('sudo apt-get install hugo')
      expect(r.stderr).toContain('https://gohugo.io/installation/')
    }
  })

  it('busy explicit port: hugo\'s error and its exit code, no share', async () => {
    const blocker: Server = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      const r = await toEnd(gangwayHugo(['server', '-s', siteCopy('hugo-e2e-busy'), '-p', String(port)]))
      expect(r.code).toBe(255)
      expect(r.stderr).toContain('hugo exited with code 255 before its web server was ready')
      expect(r.stderr).toMatch(new RegExp(`│ .*127\\.0\\.0\\.1:${port}: bind: address already in use`))
      expect(r.stdout).not.toContain('Public')
    } finally {
      blocker.close()
    }
  })

  it('hugo failing at start-up (broken template): its last lines and its exit code', async () => {
    const site = siteCopy('hugo-e2e-broken')
    writeFileSync(join(site, 'layouts/_default/single.html'), '{{ define "main" }}{{ .Title }{{ end }}')
    const r = await toEnd(gangwayHugo(['server', '-D', '-s', site]))
    expect(r.code).toBe(255)
    expect(r.stderr).toContain('hugo exited with code 255 before its web server was ready. Its last output:')
    expect(r.stderr).toMatch(/│ .*single\.html/)
  })

  it('--auth USER protects the draft share: 401 without, 200 with; the password never in argv', async () => {
    const refused = await toEnd(gangwayHugo(['server', '-s', siteCopy('hugo-e2e-auth0'), '--auth', 'ann:s3cret']))
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('GANGWAY_AUTH_PASSWORD')

    const run = gangwayHugo(['server', '-D', '-s', siteCopy('hugo-e2e-auth'), '--auth', 'ann'], { GANGWAY_AUTH_PASSWORD: 's3cret-pw' })
    try {
      const [, url] = await run.waitFor(/Public: (https:\/\/\S+)/, 90_000)
      const draft = new URL('posts/draft-post/', url!).href
      expect((await publicRequest(draft)).status).toBe(401)
      const ok = await publicRequest(draft, { headers: { authorization: `Basic ${Buffer.from('ann:s3cret-pw').toString('base64')}` } })
      expect(ok.status).toBe(200)
      expect(run.stdout() + run.stderr()).not.toContain('s3cret-pw')
    } finally {
      run.child.kill('SIGINT')
      await run.exit
    }
  })

  it('hugo exiting after start-up: the share closes and gangway-hugo exits with hugo\'s code', async () => {
    const run = gangwayHugo(['server', '-s', siteCopy('hugo-e2e-exit')])
    const [, url, port] = await run.waitFor(/Public: (https:\/\/\S+)\s+→\s+http:\/\/127\.0\.0\.1:(\d+)\//, 90_000)
    const [pid] = hugoPids(Number(port))
    process.kill(pid!, 'SIGKILL') // hugo dies by itself, as after a crash
    expect(await run.exit).toBe(137)
    expect(run.stderr()).toContain('hugo exited with code 137; share closed')
    expect((await publicRequest(url!)).status).toBe(503)
  }, 120_000)

  it('SIGTERM stops hugo and the share like Ctrl-C', async () => {
    const run = gangwayHugo(['server', '-s', siteCopy('hugo-e2e-term'), '--subdomain', 'hugo-e2e-sigterm'])
    const [, url, port] = await run.waitFor(/Public: (https:\/\/\S+)\s+→\s+http:\/\/127\.0\.0\.1:(\d+)\//, 90_000)
    expect(url).toBe(`https://hugo-e2e-sigterm.${sb.domain}:${sb.httpsPort}/`)
    const [pid] = hugoPids(Number(port))
    run.child.kill('SIGTERM')
    expect(await run.exit).toBe(0)
    expect(alive(pid!)).toBe(false)
    expect(await listening(Number(port))).toBe(false)
    expect((await publicRequest(url!)).status).toBe(503)
  }, 120_000)

  it('a tunnel that cannot open stops hugo again: the proxy\'s error, exit 1, no hugo left', async () => {
    const site = siteCopy('hugo-e2e-noproxy')
    const r = await toEnd(gangwayHugo(['server', '-s', site, '--proxy', 'nobody@127.0.0.1:1']))
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('Web Server is available at') // hugo was up first
    expect(r.stderr).toContain('PROXY_UNREACHABLE')
    expect(execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })).not.toContain(site)
  })

  it('runHugo (library): hugo exiting on its own closes the share and gives hugo\'s code', async () => {
    const run = await runHugo({ args: ['server', '-s', siteCopy('hugo-e2e-lib')], stdout: false, stderr: false })
    expect(run.url).toBe(`https://hugo-e2e-lib.${sb.domain}:${sb.httpsPort}/`)
    expect((await publicRequest(run.url!)).status).toBe(200)
    process.kill(run.pid!, 'SIGKILL')
    expect(await run.exited).toBe(137)
    expect(run.tunnel!.state).toBe('closed')
    await waitForPublic(run.url!, (r) => r.status === 503)
    expect(await run.close()).toBe(137)
  })
})
