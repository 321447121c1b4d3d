/**
 * The proxy admin's team commands: invite a key under a label, list the keys, revoke one.
 * They run the agent as its admin — over the admin login `gangway setup` used (sudo on
 * the proxy), or, for a sandbox, on this machine — never through a tunnel key.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import ssh2 from 'ssh2'
import { GangwayError } from '../errors.js'
import type { Logger, ShareOptions } from '../types.js'
import { resolveProxyAccess } from '../config/resolve.js'
import { LABEL } from '../proxy/agent-config.js'
import { connectSsh } from '../ssh/connect.js'
import { resolveTarget } from '../ssh/config.js'
import type { AgentReply } from '../ssh/exec.js'
import { knownHostsName, trustedHostKeys } from '../ssh/known-hosts.js'
import { Remote } from '../setup/remote.js'
import { runSandboxAgent } from '../sandbox/agent-install.js'
import { sandboxLayout } from '../sandbox/layout.js'
import type { JoinFile } from './join-file.js'

export interface AdminOptions extends ShareOptions {
  /** The admin's ssh target. @default the profile's `admin` (written by gangway setup) */
  admin?: string
  /** The admin login's key. @default ssh-agent, then ~/.ssh keys */
  adminIdentityFile?: string
  /** known_hosts for the admin login. @default ~/.ssh/known_hosts */
  adminKnownHostsFile?: string
  logger?: Logger
}

type AdminAgent = (verb: string, args?: string[], input?: string) => Promise<AgentReply>

/** Runs `fn` with the agent as admin of the profile's proxy. */
async function withAdmin<T>(options: AdminOptions, fn: (agent: AdminAgent) => Promise<T>): Promise<T> {
  const { profile } = resolveProxyAccess(options)
  const admin = options.admin ?? profile.admin
  if (!admin && profile.sandboxDir) {
    const layout = sandboxLayout(profile.sandboxDir)
    return fn((verb, args = [], input) => runSandboxAgent(layout, verb, args, input))
  }
  if (!admin) {
    throw new GangwayError('CONFIG_MISSING', 'this profile has no admin login for the proxy', {
      hint: 'Pass --admin user@host (an account with sudo on the proxy), or run these commands where gangway setup ran.',
    })
  }
  const client = await connectSsh({
    target: admin,
    identityFile: options.adminIdentityFile,
    knownHostsFile: options.adminKnownHostsFile,
    keepaliveInterval: 10,
    keepaliveCountMax: 3,
    logger: options.logger,
  })
  try {
    const remote = new Remote(client, admin)
    await remote.checkSudo()
    return await fn((verb, args = [], input) => remote.agent(verb, args, input))
  } finally {
    client.end()
  }
}

function checkLabel(label: string): void {
  if (!LABEL.test(label)) {
    throw new GangwayError('CONFIG_INVALID', `"${label}" is not a label`, { hint: 'Use 1-32 of a-z 0-9 . _ - (e.g. alice, ci-bot), starting and ending with a letter or digit.' })
  }
}

export interface InviteOptions extends AdminOptions {
  /** Where the join file goes (mode 600 when it carries a private key). */
  out: string
  /** The teammate's public key (OpenSSH .pub); without it a key pair is made here. */
  pubkeyFile?: string
  /** Replace an existing file at `out`. @default false */
  force?: boolean
}

export interface InviteResult {
  label: string
  fingerprint: string
  out: string
  /** The join file holds a private key made here: hand it over like a password. */
  containsPrivateKey: boolean
}

function publicKeyOf(options: InviteOptions): { publicKey: string; privateKey?: string } {
  if (options.pubkeyFile) {
    const line = readFileSync(options.pubkeyFile, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')
    if (!/^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,2}$/.test(line)) {
      throw new GangwayError('CONFIG_INVALID', `${options.pubkeyFile} is not an OpenSSH public key`, { hint: 'Pass the .pub file, e.g. ~/.ssh/id_ed25519.pub.' })
    }
    return { publicKey: line }
  }
  const pair = ssh2.utils.generateKeyPairSync('ed25519')
  return { publicKey: pair.public.split(' ').slice(0, 2).join(' '), privateKey: pair.private }
}

