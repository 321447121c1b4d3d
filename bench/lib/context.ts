/**
 * The bench's own sandbox proxy (in a temp dir, never the user's), the user config that
 * points Gangway at it, and the one knob both sides share: sshd's cipher list.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeProfile } from '@gangway/core'
import { sandboxDown, sandboxProfile, sandboxUp, type SandboxInfo } from '@gangway/core/sandbox'
import { restartSshd } from '@gangway/core/testing'

export interface BenchContext {
  info: SandboxInfo
  tmp: string
  /** GANGWAY_CONFIG for Gangway children: the sandbox profile, as a user would have it. */
  configFile: string
  /** known_hosts both sides use; relays add their port to it. */
  knownHosts: string
  ca: Buffer
  cipher: string
  /** Makes sshd offer only `cipher`, so ssh2 and OpenSSH negotiate the same one. */
  setCipher(cipher: string): Promise<void>
  /** Lets a relay on `port` present the proxy's host key. */
  trustPort(port: number): void
  close(): Promise<void>
}

export const DEFAULT_CIPHER = 'aes128-gcm@openssh.com'

export async function benchContext(): Promise<BenchContext> {
  const tmp = mkdtempSync(join(tmpdir(), 'gangway-bench-'))
  const dir = join(tmp, 'sandbox')
  const info = await sandboxUp({ dir })
  const configFile = join(tmp, 'config.json')
  const knownHosts = join(tmp, 'known_hosts')
  writeFileSync(knownHosts, readFileSync(info.knownHostsFile))
  const hostKeyLine = readFileSync(info.knownHostsFile, 'utf8').trim().split(/\s+/).slice(1).join(' ')
  // The sandbox's own profile (socket dir included), with the bench's known_hosts.
  writeProfile(configFile, 'sandbox', { ...sandboxProfile(info), knownHostsFile: knownHosts })
  const sshdConfig = join(dir, 'ssh', 'sshd_config')
  const baseSshd = readFileSync(sshdConfig, 'utf8')
  const ctx: BenchContext = {
    info,
    tmp,
    configFile,
    knownHosts,
    ca: readFileSync(info.caFile),
    cipher: '',
    async setCipher(cipher) {
      if (ctx.cipher === cipher) return
      writeFileSync(sshdConfig, `${baseSshd}\n# bench: one cipher for both sides\nCiphers ${cipher}\n`)
      ctx.info = await restartSshd(ctx.info, { killSessions: true })
      ctx.cipher = cipher
    },
    trustPort(port) {
      appendFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKeyLine}\n`)
    },
    async close() {
      await sandboxDown({ dir })
      if (!process.env.GANGWAY_KEEP_BENCH) rmSync(tmp, { recursive: true, force: true })
    },
  }
  await ctx.setCipher(DEFAULT_CIPHER)
  return ctx
}
