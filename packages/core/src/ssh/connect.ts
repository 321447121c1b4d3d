/**
 * Opens an authenticated ssh2 connection to the proxy with strict host-key checking,
 * keepalive on, and every failure turned into a GangwayError that says what to do.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import type { Client as SshClient, ConnectConfig } from 'ssh2'
import { GangwayError } from '../errors.js'
import type { Logger } from '../types.js'
import { authHandler, planAuth } from './auth.js'
import { resolveTarget, type SshTarget } from './config.js'
import { addKnownHost, checkHostKey, fingerprint, keyType, knownHostsName } from './known-hosts.js'
import { connectCoalescing } from './coalescing-socket.js'

const { Client } = ssh2
export type { SshClient }

export interface ConnectOptions {
  target: string
  identityFile?: string
  passphrase?: string
  knownHostsFile?: string
  acceptNewHostKey?: boolean
  keepaliveInterval: number
  keepaliveCountMax: number
  readyTimeoutMs?: number
  logger?: Logger
  /** ssh config files, for tests. */
  sshConfigFiles?: string[]
}

/** AES-GCM first: hardware AES makes it the fastest cipher on both ends. */
const CIPHERS = [
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'chacha20-poly1305@openssh.com',
  'aes128-ctr',
  'aes256-ctr',
] as const

export async function connectSsh(options: ConnectOptions): Promise<SshClient> {
  const target = resolveTarget(options.target, { configFiles: options.sshConfigFiles })
  let sock: NodeJS.ReadableStream | undefined
  let jump: SshClient | undefined
  if (target.proxyJump) {
    jump = await connectSsh({ ...options, target: target.proxyJump, identityFile: options.identityFile })
    sock = await new Promise((resolve, reject) =>
      jump!.forwardOut('127.0.0.1', 0, target.hostName, target.port, (err, stream) =>
        err
          ? reject(new GangwayError('PROXY_UNREACHABLE', `jump host ${target.proxyJump} could not reach ${target.hostName}:${target.port}: ${err.message}`, {
              hint: 'Check the ProxyJump host and that it may connect to the proxy.',
            }))
          : resolve(stream),
      ),
    )
  }
  try {
    const client = await handshake(target, options, sock)
    if (jump) client.once('close', () => jump!.end())
    return client
  } catch (err) {
    jump?.end()
    throw err
  }
}

