/**
 * One definition per command: its usage, description and flag table. Both the parser
 * (node:util parseArgs, strict) and the `--help` text are made from it, so what a command
 * accepts and what its help says cannot drift. Every command answers `--help`/`-h`; an
 * unknown flag is a UsageError (exit 2) that names it and the closest flag there is.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { out, UsageError } from './output.js'

export interface Flag {
  type: 'string' | 'boolean'
  short?: string
  /** Repeatable: the value is a list. */
  multiple?: boolean
  /** The placeholder in the help, e.g. NAME or FILE (string flags). */
  value?: string
  /** One line in the help; `\n` continues it under the same column. */
  help: string
}
export type Flags = Readonly<Record<string, Flag>>

type FlagValue<F extends Flag> = F['type'] extends 'boolean' ? boolean : F['multiple'] extends true ? string[] : string
export type FlagValues<O extends Flags> = { -readonly [K in keyof O]?: FlagValue<O[K]> }

export interface Parsed<O extends Flags> {
  values: FlagValues<O>
  positionals: string[]
}

export interface CommandSpec<O extends Flags> {
  /** The words after `gangway`: 'http', or 'sandbox up' for a subcommand. */
  name: string
  /** Positionals as the usage line shows them, e.g. '<port>'. */
  args?: string
  /** One line in the command list of `gangway --help`. */
  summary: string
  /** Paragraphs under the usage line of its own help. */
  description?: string
  flags: O
  run(parsed: Parsed<O>): Promise<number>
}

/** A command or a group of subcommands (`gangway sandbox up|down|status`), as dispatch sees it. */
export interface Command {
  name: string
  summary: string
  /** `http <port>`: how the command list names it. */
  synopsis: string
  /** Its flags (with --help), for a command; its subcommands, for a group. */
  flags?: Flags
  commands?: readonly Command[]
  help(): string
  run(argv: string[]): Promise<number>
}

const HELP_FLAG: Flag = { type: 'boolean', short: 'h', help: 'show this help' }

export function defineCommand<const O extends Flags>(spec: CommandSpec<O>): Command {
  const flags: Flags = { ...spec.flags, help: HELP_FLAG }
  const synopsis = `${spec.name}${spec.args ? ` ${spec.args}` : ''}`
  const help = () =>
    [
      `Usage: gangway ${synopsis}${Object.keys(spec.flags).length ? ' [options]' : ''}`,
      spec.description && `\n${spec.description}`,
      `\nOptions:\n${flagTable(flags)}`,
    ]
      .filter(Boolean)
      .join('\n')
  return {
    name: spec.name,
    summary: spec.summary,
    synopsis,
    flags,
    help,
    async run(argv) {
      try {
        const parsed = parse(spec.name, flags, argv)
        if (parsed === 'help') {
          out.line(help())
          return 0
        }
        return await spec.run(parsed as Parsed<O>)
      } catch (err) {
        throw err instanceof UsageError ? pointAt(err, spec.name) : err
      }
    },
  }
}

/** `gangway sandbox`: dispatches to `sandbox up`, `sandbox down`, …; each has its own help. */
export function defineGroup(spec: { name: string; summary: string; description?: string; commands: Command[] }): Command {
  const words = (c: Command) => c.name.slice(spec.name.length + 1)
  const width = Math.max(...spec.commands.map((c) => words(c).length)) + 4
  const help = () =>
    [
      `Usage: gangway ${spec.name} <${spec.commands.map(words).join('|')}> [options]`,
      spec.description && `\n${spec.description}`,
      `\nCommands:\n${spec.commands.map((c) => `  ${words(c).padEnd(width)}${c.summary}`).join('\n')}`,
      `\nRun gangway ${spec.name} <command> --help for its options.`,
    ]
      .filter(Boolean)
      .join('\n')
  return {
    name: spec.name,
    summary: spec.summary,
    synopsis: `${spec.name} ${spec.commands.map(words).join('|')}`,
    commands: spec.commands,
    help,
    async run(argv) {
      const [word, ...rest] = argv
      if (word === '--help' || word === '-h' || word === 'help') {
        out.line(help())
        return 0
      }
      const sub = spec.commands.find((c) => words(c) === word)
      if (sub) return sub.run(rest)
      const choices = spec.commands.map(words)
      const err =
        word === undefined || word.startsWith('-')
          ? new UsageError(`gangway ${spec.name} needs ${orList(choices)}`)
          : new UsageError(`unknown command "${spec.name} ${word}"${didYouMean(word, choices, (w) => `${spec.name} ${w}`)}`)
      throw pointAt(err, spec.name)
    },
  }
}

