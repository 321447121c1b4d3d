/**
 * The proxy as any key holder reaches it with a bare ssh2 client (no Gangway code): log in,
 * forward a socket, run agent verbs, bridge forwarded connections to a local port. Tests
 * use it as a minimal honest client and as an attacker holding a tunnel key.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import ssh2 from 'ssh2'

export interface LoginTarget {
  host: string
  port: number
  user: string
  identityFile: string
  knownHostsFile: string
}

/** A login with the host key checked against the known_hosts file's first key. */
export async function rawLogin(t: LoginTarget): Promise<ssh2.Client> {
  const blob = readFileSync(t.knownHostsFile, 'utf8').trim().split('\n')[0]!.split(/\s+/)[2]!
  const client = new ssh2.Client()
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject)
    client.connect({
      host: t.host,
      port: t.port,
      username: t.user,
      privateKey: readFileSync(t.identityFile),
      hostVerifier: (key: Buffer) => key.equals(Buffer.from(blob, 'base64')),
    })
  })
  client.on('error', () => {})
  return client
}

export function forwardSocket(client: ssh2.Client, path: string): Promise<void> {
  return new Promise((resolve, reject) => client.openssh_forwardInStreamLocal(path, (err) => (err ? reject(err) : resolve())))
}

export function forwardTcp(client: ssh2.Client, address: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => client.forwardIn(address, port, (err, bound) => (err ? reject(err) : resolve(bound))))
}

export interface ExecReply {
  code: number | null
  reply: Record<string, unknown> & { ok: boolean; code?: string; message?: string }
}

/** Runs a command (the forced command decides what really runs); parses the JSON answer. */
export function execJson(client: ssh2.Client, command: string, input?: string): Promise<ExecReply> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err)
      let out = ''
      let code: number | null = null
      stream.on('data', (d: Buffer) => (out += d.toString()))
      stream.stderr.resume()
      stream.on('exit', (c: number | null) => (code = c))
      stream.on('close', () => {
        try {
          resolve({ code, reply: JSON.parse(out.trim().split('\n').pop() ?? '') })
        } catch {
          reject(new Error(`no JSON reply to ${command}: ${out}`))
        }
      })
      stream.end(input)
    })
  })
}

/** Pipes every connection that arrives through the client's socket forwards to a local port. */
export function bridgeUnix(client: ssh2.Client, localPort: number): void {
  client.on('unix connection', (_info, accept) => {
    const channel = accept()
    const socket = connect(localPort, '127.0.0.1')
    channel.pipe(socket).pipe(channel)
    socket.on('error', () => channel.close())
    channel.on('error', () => socket.destroy())
  })
}

export interface RawShare extends ExecReply {
  token: string
}

/** A share the way Gangway's client makes one: forward TOKEN.sock, then share-up. */
export async function rawShareUp(
  client: ssh2.Client,
  socketDir: string,
  host: string,
  options: { instance?: string; extra?: string[]; input?: string; token?: string } = {},
): Promise<RawShare> {
  const token = options.token ?? randomBytes(16).toString('hex')
  if (!options.token) await forwardSocket(client, `${socketDir}/${token}.sock`)
  const words = ['gangway-proxy', 'share-up', '--host', host, '--socket', token, '--instance', options.instance ?? 'raw-client-1', ...(options.extra ?? [])]
  return { token, ...(await execJson(client, words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' '), options.input)) }
}
