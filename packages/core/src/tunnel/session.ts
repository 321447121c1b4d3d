/**
 * One connection's life: connect, forward a Unix socket at a random path on the proxy,
 * and ask the agent to route the share's vhost to it (share-up). The forward request and
 * the share-up exec go out back to back: sshd binds the socket before it starts the
 * command, so a share costs one round trip after the login. Closing the connection is
 * enough to take the share offline: sshd closes the listener and nginx serves the
 * offline page.
 */
import { randomBytes } from 'node:crypto'
import { basename } from 'node:path'
import type { Client as SshClient } from 'ssh2'
import { GangwayError } from '../errors.js'
import type { ResolvedTunnelOptions } from '../config/resolve.js'
import { connectSsh } from '../ssh/connect.js'
import { runAgent, type AgentReply } from '../ssh/exec.js'
import type { LocalBridge } from './local-bridge.js'

export interface Session {
  client: SshClient
  reply: AgentReply
  /** Resolves when the connection ends, with why when it was not asked to. */
  ended: Promise<Error | undefined>
  /** Asks the proxy whether it still routes the share to this session. */
  check(): Promise<{ serving: boolean; reason?: string }>
  close(): Promise<void>
}

/** The proxy's socket directory, asked once per process for profiles that do not name it. */
const socketDirs = new Map<string, Promise<string>>()

function socketDirOf(client: SshClient, opts: ResolvedTunnelOptions): Promise<string> {
  if (opts.socketDir) return Promise.resolve(opts.socketDir)
  let known = socketDirs.get(opts.share.proxy)
  if (!known) {
    known = runAgent(client, 'info', []).then((reply) => String(reply.socketDir))
    known.catch(() => socketDirs.delete(opts.share.proxy))
    socketDirs.set(opts.share.proxy, known)
  }
  return known
}

function forwardSocket(client: SshClient, path: string): Promise<void> {
  return new Promise((resolve, reject) =>
    client.openssh_forwardInStreamLocal(path, (err) =>
      err
        ? reject(new GangwayError('FORWARD_REFUSED', `the proxy refused the tunnel's socket forward (${path}): ${err.message}`, {
            hint: 'The tunnel account must allow remote socket forwards (sshd: AllowStreamLocalForwarding remote, AllowTcpForwarding remote with PermitListen none); run gangway setup again to repair it.',
          }))
        : resolve(),
    ),
  )
}

/** What `gangway ls` and a NAME_TAKEN message say about the process serving a share. */
function processWords(): string {
  const script = process.argv[1] ? basename(process.argv[1]) : ''
  const cmd = [basename(process.argv0 || 'node'), script].filter(Boolean).join(' ')
  return cmd.replace(/[^A-Za-z0-9._/@:+=, -]/g, '_').slice(0, 80) || 'node'
}

export async function openSession(opts: ResolvedTunnelOptions, bridge: LocalBridge, instance: string): Promise<Session> {
  const client = await connectSsh({
    target: opts.share.proxy,
    identityFile: opts.identityFile,
    passphrase: opts.passphrase,
    knownHostsFile: opts.knownHostsFile,
    acceptNewHostKey: opts.acceptNewHostKey,
    keepaliveInterval: opts.keepaliveInterval,
    keepaliveCountMax: opts.keepaliveCountMax,
    logger: opts.logger,
  })
  let closing = false
  let lastError: Error | undefined
  const ended = new Promise<Error | undefined>((resolve) => {
    client.on('error', (err) => (lastError = err))
    client.once('close', () => resolve(closing ? undefined : (lastError ?? new Error('the proxy closed the connection'))))
  })
  client.on('unix connection', (_info, accept) => bridge.handle(accept()))
  const host = opts.share.hostname

  try {
    const token = randomBytes(16).toString('hex')
    const forwarded = forwardSocket(client, `${await socketDirOf(client, opts)}/${token}.sock`)
    forwarded.catch(() => {}) // reported below, in preference to share-up's "no listener"
    const { authLine, allow, noindex } = opts.access
    const shared = runAgent(client, 'share-up', [
      '--host', host,
      '--socket', token,
      '--instance', instance,
      '--client', opts.clientId,
      '--pid', String(process.pid),
      '--cmd', processWords(),
      '--max-body', opts.maxBodySize,
      ...(opts.takeover ? ['--takeover'] : []),
      ...opts.hold.flatMap((rule) => ['--hold', rule]),
      ...(opts.hold.length ? ['--hold-status', String(opts.holdStatus)] : []),
      ...allow.flatMap((entry) => ['--allow', entry]),
      ...(noindex ? [] : ['--allow-indexing']),
      ...(authLine ? ['--auth-stdin'] : []),
    ], undefined, authLine && `${authLine}\n`)
    const [forward, reply] = await Promise.allSettled([forwarded, shared])
    if (forward.status === 'rejected') throw forward.reason
    if (reply.status === 'rejected') throw reply.reason
    const check = async () => {
      const answer = await runAgent(client, 'check', ['--host', host, '--instance', instance], 15_000)
      return { serving: answer.serving === true, reason: typeof answer.reason === 'string' ? answer.reason : undefined }
    }
    const close = async () => {
      if (closing) return
      closing = true
      client.end()
      await ended
    }
    return { client, reply: reply.value, ended, check, close }
  } catch (err) {
    closing = true
    client.end()
    throw err
  }
}