/** The help a usage error points at: its command's (the innermost one that saw it). */
export function helpFor(err: UsageError): string {
  return (err as UsageError & { help?: string }).help ?? 'gangway --help'
}

function pointAt(err: UsageError, command: string): UsageError {
  const e = err as UsageError & { help?: string }
  e.help ??= `gangway ${command} --help`
  return e
}

/** The `--flag VALUE   help` lines, aligned; `--help` last. */
export function flagTable(flags: Flags): string {
  const left = Object.entries(flags).map(([name, f]) => `--${name}${f.short ? `, -${f.short}` : ''}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`)
  const column = Math.max(25, ...left.map((l) => l.length + 2))
  return Object.values(flags)
    .map((f, i) => `  ${left[i]!.padEnd(column)}${f.help.split('\n').join(`\n  ${' '.repeat(column)}`)}`)
    .join('\n')
}

/** Parses strictly; 'help' when --help/-h is among the flags (wherever, whatever else is wrong). */
function parse(command: string, flags: Flags, argv: string[]): Parsed<Flags> | 'help' {
  const options: NonNullable<ParseArgsConfig['options']> = {}
  for (const [name, f] of Object.entries(flags)) {
    // parseArgs refuses keys that are present but undefined
    options[name] = { type: f.type, ...(f.short && { short: f.short }), ...(f.multiple && { multiple: true }) }
  }
  // A loose pass first: it reads tokens the way the strict one will (a string flag takes
  // the next word as its value), so `--host -h` is a value and `-- --help` a positional.
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true })
  const given = tokens.filter((t) => t.kind === 'option')
  if (given.some((t) => t.name === 'help')) return 'help'
  const unknown = given.find((t) => !(t.name in flags))
  if (unknown) throw new UsageError(`gangway ${command}: unknown option ${unknown.rawName}${suggestFlag(unknown.rawName, flags)}`)
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true })
    return { values: values as FlagValues<Flags>, positionals }
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError(`gangway ${command}: ${lowerFirst((err as Error).message.replace(/\n/g, ' '))}`)
    throw err
  }
}

function suggestFlag(raw: string, flags: Flags): string {
  if (!raw.startsWith('--')) {
    const shorts = Object.entries(flags).filter(([, f]) => f.short)
    return shorts.length ? ` (short flags here: ${shorts.map(([n, f]) => `-${f.short} for --${n}`).join(', ')})` : ''
  }
  const names = Object.keys(flags)
  const close = didYouMean(raw.slice(2).split('=')[0]!, names, (n) => `--${n}`)
  if (close || names.length > 8) return close
  return ` (it takes ${names.map((n) => `--${n}`).join(', ')})`
}

/** ` (did you mean --subdomain?)` for the closest candidate, or '' when none is close. */
export function didYouMean(word: string, candidates: readonly string[], show: (c: string) => string = (c) => c): string {
  let best: string | undefined
  let bestDistance = Infinity
  for (const c of candidates) {
    // A prefix (`--sub`) counts as close whatever its length.
    const d = c.startsWith(word) && word.length >= 2 ? 1 : distance(word, c)
    if (d < bestDistance) [best, bestDistance] = [c, d]
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean ${show(best)}?)` : ''
}

/** Levenshtein distance, with a swap of two neighbours counting as one edit (`--subdomian`). */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1)
      d[i]![j] = v
    }
  }
  return d[a.length]![b.length]!
}

function orList(words: string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}
