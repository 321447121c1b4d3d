/**
 * How Gangway talks on a terminal, in one place for the CLI, gangway-hugo, the Vite
 * banner and the demo: the `➜ Public:` line, the QR code, errors with their fix, and a
 * Logger for core. Formatting is pure; only a Terminal made by the caller writes, to the
 * streams the caller hands it (core itself never touches the console).
 */
import { renderUnicodeCompact } from 'uqr'
import type { Logger } from '../types.js'
import { colorsFor, paint, type Paint } from './style.js'
import { UsageError } from './usage-error.js'

export interface PublicLineOptions {
  /** What the line names. @default 'Public' */
  label?: string
  /** The local address it forwards to, shown after an arrow (CLI, gangway-hugo). */
  to?: string
  /** A short dim note after the URL, e.g. `(not connected, see the error above)`. */
  note?: string
  /**
   * `cli`: `➜  Public: URL`; `banner`: Vite's and Rsbuild's URL banner (`  ➜  Public:  URL`, under
   * their `Local:` line); `next`: Next.js's start-up list (`   - Public:        URL`).
   * @default 'cli'
   */
  layout?: 'cli' | 'banner' | 'next'
  colors?: boolean
}

/** `➜  Public: https://NAME.DOMAIN/  →  http://localhost:3000` (the port in bold, as Vite shows ports). */
export function publicUrlLine(url: string, options: PublicLineOptions = {}): string {
  const c = paint(options.colors ?? false)
  const shown = c.cyan(url.replace(/:(\d+)\//, (_, port: string) => `:${c.bold(port)}/`))
  const label = `${c.bold(options.label ?? 'Public')}:`
  const to = options.to ? `  →  ${options.to}` : ''
  const note = options.note ? c.dim(` ${options.note}`) : ''
  switch (options.layout) {
    case 'banner':
      return `  ${c.green('➜')}  ${label}  ${shown}${to}${note}`
    case 'next':
      // Next pads its labels to 15 columns (`- Local:         http://localhost:3000`).
      return `   - ${label}${' '.repeat(Math.max(1, 14 - (options.label ?? 'Public').length))}${shown}${to}${note}`
    default:
      return `${c.green('➜')}  ${label} ${shown}${to}${note}`
  }
}

/** The URL as a QR code for phones, in Unicode half blocks, each line indented. */
export function qrCode(url: string, indent = 5): string {
  const pad = ' '.repeat(indent)
  return renderUnicodeCompact(url, { border: 1 })
    .split('\n')
    .map((line) => `${pad}${line}`)
    .join('\n')
}

/** An error with a stable code and a hint: GangwayError, and the hugo wrapper's HugoError (which adds its tail of output). */
interface CodedError {
  message: string
  code: string
  hint?: string
  output?: string[]
}

function isCoded(err: unknown): err is CodedError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && 'hint' in err
}

/**
 * An error as a person should read it: `✖ message`, the program's last output, `→ what to do`, `(CODE)`.
 * A usage error points at the help; anything unexpected keeps its stack.
 */
export function formatError(err: unknown, options: { colors?: boolean; help?: string } = {}): string {
  const c = paint(options.colors ?? false)
  if (err instanceof UsageError) return `${c.red('✖')} ${err.message}${options.help ? `\n  ${c.cyan('→')} See ${options.help}.` : ''}`
  if (isCoded(err)) {
    const lines = [`${c.red('✖')} ${err.message}`]
    for (const line of err.output ?? []) lines.push(`  ${c.dim('│')} ${line}`)
    if (err.hint) lines.push(`  ${c.cyan('→')} ${err.hint}`)
    lines.push(c.dim(`  (${err.code})`))
    return lines.join('\n')
  }
  return `${c.red('✖')} ${(err as Error)?.stack ?? String(err)}`
}

interface Writable {
  write(text: string): unknown
  isTTY?: boolean
  hasColors?: () => boolean
}

export interface Terminal {
  /** Colours for what goes to stdout (the URL line) and stderr (everything else). */
  readonly stdoutPaint: Paint
  readonly stderrPaint: Paint
  /** A line on stdout, as it is. */
  line(text?: string): void
  /** `gangway text` on stderr, so a program's stdout stays its own. */
  info(text: string): void
  warn(text: string): void
  error(err: unknown): void
  /** The `➜  Public:` line on stdout, with a QR code under it when asked. */
  publicUrl(url: string, options?: Omit<PublicLineOptions, 'colors'> & { qr?: boolean }): void
  /** A Logger for core: info/warn/error as above, debug only when verbose. */
  logger(verbose?: boolean): Logger
}

export interface TerminalOptions {
  stdout: Writable
  stderr: Writable
  /** Where a usage error points, e.g. `gangway-hugo --gangway-help`. */
  help?: string
  env?: NodeJS.ProcessEnv
}

export function createTerminal(options: TerminalOptions): Terminal {
  const { stdout, stderr, help } = options
  const colorsOut = colorsFor(stdout, options.env)
  const colorsErr = colorsFor(stderr, options.env)
  const o = paint(colorsOut)
  const e = paint(colorsErr)
  const terminal: Terminal = {
    stdoutPaint: o,
    stderrPaint: e,
    line: (text = '') => void stdout.write(`${text}\n`),
    info: (text) => void stderr.write(`${e.dim('gangway')} ${text}\n`),
    warn: (text) => void stderr.write(`${e.yellow('gangway')} ${e.yellow(text)}\n`),
    error: (err) => void stderr.write(`${formatError(err, { colors: colorsErr, help })}\n`),
    publicUrl(url, { qr, ...line } = {}) {
      stdout.write(`${publicUrlLine(url, { ...line, colors: colorsOut })}\n`)
      if (qr) stdout.write(`${qrCode(url, line.layout === 'banner' ? 5 : 0)}\n`)
    },
    logger: (verbose = false) => ({
      info: (m) => terminal.info(m),
      warn: (m) => terminal.warn(m),
      error: (m) => void stderr.write(`${e.red('gangway')} ${m}\n`),
      debug: verbose ? (m) => terminal.info(e.dim(m)) : undefined,
    }),
  }
  return terminal
}
