/**
 * Runs Gangway's proxy command over an open connection. The command line is built
 * from argv with POSIX single quoting; the agent answers with one JSON line.
 */
import type { Client as SshClient } from 'ssh2'
import { GangwayError, type GangwayErrorCode } from '../errors.js'

/** Quotes one argument for a POSIX shell: safe for any byte string. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_/.:=@%+-]+$/.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

export function buildCommand(argv: string[]): string {
  return argv.map(shellQuote).join(' ')
}

export interface ExecResult {
  code: number | null
  stdout: string
  stderr: string
}

/** `input` goes to the command's stdin: the one channel for secrets (argv shows in `ps`). */
export function execArgv(client: SshClient, argv: string[], timeoutMs = 120_000, input?: string): Promise<ExecResult> {
  const command = buildCommand(argv)
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) {
        reject(new GangwayError('PROXY_COMMAND_FAILED', `the proxy refused to run its Gangway command: ${err.message}`, {
          hint: 'Is this account set up for Gangway (gangway setup)? The tunnel key must be allowed to run gangway-proxy.',
          cause: err,
        }))
        return
      }
      let stdout = ''
      let stderr = ''
      const timer = setTimeout(() => {
        stream.close()
        reject(new GangwayError('PROXY_COMMAND_FAILED', `the proxy command "${argv[1]}" took longer than ${timeoutMs / 1000}s`, {
          hint: 'Check nginx and certbot on the proxy (gangway-proxy logs to its state directory).',
        }))
      }, timeoutMs)
      stream.setEncoding('utf8')
      stream.on('data', (d: string) => (stdout += d))
      stream.stderr.setEncoding('utf8')
      stream.stderr.on('data', (d: string) => (stderr += d))
      if (input !== undefined) stream.end(input)
      stream.on('close', (code: number | null) => {
        clearTimeout(timer)
        resolve({ code, stdout, stderr })
      })
    })
  })
}

export interface AgentReply {
  ok: boolean
  code?: string
  message?: string
  hint?: string
  [key: string]: unknown
}

/** Codes the agent answers with that are ours too; any other becomes PROXY_COMMAND_FAILED. */
const KNOWN_CODES = new Set<string>([
  'INVALID_NAME', 'INVALID_HOST', 'NAME_TAKEN', 'TAKEN_OVER', 'NAME_IN_USE', 'LIMIT_REACHED', 'FORBIDDEN', 'KEY_UNLABELED',
  'KEY_EXISTS', 'LABEL_EXISTS', 'NO_SUCH_LABEL', 'NO_LISTENER', 'CLIENT_OUTDATED', 'PROXY_DISK_FULL',
  'NGINX_CONFIG_REJECTED', 'CERTIFICATE_FAILED', 'PROXY_COMMAND_FAILED',
  'DNS_AUTH_FAILED', 'DNS_ZONE_REFUSED', 'DNS_PROPAGATION_TIMEOUT',
])

/** Turns the agent's JSON reply into a value or a GangwayError (any transport: ssh, local). */
export function agentReply(verb: string, res: ExecResult): AgentReply {
  const last = res.stdout.trim().split('\n').pop() ?? ''
  let reply: AgentReply | undefined
  try {
    reply = JSON.parse(last) as AgentReply
  } catch {
    reply = undefined
  }
  if (!reply || typeof reply.ok !== 'boolean') {
    const tail = (res.stderr || res.stdout).trim().split('\n').slice(-10).join('\n')
    throw new GangwayError('PROXY_COMMAND_FAILED', `the proxy's Gangway command "${verb}" failed (exit ${res.code})${tail ? ':\n' + tail : ''}`, {
      hint: 'Is gangway-proxy installed on the proxy and is this the tunnel key? Run gangway setup again to repair it.',
    })
  }
  if (!reply.ok) {
    const code = (KNOWN_CODES.has(reply.code ?? '') ? reply.code : 'PROXY_COMMAND_FAILED') as GangwayErrorCode
    throw new GangwayError(code, reply.message ?? `proxy command ${verb} failed`, { hint: reply.hint })
  }
  return reply
}

/** Runs `gangway-proxy VERB ...` and returns its JSON reply, or throws its error. */
export async function runAgent(client: SshClient, verb: string, args: string[], timeoutMs?: number, input?: string): Promise<AgentReply> {
  return agentReply(verb, await execArgv(client, ['gangway-proxy', verb, ...args], timeoutMs, input))
}
