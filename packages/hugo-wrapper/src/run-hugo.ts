/**
 * runHugo: hugo with its arguments, and for `hugo server` a Gangway share in front of it.
 * The library half of gangway-hugo: no printing besides hugo's own output, no
 * process.exit, no signal handlers — the bin owns the process.
 */
import { createServer, type AddressInfo } from 'node:net'
import { spawn } from 'node:child_process'
import { basename, resolve } from 'node:path'
import { openTunnel, pickShareName, resolveShare, toDnsLabel, type Logger, type ResolvedShare, type ShareOptions, type Tunnel } from '@gangway/core'
import { hugoCommand, isServerCommand, serverArgs, sourceDir, userPort } from './args.js'
import { HugoError } from './errors.js'
import { findHugo } from './hugo-binary.js'
import { exitCodeOf, startHugo, type HugoProcess } from './hugo-process.js'
import type { ReadyLine } from './ready-line.js'

export interface RunHugoOptions extends Omit<ShareOptions, 'logger'> {
  /** Arguments for hugo, as after `hugo` on a command line, e.g. `['server', '-D']`. @default [] */
  args?: string[]
  /** Directory hugo runs in. @default process.cwd() */
  cwd?: string
  /** The hugo executable: a name looked up on PATH, or a path. @default 'hugo' */
  hugo?: string
  /** Environment for hugo (and PATH for finding it). @default process.env */
  env?: NodeJS.ProcessEnv
  /**
   * Share name. @default env GANGWAY_NAME, else the site directory's name (`--source` or cwd)
   */
  name?: string
  /**
   * Basic auth for the share (drafts are not for everyone): `password` defaults to env
   * GANGWAY_AUTH_PASSWORD; core hashes it before it leaves this machine.
   */
  auth?: { user: string; password?: string }
  /** Where hugo's stdout goes (server only; other commands inherit stdio); false drops it. @default process.stdout */
  stdout?: NodeJS.WritableStream | false
  /** Where hugo's stderr goes; false drops it. @default process.stderr */
  stderr?: NodeJS.WritableStream | false
  /** Milliseconds between SIGINT and SIGKILL when stopping hugo. @default 5000 */
  killTimeoutMs?: number
  /** Milliseconds without a ready line before a warning is logged. @default 30000 */
  readyWarnMs?: number
  /** Aborting stops hugo and closes the share (during start-up: runHugo rejects with ABORTED). */
  signal?: AbortSignal
  /** Warnings (replaced flags) and the tunnel's log lines. @default no logging */
  logger?: Logger
}

export interface HugoRun {
  /** The hugo sub-command that runs (`server` for a share), undefined for a plain `hugo`. */
  command: string | undefined
  /** The arguments hugo was actually given. */
  args: string[]
  /** Public URL of the share (server only). */
  url: string | undefined
  share: ResolvedShare | undefined
  tunnel: Tunnel | undefined
  /** Loopback port hugo serves on (server only). */
  localPort: number | undefined
  ready: ReadyLine | undefined
  pid: number | undefined
  /** Hugo's exit code once it exits on its own or is stopped; the share is closed by then. */
  exited: Promise<number>
  /** Stops hugo (SIGINT, then SIGKILL) and closes the share; resolves with hugo's exit code. Safe to call twice. */
  close(): Promise<number>
}

/** A free TCP port on loopback, for hugo to bind right after. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolvePort(port))
    })
  })
}

/** The default share name: the site directory's name as a DNS label. */
export function siteShareName(args: readonly string[], cwd: string): string {
  return toDnsLabel(basename(resolve(cwd, sourceDir(args) ?? '.'))) || 'hugo'
}

