/**
 * One matrix app: a fixture copied to a temp dir, installed with plain npm (the Gangway
 * packages from their tarballs, everything else from the registry, through npm's cache)
 * on a given Node, and its dev server run with `npm run dev` as a user runs it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MatrixCase } from './cases.js'

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url))

export interface NodeBinary {
  major: number
  /** The node executable; its directory goes first on PATH, so npm and every bin run on it. */
  bin: string
}

/** Node 20 is the one running the tests; Node 22 comes from GANGWAY_MATRIX_NODE22 (scripts/test-matrix.sh installs it). */
export function matrixNodes(env: NodeJS.ProcessEnv = process.env): NodeBinary[] {
  const wanted = (env.GANGWAY_MATRIX_NODES ?? '20,22').split(',').map(Number)
  const nodes: NodeBinary[] = []
  if (wanted.includes(20)) nodes.push({ major: Number(process.versions.node.split('.')[0]), bin: process.execPath })
  if (wanted.includes(22)) {
    if (!env.GANGWAY_MATRIX_NODE22) throw new Error('GANGWAY_MATRIX_NODE22 is not set: run the matrix with pnpm test:matrix (scripts/test-matrix.sh installs Node 22)')
    nodes.push({ major: 22, bin: env.GANGWAY_MATRIX_NODE22 })
  }
  return nodes
}

/**
 * A user's shell environment: without what pnpm, npm and vitest set for the test run
 * itself (npm_config_*, NODE_ENV=test, which turns Rsbuild's HMR off).
 */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|VITEST|NODE_ENV$|TEST$)/i.test(k)))
}

export function envFor(node: NodeBinary, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dir = dirname(realpathSync(node.bin))
  return { ...userEnv(), PATH: `${dir}:${process.env.PATH}`, FORCE_COLOR: '0', NO_COLOR: '1', NEXT_TELEMETRY_DISABLED: '1', ASTRO_TELEMETRY_DISABLED: '1', npm_config_update_notifier: 'false', ...extra }
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${err.message}\n${stdout}\n${stderr}`))
      else resolve(`${stdout}${stderr}`)
    })
  })
}

export interface InstalledApp {
  dir: string
  /** What npm install printed (warnings included). */
  installLog: string
  edit(file: string, from: string, to: string): void
  remove(): void
}

/**
 * Copies the fixture, pins what the case pins, and runs `npm install` with the tarballs
 * added as a user adds packages (`npm install ./gangway-vite-0.1.0.tgz`), with the
 * fixture's own .npmrc (SvelteKit's engine-strict=true) in force.
 */
export async function installApp(c: MatrixCase, node: NodeBinary, tarballs: Record<string, string>): Promise<InstalledApp> {
  const dir = mkdtempSync(join(tmpdir(), `gangway-matrix-${c.id}-node${node.major}-`))
  cpSync(join(FIXTURES, c.fixture), dir, { recursive: true, filter: (src) => !/\/(node_modules|dist|\.next|\.svelte-kit|\.astro)$/.test(src) })
  const pins = { ...c.pin, ...c.pinOn?.[node.major] }
  if (Object.keys(pins).length) {
    const pkgFile = join(dir, 'package.json')
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> }
    for (const [name, version] of Object.entries(pins)) {
      const where = pkg.dependencies?.[name] !== undefined ? pkg.dependencies : (pkg.devDependencies ??= {})
      where[name] = version
    }
    writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + '\n')
  }
  const packs = c.packages.map((p) => {
    const file = tarballs[p]
    if (!file) throw new Error(`no tarball for ${p}`)
    return file
  })
  const installLog = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=warn', ...packs], dir, envFor(node), 600_000)
  return {
    dir,
    installLog,
    edit(file, from, to) {
      const path = join(dir, file)
      const text = readFileSync(path, 'utf8')
      if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`)
      writeFileSync(path, text.replace(from, to))
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

export async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as AddressInfo
  await new Promise((r) => s.close(r))
  return port
}

export interface DevServer {
  child: ChildProcess
  /** Everything it printed so far, colours stripped. */
  output(): string
  /** Sends `signal` to its process group, as a terminal does on Ctrl-C; resolves when it exits. */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<void>
}

/** `npm run dev -- ARGS` in its own process group, stdin held open (Vite closes when stdin ends). */
export function startDev(app: InstalledApp, node: NodeBinary, args: string[], env: NodeJS.ProcessEnv): DevServer {
  const child = spawn('npm', ['run', 'dev', '--', ...args], { cwd: app.dir, env: envFor(node, env), stdio: ['pipe', 'pipe', 'pipe'], detached: true })
  let text = ''
  const keep = (d: Buffer) => void (text += d.toString().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  // 'close', not 'exit': npm exits first; the dev server it started may still be printing its last lines.
  const exited = new Promise<void>((r) => child.once('close', () => r()))
  return {
    child,
    output: () => text,
    async stop(signal, timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return
      try {
        process.kill(-child.pid!, signal)
      } catch {
        return
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          // already gone
        }
      }, timeoutMs)
      await exited
      clearTimeout(timer)
    },
  }
}
