/** The `gangway` CLI as a user runs it: URL printed, Ctrl-C exits 0, errors exit non-zero with the fix. */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { echoHandler, listen, publicRequest, runCli, runCliToEnd, type LocalServer } from '#test-utils'

const sb = inject('sandbox')

describe('gangway http', () => {
  let local: LocalServer
  beforeAll(async () => {
    local = await listen(echoHandler())
  })
  afterAll(async () => {
    await local?.close()
  })

  it('prints the public URL, serves until Ctrl-C, then takes the share offline and exits 0', async () => {
    const run = runCli(['http', String(local.port), '--subdomain', 'cli-share'])
    const [, url] = await run.waitFor(/Public: (https:\/\/\S+)/)
    expect(url).toBe(`https://cli-share.${sb.domain}:${sb.httpsPort}/`)
    expect((await publicRequest(url!)).text).toBe('hello from local')
    run.child.kill('SIGINT')
    expect(await run.exit).toBe(0)
    expect((await publicRequest(url!)).status).toBe(503)
  })

  it('prints JSON with --json', async () => {
    const run = runCli(['http', String(local.port), '-s', 'cli-json', '--json'])
    const [line] = await run.waitFor(/\{.*\}\n/)
    expect(JSON.parse(line!)).toMatchObject({ url: `https://cli-json.${sb.domain}:${sb.httpsPort}/`, name: 'cli-json', localPort: local.port })
    run.child.kill('SIGTERM')
    expect(await run.exit).toBe(0)
  })

  it('takes flags over env over the profile', async () => {
    const run = runCli(['http', String(local.port), '-s', 'cli-flag', '--json'], { GANGWAY_NAME: 'cli-env' })
    const [line] = await run.waitFor(/\{.*\}\n/)
    expect(JSON.parse(line!).name).toBe('cli-flag')
    run.child.kill('SIGINT')
    await run.exit
    const env = runCli(['http', String(local.port), '--json'], { GANGWAY_NAME: 'cli-env' })
    const [envLine] = await env.waitFor(/\{.*\}\n/)
    expect(JSON.parse(envLine!).name).toBe('cli-env')
    env.child.kill('SIGINT')
    await env.exit
  })

  it.each([
    [['http', '70000', '-s', 'x'], /local port 70000/, 'INVALID_PORT'],
    [['http', '3000', '-s', 'a;b'], /share name "a;b"/, 'INVALID_NAME'],
    [['http', '3000', '-s', 'x', '--proxy', 'nobody@127.0.0.1:1'], /refused the connection/, 'PROXY_UNREACHABLE'],
  ])('gangway %j fails with a clear message and a non-zero exit', async (args, message, code) => {
    const r = await runCliToEnd(args as string[])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).toContain(code)
    expect(r.stderr).toContain('→')
  })

  it('says which config is missing when there is none', async () => {
    const r = await runCliToEnd(['http', '3000'], { GANGWAY_CONFIG: '/nonexistent/config.json' })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('no proxy is configured')
    expect(r.stderr).toContain('gangway sandbox up')
  })

  it('rejects usage errors with exit 2', async () => {
    expect((await runCliToEnd(['http'])).code).toBe(2)
    expect((await runCliToEnd(['frobnicate'])).code).toBe(2)
    expect((await runCliToEnd(['http', '3000', '--bogus'])).code).toBe(2)
  })
})

describe('gangway sandbox', () => {
  it('sandbox up --json on a running sandbox reuses it and prints what a client needs', async () => {
    const r = await runCliToEnd(['sandbox', 'up', '--json', '--dir', sb.dir])
    expect(r.code).toBe(0)
    const info = JSON.parse(r.stdout) as Record<string, unknown>
    expect(info).toMatchObject({ ssh: sb.target, domain: sb.domain, httpsPort: sb.httpsPort, caFile: sb.caFile, resolveTo: '127.0.0.1', profile: 'sandbox' })
  })

  it('sandbox status says when none is running, with exit 1', async () => {
    const r = await runCliToEnd(['sandbox', 'status', '--dir', `${sb.dir}-absent`])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('not running')
  })
})
