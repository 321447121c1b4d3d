/**
 * One connection's life: connect, open the loopback-only remote forward, ask the
 * proxy to point the share's vhost at it, and take the share offline on close.
 */
import type { Client as SshClient } from 'ssh2'
import { GangwayError } from '../errors.js'
import type { ResolvedTunnelOptions } from '../config/resolve.js'
import { connectSsh } from '../ssh/connect.js'
import { runAgent, type AgentReply } from '../ssh/exec.js'
import type { LocalBridge } from './local-bridge.js'

/** The remote forward binds loopback on the proxy, never a public interface. */
const BIND_ADDRESS = '127.0.0.1'

export interface Session {
  client: SshClient
  remotePort: number
  reply: AgentReply
  /** Resolves when the connection ends, with why when it was not asked to. */
  ended: Promise<Error | undefined>
  close(): Promise<void>
}

function forwardIn(client: SshClient): Promise<number> {
  return new Promise((resolve, reject) =>
    client.forwardIn(BIND_ADDRESS, 0, (err, port) =>
      err
        ? reject(new GangwayError('FORWARD_REFUSED', `the proxy refused the remote forward on ${BIND_ADDRESS}: ${err.message}`, {
            hint: 'The tunnel account must allow loopback forwards: authorized_keys needs port-forwarding and permitlisten="127.0.0.1:*", and sshd AllowTcpForwarding yes or remote (gangway setup does this).',
          }))
        : resolve(port),
    ),
  )
}

export async function openSession(opts: ResolvedTunnelOptions, bridge: LocalBridge): Promise<Session> {
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
  client.on('tcp connection', (_info, accept) => bridge.handle(accept()))

  try {
    const remotePort = await forwardIn(client)
    const { authLine, allow, noindex } = opts.access
    const reply = await runAgent(client, 'share-up', [
      '--name', opts.share.name,
      '--port', String(remotePort),
      '--client', opts.clientId,
      '--max-body', opts.maxBodySize,
      ...allow.flatMap((entry) => ['--allow', entry]),
      ...(noindex ? [] : ['--allow-indexing']),
      ...(authLine ? ['--auth-stdin'] : []),
    ], undefined, authLine && `${authLine}\n`)
    const close = async () => {
      if (closing) return
      closing = true
      try {
        // Best effort: the share shows its offline page instead of a stale upstream.
        await runAgent(client, 'share-down', ['--name', opts.share.name, '--client', opts.clientId], 10_000)
      } catch (err) {
        opts.logger?.debug?.(`share-down failed: ${(err as Error).message}`)
      }
      client.end()
      await ended
    }
    return { client, remotePort, reply, ended, close }
  } catch (err) {
    closing = true
    client.end()
    throw err
  }
}
