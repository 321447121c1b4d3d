/**
 * One hugo child process: its output passed through unchanged while the last lines are
 * kept (so a crash explains itself), its ready line noticed, and a stop that asks with
 * SIGINT and insists with SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { constants } from 'node:os'
import { HugoError } from './errors.js'
import { INSTALL_HINT } from './hugo-binary.js'
import { parseReadyLine, plain, type ReadyLine } from './ready-line.js'

export interface HugoProcessOptions {
  /** Absolute path of the hugo executable. */
  bin: string
  args: string[]
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Where hugo's stdout goes; false drops it. @default process.stdout */
  stdout?: NodeJS.WritableStream | false
  /** Where hugo's stderr goes; false drops it. @default process.stderr */
  stderr?: NodeJS.WritableStream | false
  /** Lines of output kept for error messages. @default 20 */
  tailLines?: number
}

export interface HugoProcess {
  readonly child: ChildProcess
  /** Resolves with hugo's exit code (128 + signal number when a signal ended it). */
  readonly exited: Promise<number>
  /** Whether hugo has exited. */
  readonly done: boolean
  /** The last lines hugo printed, colour codes stripped. */
  tail(): string[]
  /** Resolves at hugo's ready line; rejects (HUGO_EXITED, with the tail) if hugo exits first. */
  ready(): Promise<ReadyLine>
  /** SIGINT, then SIGKILL after `graceMs`; resolves with the exit code. Safe to call twice. */
  stop(graceMs?: number): Promise<number>
}

export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code
  return 128 + (signal ? (constants.signals[signal] ?? 0) : 0)
}

export function startHugo(options: HugoProcessOptions): HugoProcess {
  const keep = options.tailLines ?? 20
  const lines: string[] = []
  const partial = { stdout: '', stderr: '' }
  let readyLine: ReadyLine | undefined
  const readyWaiters: Array<(line: ReadyLine) => void> = []
  let done = false
  let exitCode = 0

  const child = spawn(options.bin, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })

  const onLine = (line: string) => {
    const text = plain(line).replace(/\r$/, '')
    if (text.trim() !== '') {
      lines.push(text)
      if (lines.length > keep) lines.shift()
    }
    if (!readyLine) {
      const ready = parseReadyLine(text)
      if (ready) {
        readyLine = ready
        for (const wake of readyWaiters.splice(0)) wake(ready)
      }
    }
  }
  const watch = (name: 'stdout' | 'stderr', sink: NodeJS.WritableStream | false | undefined) => {
    const target = sink === undefined ? process[name] : sink
    child[name]!.on('data', (chunk: Buffer) => {
      if (target) target.write(chunk)
      const parts = (partial[name] + chunk.toString('utf8')).split('\n')
      partial[name] = parts.pop()!
      for (const line of parts) onLine(line)
    })
  }
  watch('stdout', options.stdout)
  watch('stderr', options.stderr)

  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      done = true
      exitCode = err.code === 'ENOENT' || err.code === 'EACCES' ? 127 : 1
      reject(
        new HugoError('HUGO_NOT_FOUND', `could not start ${options.bin}: ${err.message}`, {
          hint: INSTALL_HINT,
          exitCode,
          cause: err,
        }),
      )
    })
    // Prefer 'close' (all output read), but a grandchild holding hugo's pipes must not
    // keep us waiting: after 'exit', give the pipes a moment, then stop reading.
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (done) return
      done = true
      for (const name of ['stdout', 'stderr'] as const) if (partial[name]) onLine(partial[name])
      exitCode = exitCodeOf(code, signal)
      resolve(exitCode)
    }
    child.once('close', finish)
    child.once('exit', (code, signal) => {
      setTimeout(() => {
        if (done) return
        child.stdout?.destroy()
        child.stderr?.destroy()
        finish(code, signal)
      }, 500).unref()
    })
  })
  exited.catch(() => undefined) // observed through ready()/stop(); never an unhandled rejection

  let stopping: Promise<number> | undefined
  const handle: HugoProcess = {
    child,
    exited,
    get done() {
      return done
    },
    tail: () => [...lines],
    ready: () =>
      new Promise<ReadyLine>((resolve, reject) => {
        if (readyLine) return resolve(readyLine)
        readyWaiters.push(resolve)
        exited.then(
          (code) => {
            if (readyLine) return
            reject(
              new HugoError('HUGO_EXITED', `hugo exited with code ${code} before its web server was ready. Its last output:`, {
                exitCode: code,
                output: [...lines],
              }),
            )
          },
          reject,
        )
      }),
    stop: (graceMs = 5_000) => {
      if (stopping) return stopping
      stopping = (async () => {
        if (done) return exited.catch(() => exitCode)
        child.kill('SIGINT')
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
        try {
          return await exited
        } catch {
          return exitCode
        } finally {
          clearTimeout(timer)
        }
      })()
      return stopping
    },
  }
  return handle
}
