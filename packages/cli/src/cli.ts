/**
 * The `gangway` commands, in one table: each entry is a command defined with its own flags
 * and help (command.ts). Adding a command is adding its entry here; adding a flag is adding
 * it to its command's table.
 */
import { didYouMean, helpFor, type Command } from './command.js'
import { out, usageError, UsageError } from './output.js'
import { http } from './commands/http.js'
import { replay } from './commands/replay.js'
import { sandbox } from './commands/sandbox.js'
import { setup } from './commands/setup.js'
import { ls } from './commands/ls.js'
import { rm } from './commands/rm.js'
import { invite, join, keys, revoke } from './commands/team.js'
import { doctor } from './commands/doctor.js'

export const commands: readonly Command[] = [http, replay, sandbox, setup, ls, rm, invite, join, keys, revoke, doctor]

export function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.synopsis.length)) + 3
  return [
    'Usage: gangway <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.synopsis.padEnd(width)}${c.summary}`),
    '',
    'Run gangway <command> --help for its options (gangway help <command> too).',
  ].join('\n')
}

/** Runs one command line; returns the exit code. Usage errors print here (exit 2); any other error is the caller's. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv
  try {
    if (name === undefined || name === '--help' || name === '-h' || (name === 'help' && !rest.length)) {
      out.line(mainHelp())
      return name === undefined ? 2 : 0
    }
    // `gangway help sandbox up` is `gangway sandbox up --help`
    if (name === 'help') return await find(rest[0]!).run([...rest.slice(1), '--help'])
    return await find(name).run(rest)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    usageError(err, helpFor(err))
    return 2
  }
}

function find(name: string): Command {
  const command = commands.find((c) => c.name === name)
  if (command) return command
  throw new UsageError(`unknown command "${name}"${didYouMean(name, commands.map((c) => c.name))}`)
}
