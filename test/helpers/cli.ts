/** Runs the `gangway` CLI from source, as a user would run the installed bin. */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
export const CLI = `${root}packages/cli/src/main.ts`

export interface Running {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  /** Resolves with the first stdout line matching, rejects if the process exits first. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>
  exit: Promise<number | null>
}

/**
 * One process (`node --import tsx`), not the tsx wrapper with its child: a signal must hit
 * the process that holds the tunnel, as it would for an installed `gangway`.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, bin = CLI): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], { env: { ...process.env, FORCE_COLOR: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitFor: (re, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${re} in ${timeoutMs} ms; stdout: ${out}; stderr: ${err}`)), timeoutMs)
        const check = () => {
          const m = re.exec(out)
          if (m) {
            clearTimeout(timer)
            child.stdout!.off('data', check)
            resolve(m)
          }
        }
        child.stdout!.on('data', check)
        void exit.then((code) => {
          clearTimeout(timer)
          reject(new Error(`exited ${code} before ${re}; stdout: ${out}; stderr: ${err}`))
        })
        check()
      }),
  }
}

export async function runCliToEnd(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = runCli(args, env)
  const code = await r.exit
  return { code, stdout: r.stdout(), stderr: r.stderr() }
}
