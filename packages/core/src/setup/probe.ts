/**
 * What `gangway doctor` and setup's DNS check need from a proxy, in one shape for both
 * kinds: a real proxy over the admin login (commands through sudo, names resolved by the
 * proxy's own resolver), or a sandbox on this machine (its commands run here, names
 * resolved by its DNS server, the one pebble asks). The checks themselves are doctor.ts.
 */
import { execFile } from 'node:child_process'
import { lookup } from 'node:dns/promises'
import { readFile, writeFile, rm } from 'node:fs/promises'
import { Resolver } from 'node:dns/promises'
import { isIP } from 'node:net'
import { userInfo } from 'node:os'
import type { AgentConfig } from '../proxy/agent-config.js'
import { resolveTarget } from '../ssh/config.js'
import { sandboxLayout, type SandboxState } from '../sandbox/layout.js'
import { GangwayError } from '../errors.js'
import { PROXY } from './proxy-files.js'
import type { Remote, RunResult } from './remote.js'

export interface Resolved {
  v4: string[]
  v6: string[]
}

export interface ProxyProbe {
  kind: 'proxy' | 'sandbox'
  /** Where this machine reaches the proxy's public ports; also an address of the proxy (NAT). */
  reachedAt: string[]
  /** agent.json as installed. */
  config(): Promise<AgentConfig>
  /** argv as root on the proxy (the sandbox's own user for a sandbox). */
  run(argv: string[], input?: string): Promise<RunResult>
  writeFile(path: string, data: string): Promise<void>
  removeFile(path: string): Promise<void>
  /** A name as the proxy resolves it (a sandbox: as its DNS server answers). */
  resolve(name: string): Promise<Resolved>
  /** The proxy's own addresses, as it sees them (no loopback, no link-local). */
  ownAddresses(): Promise<string[]>
  /** `sshd -T` with this proxy's config file. */
  sshdTest: string[]
  tunnelUser(): Promise<string>
  /** certbot's renewal-hooks directory. */
  hooksDir(): Promise<string>
  systemd(): Promise<boolean>
}

/** Addresses this machine reaches `target`'s host at (its IP, or what its name resolves to). */
async function addressesOf(target: string): Promise<string[]> {
  const host = resolveTarget(target).hostName
  if (isIP(host)) return [host]
  return (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address)
}

// getaddrinfo on the proxy: /etc/hosts and its resolver, as certbot and visitors' CAs see it.
const RESOLVE_PY = `import json, socket, sys
out = {}
for family, key in ((socket.AF_INET, "v4"), (socket.AF_INET6, "v6")):
    try:
        out[key] = sorted({a[4][0] for a in socket.getaddrinfo(sys.argv[1], None, family, socket.SOCK_STREAM)})
    except (socket.gaierror, UnicodeError):
        out[key] = []
print(json.dumps(out))`

const usable = (a: string) => a && !/^(127\.|169\.254\.|::1$|fe80:)/i.test(a)

export async function remoteProbe(remote: Remote, adminTarget: string): Promise<ProxyProbe> {
  let cached: AgentConfig | undefined
  return {
    kind: 'proxy',
    reachedAt: await addressesOf(adminTarget),
    async config() {
      const text = await remote.readFile(PROXY.agentConfig)
      if (!text) throw new GangwayError('CONFIG_MISSING', `${PROXY.agentConfig} is missing on ${remote.where}`, { hint: 'Run gangway setup for this proxy first.' })
      return (cached ??= JSON.parse(text) as AgentConfig)
    },
    run: (argv, input) => remote.root(argv, { input, timeoutMs: 120_000 }),
    writeFile: (path, data) => remote.writeFile(path, data, '644'),
    removeFile: async (path) => void (await remote.root(['rm', '-f', '--', path])),
    async resolve(name) {
      const res = await remote.run(['/usr/bin/python3', '-I', '-c', RESOLVE_PY, name])
      try {
        return JSON.parse(res.stdout) as Resolved
      } catch {
        throw new GangwayError('SETUP_FAILED', `could not resolve ${name} on ${remote.where}: ${res.stderr.trim()}`, { hint: 'Is python3 installed on the proxy?' })
      }
    },
    async ownAddresses() {
      return (await remote.run(['hostname', '-I'])).stdout.split(/\s+/).filter(usable)
    },
    sshdTest: ['/usr/sbin/sshd', '-T'],
    async tunnelUser() {
      return (await remote.root(['stat', '-c', '%U', '--', PROXY.socketDir])).stdout.trim()
    },
    hooksDir: async () => '/etc/letsencrypt/renewal-hooks',
    systemd: () => remote.test('-d', '/run/systemd/system'),
  }
}

function runHere(argv: string[], input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(argv[0]!, argv.slice(1), { timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 127) : 0
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (err && code === 127 ? err.message : '') })
    })
    child.stdin!.end(input)
  })
}

export async function sandboxProbe(dir: string): Promise<ProxyProbe> {
  const layout = sandboxLayout(dir)
  const state = JSON.parse(await readFile(layout.stateFile, 'utf8').catch(() => '{}')) as Partial<SandboxState>
  if (!state.ports) throw new GangwayError('CONFIG_MISSING', `no sandbox in ${dir}`, { hint: 'gangway sandbox up starts one.' })
  const resolver = new Resolver({ timeout: 1000, tries: 2 })
  resolver.setServers([`127.0.0.1:${state.ports.dns}`])
  const answers = (p: Promise<string[]>) => p.catch(() => [] as string[])
  return {
    kind: 'sandbox',
    reachedAt: ['127.0.0.1'],
    config: async () => JSON.parse(await readFile(layout.agentConfig, 'utf8')) as AgentConfig,
    run: runHere,
    writeFile: (path, data) => writeFile(path, data, { mode: 0o644 }),
    removeFile: (path) => rm(path, { force: true }),
    resolve: async (name) => ({ v4: await answers(resolver.resolve4(name)), v6: await answers(resolver.resolve6(name)) }),
    // Everything of a sandbox is on loopback: that is the address its names must have.
    ownAddresses: async () => ['127.0.0.1'],
    sshdTest: ['/usr/sbin/sshd', '-T', '-f', layout.sshdConfig],
    tunnelUser: async () => userInfo().username,
    hooksDir: async () => `${layout.certbotConfig}/renewal-hooks`,
    systemd: async () => false,
  }
}