/** Registers a key under `label` on the proxy and writes the join file for its holder. */
export async function inviteKey(label: string, options: InviteOptions): Promise<InviteResult> {
  checkLabel(label)
  if (existsSync(options.out) && !options.force) {
    throw new GangwayError('CONFIG_INVALID', `${options.out} exists`, { hint: 'Pick another --out file (or pass --force to replace it).' })
  }
  const access = resolveProxyAccess(options)
  const { profile } = access
  if (!access.domain) throw new GangwayError('CONFIG_MISSING', 'the profile has no domain', { hint: 'Use the profile gangway setup wrote.' })
  // The teammate has no ssh config alias of ours: hand on the real host and its keys.
  const target = resolveTarget(access.proxy)
  const knownName = knownHostsName(target.hostName, target.port)
  const names = [knownName, knownHostsName(target.hostKeyAlias ?? target.alias, target.port)]
  const hostKeys = trustedHostKeys(access.knownHostsFile ? [access.knownHostsFile] : [], names)
  if (!hostKeys.length) {
    throw new GangwayError('CONFIG_MISSING', `no trusted host key for ${knownName} in ${access.knownHostsFile ?? 'the profile'}`, {
      hint: 'Connect once with this profile (gangway ls) so its known_hosts holds the proxy\'s key.',
    })
  }
  const key = publicKeyOf(options)
  return withAdmin(options, async (agent) => {
    const added = await agent('key-add', ['--label', label, '--comment', `invited-${label}`.slice(0, 64)], `${key.publicKey}\n`)
    const info = await agent('info')
    const join: JoinFile = {
      gangway: 'join',
      version: 1,
      label,
      proxy: `${target.user}@${target.hostName}${target.port === 22 ? '' : `:${target.port}`}`,
      knownHostsName: knownName,
      hostKeys,
      domain: access.domain!,
      zones: (info.zones as Array<{ domain: string }>).map((z) => z.domain),
      publicPort: Number(info.publicPort),
      socketDir: String(info.socketDir),
      fingerprint: String(added.fingerprint),
      ...(key.privateKey ? { privateKey: key.privateKey } : {}),
      ...(profile.caFile ? { caPem: readFileSync(profile.caFile, 'utf8') } : {}),
      ...(profile.resolveTo ? { resolveTo: profile.resolveTo } : {}),
    }
    const tmp = `${options.out}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(join, null, 2) + '\n', { mode: key.privateKey ? 0o600 : 0o644 })
    renameSync(tmp, options.out)
    return { label, fingerprint: join.fingerprint, out: options.out, containsPrivateKey: Boolean(key.privateKey) }
  })
}

export interface KeyListing {
  label: string
  fingerprint?: string
  comment?: string | null
  added?: string
  /** The label was revoked; its names stay reserved until the admin removes them. */
  revoked?: boolean
  shares: Array<{ host: string; online: boolean }>
}

export function listKeys(options: AdminOptions = {}): Promise<KeyListing[]> {
  return withAdmin(options, async (agent) => (await agent('keys')).keys as KeyListing[])
}

/** The key can no longer log in; its live sessions end and its shares go offline. */
export function revokeKey(label: string, options: AdminOptions = {}): Promise<{ label: string; offline: string[] }> {
  checkLabel(label)
  return withAdmin(options, async (agent) => {
    const reply = await agent('key-rm', ['--label', label])
    return { label, offline: reply.offline as string[] }
  })
}

/** One admin verb of the agent (e.g. `rm` of anyone's share). */
export function adminAgent(options: AdminOptions, verb: string, args: string[] = [], input?: string): Promise<AgentReply> {
  return withAdmin(options, (agent) => agent(verb, args, input))
}