export async function runHugo(options: RunHugoOptions = {}): Promise<HugoRun> {
  const args = options.args ?? []
  const cwd = options.cwd ?? process.cwd()
  const env = options.env ?? process.env
  const bin = findHugo(options.hugo, env, cwd)
  const { name: command } = hugoCommand(args)
  if (!isServerCommand(command)) return runPlain(bin, args, cwd, env, command, options.killTimeoutMs)

  // ── What the share will be, before hugo starts (hugo needs the URL) ──────────
  // Everything that is not the wrapper's own goes to core as share options.
  const { stdout, stderr, killTimeoutMs, signal, logger, readyWarnMs = 30_000, hugo: _h, args: _a, cwd: _c, env: _e, ...shareOptions } = options
  const name = pickShareName(options.name, () => siteShareName(args, cwd), env)
  const share = resolveShare({ ...shareOptions, name }, env)
  const localPort = userPort(args) ?? (await freePort())
  const rewritten = serverArgs(args, { port: localPort, baseURL: share.url, liveReloadPort: share.publicPort })
  for (const warning of rewritten.warnings) logger?.warn(warning)
  if (signal?.aborted) throw new HugoError('ABORTED', 'stopped before hugo started', { exitCode: 130 })

  // ── hugo, then the tunnel once hugo serves ───────────────────────────────────
  const hugo = startHugo({ bin, args: rewritten.args, cwd, env, stdout, stderr })
  const onAbort = () => void hugo.stop(killTimeoutMs)
  signal?.addEventListener('abort', onAbort, { once: true })
  let tunnel: Tunnel | undefined
  let ready: ReadyLine
  try {
    // No timeout (a big site may build for minutes), but say what we are waiting for.
    const slow = setTimeout(() => logger?.warn(`waiting for hugo's "Web Server is available at …" line (hidden by --quiet or --logLevel?)`), readyWarnMs)
    try {
      ready = await hugo.ready()
    } finally {
      clearTimeout(slow)
    }
    if (signal?.aborted) throw new Error('aborted')
    tunnel = await openTunnel({ ...shareOptions, name, port: localPort, localHost: '127.0.0.1', logger, signal })
    // core only listens to `signal` once the tunnel is up: an abort during start-up is ours to honour.
    if (signal?.aborted) {
      await tunnel.close()
      throw new Error('aborted')
    }
  } catch (err) {
    const code = await hugo.stop(killTimeoutMs)
    if (signal?.aborted) throw new HugoError('ABORTED', 'stopped before the share was up', { exitCode: code, cause: err })
    throw err
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
  return shareHandle({ hugo, tunnel, share, ready, args: rewritten.args, command, localPort, killTimeoutMs, signal })
}

interface ShareParts {
  hugo: HugoProcess
  tunnel: Tunnel
  share: ResolvedShare
  ready: ReadyLine
  args: string[]
  command: string | undefined
  localPort: number
  killTimeoutMs: number | undefined
  signal: AbortSignal | undefined
}

function shareHandle(p: ShareParts): HugoRun {
  let closing: Promise<number> | undefined
  const close = () => {
    closing ??= (async () => {
      const code = await p.hugo.stop(p.killTimeoutMs)
      await p.tunnel.close()
      return code
    })()
    return closing
  }
  // hugo ending on its own ends the share too.
  const exited = p.hugo.exited.then(
    async (code) => {
      await p.tunnel.close()
      return code
    },
    async () => {
      await p.tunnel.close()
      return 1
    },
  )
  p.signal?.addEventListener('abort', () => void close(), { once: true })
  return {
    command: p.command,
    args: p.args,
    url: p.share.url,
    share: p.share,
    tunnel: p.tunnel,
    localPort: p.localPort,
    ready: p.ready,
    pid: p.hugo.child.pid,
    exited,
    close: async () => {
      await close()
      return exited
    },
  }
}

/** Any other command: hugo with the terminal, its exit code, nothing else. */
function runPlain(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, command: string | undefined, killTimeoutMs = 5_000): Promise<HugoRun> {
  const child = spawn(bin, args, { cwd, env, stdio: 'inherit' })
  const exited = new Promise<number>((resolveExit) => {
    child.once('error', () => resolveExit(127))
    child.once('close', (code, signal) => resolveExit(exitCodeOf(code, signal)))
  })
  let closing: Promise<number> | undefined
  return Promise.resolve({
    command,
    args,
    url: undefined,
    share: undefined,
    tunnel: undefined,
    localPort: undefined,
    ready: undefined,
    pid: child.pid,
    exited,
    close: () => {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGINT')
          const timer = setTimeout(() => child.kill('SIGKILL'), killTimeoutMs)
          void exited.finally(() => clearTimeout(timer))
        }
        return exited
      })()
      return closing
    },
  })
}