function handshake(target: SshTarget, options: ConnectOptions, sock?: NodeJS.ReadableStream): Promise<SshClient> {
  const plan = planAuth({
    username: target.user,
    identityFile: options.identityFile,
    configIdentityFiles: target.identityFiles,
    passphrase: options.passphrase,
    agentSocket: process.env.SSH_AUTH_SOCK || undefined,
  })
  const knownHostsFiles = options.knownHostsFile
    ? [options.knownHostsFile]
    : target.knownHostsFiles.length
      ? target.knownHostsFiles
      : [join(homedir(), '.ssh', 'known_hosts'), join(homedir(), '.ssh', 'known_hosts2')]
  const lookupName = knownHostsName(target.hostKeyAlias ?? target.alias, target.port)
  const names = [lookupName]
  if (!target.hostKeyAlias && target.hostName !== target.alias) names.push(knownHostsName(target.hostName, target.port))
  const where = `${target.hostName}:${target.port}`

  return new Promise((resolve, reject) => {
    const client = new Client()
    let hostKeyError: GangwayError | undefined
    let settled = false
    const fail = (err: GangwayError) => {
      if (settled) return
      settled = true
      client.removeAllListeners('ready')
      client.on('error', () => {})
      client.end()
      reject(err)
    }

    const config: ConnectConfig = {
      host: target.hostName,
      port: target.port,
      username: target.user,
      // Our own TCP socket unless a ProxyJump channel carries the connection: it sends all
      // packets of one event-loop turn in one writev (see coalescing-socket.ts).
      sock: (sock ?? connectCoalescing({ host: target.hostName, port: target.port })) as ConnectConfig['sock'],
      keepaliveInterval: options.keepaliveInterval * 1000,
      keepaliveCountMax: options.keepaliveCountMax,
      readyTimeout: options.readyTimeoutMs ?? 15_000,
      algorithms: { cipher: [...CIPHERS] as ConnectConfig['algorithms'] extends { cipher?: infer C } ? C : never },
      authHandler: authHandler(plan) as ConnectConfig['authHandler'],
      hostVerifier: (key: Buffer) => {
        const check = checkHostKey(knownHostsFiles, names, key)
        const fp = fingerprint(key)
        if (check.result === 'known') return true
        if (check.result === 'unknown' && options.acceptNewHostKey) {
          addKnownHost(knownHostsFiles[0]!, lookupName, key)
          options.logger?.warn(`Trusted new host key for ${lookupName} (${keyType(key)} ${fp}), saved to ${knownHostsFiles[0]}`)
          return true
        }
        if (check.result === 'unknown') {
          hostKeyError = new GangwayError('HOST_KEY_UNKNOWN', `the proxy ${lookupName} is not in ${knownHostsFiles.join(' or ')}; its ${keyType(key)} key is ${fp}`, {
            hint: `If that fingerprint is your proxy's (check on the proxy: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), trust it with: ssh-keyscan -p ${target.port} ${target.hostName} >> ${knownHostsFiles[0]}  — or pass --accept-new-host-key once.`,
          })
        } else {
          hostKeyError = new GangwayError(
            'HOST_KEY_CHANGED',
            `WARNING: the host key of ${lookupName} has CHANGED. It now presents ${keyType(key)} ${fp}; ${check.result === 'revoked' ? 'that key is marked @revoked' : `on file: ${check.knownFingerprints.join(', ')}`} (${check.locations.join(', ')}). Someone could be intercepting the connection.`,
            { hint: `If the proxy was really reinstalled, remove the old entry with: ssh-keygen -R "${lookupName}" -f ${knownHostsFiles[0]} — then connect again.` },
          )
        }
        return false
      },
    }

    client.once('ready', () => {
      settled = true
      client.removeAllListeners('error')
      // Later errors (keepalive timeout, resets) surface through 'close'; keep one listener so
      // they never become an unhandled 'error' that kills the host process.
      client.on('error', (err) => options.logger?.debug?.(`ssh: ${err.message}`))
      resolve(client)
    })
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (hostKeyError) return fail(hostKeyError)
      if (err.level === 'client-authentication') {
        const tried = plan.methods.map((m) => (m.type === 'agent' ? 'ssh-agent' : m.file))
        return fail(new GangwayError('AUTH_FAILED', `the proxy ${where} refused the login as "${target.user}" (tried: ${tried.join(', ') || 'no keys'})${plan.notes.length ? '; ' + plan.notes.join('; ') : ''}`, {
          hint: 'Check the user and that this key is in the proxy account\'s authorized_keys (gangway setup installs it); set identityFile / GANGWAY_IDENTITY_FILE to the tunnel key.',
        }))
      }
      if (err.level === 'client-timeout') {
        return fail(new GangwayError('PROXY_UNREACHABLE', `the proxy ${where} did not complete the SSH handshake in time`, {
          hint: 'Check that sshd is running there and that nothing blocks the port.',
          cause: err,
        }))
      }
      if (err.level === 'client-socket' || err.code) {
        const what = err.code === 'ECONNREFUSED' ? 'refused the connection' : err.code === 'ENOTFOUND' ? 'has no DNS address' : `is not reachable (${err.code ?? err.message})`
        return fail(new GangwayError('PROXY_UNREACHABLE', `the proxy ${where} ${what}`, {
          hint: 'Check the proxy address and port (GANGWAY_PROXY or your profile) and that sshd is running there.',
          cause: err,
        }))
      }
      fail(new GangwayError('PROXY_REFUSED', `SSH with ${where} failed: ${err.message}`, {
        hint: 'Check that the proxy runs OpenSSH and accepts this client\'s algorithms.',
        cause: err,
      }))
    })
    client.once('close', () =>
      fail(hostKeyError ?? new GangwayError('PROXY_REFUSED', `the proxy ${where} closed the connection during the handshake`, { hint: 'Check sshd\'s log on the proxy.' })),
    )
    client.connect(config)
    // Nagle off: a small response would otherwise wait for the ACK of the previous packet
    // (a delayed ACK, up to 40 ms). Tunnel traffic is request/response: send at once. Our
    // socket is created with it; this covers any other socket (a ProxyJump channel has no
    // such option; ssh2 skips it).
    client.setNoDelay(true)
  })
}
