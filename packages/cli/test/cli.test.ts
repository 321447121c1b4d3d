/**
 * The command table without a proxy: every command's --help, what an unknown flag or
 * command says, and that help and parsing come from the same definition. In process,
 * except two runs of the real bin for its exit codes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runCliToEnd } from '../../../test/helpers/cli.js'
import { commands, mainHelp, runCli } from '../src/cli.js'
import { defineCommand, didYouMean, distance, type Command } from '../src/command.js'

let stdout: string
let stderr: string
beforeEach(() => {
  stdout = ''
  stderr = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true))
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true))
})
afterEach(() => {
  vi.restoreAllMocks()
})

/** Every command line that has a help of its own: `http`, `sandbox`, `sandbox up`, … */
function everyCommand(list: readonly Command[] = commands): Command[] {
  return list.flatMap((c) => [c, ...everyCommand(c.commands ?? [])])
}
const words = (c: Command) => c.name.split(' ')

describe('gangway <command> --help', () => {
  it.each(everyCommand().map((c) => [c.name, c] as const))('%s answers --help and -h with its own usage, exit 0', async (_, command) => {
    for (const flag of ['--help', '-h']) {
      stdout = ''
      expect(await runCli([...words(command), flag])).toBe(0)
      expect(stdout.startsWith(`Usage: gangway ${command.name}`)).toBe(true)
      expect(stderr).toBe('')
    }
    stdout = ''
    expect(await runCli(['help', ...words(command)])).toBe(0)
    expect(stdout).toBe(`${command.help()}\n`)
  })

  it.each(everyCommand().filter((c) => c.flags).map((c) => [c.name, c] as const))('%s: its help lists every flag it parses', async (_, command) => {
    const help = command.help()
    for (const [name, flag] of Object.entries(command.flags!)) {
      expect(help).toMatch(new RegExp(`^  --${name}${flag.short ? `, -${flag.short}` : ''}[ ,]`, 'm'))
      expect(flag.help.length).toBeGreaterThan(0)
    }
  })

  it('--help wins over other mistakes on the line; a value that looks like -h is a value', async () => {
    expect(await runCli(['http', '--bogus', '--help'])).toBe(0)
    expect(stdout).toContain('Usage: gangway http <port>')
    stdout = ''
    expect(await runCli(['http', '3000', '--host', '-h'])).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toContain("option '--host' argument is ambiguous")
  })

  it('gangway --help lists every command with its summary; bare gangway prints it and exits 2', async () => {
    expect(await runCli(['--help'])).toBe(0)
    for (const c of commands) expect(stdout).toContain(`  ${c.synopsis}`)
    expect(stdout).toContain('sandbox up|down|status')
    stdout = ''
    expect(await runCli([])).toBe(2)
    expect(stdout).toBe(`${mainHelp()}\n`)
  })
})

describe('usage errors', () => {
  it('an unknown flag exits 2, names it and the closest flag, and points at the command help', async () => {
    expect(await runCli(['http', '3000', '--subdomian', 'blog'])).toBe(2)
    expect(stderr).toContain('gangway http: unknown option --subdomian (did you mean --subdomain?)')
    expect(stderr).toContain('gangway http --help')
    stderr = ''
    expect(await runCli(['sandbox', 'up', '--jsno'])).toBe(2)
    expect(stderr).toContain('gangway sandbox up: unknown option --jsno (did you mean --json?)')
    expect(stderr).toContain('gangway sandbox up --help')
  })

  it('with nothing close, a short flag list is given instead; short flags are listed for -x', async () => {
    expect(await runCli(['ls', '--bogus'])).toBe(2)
    expect(stderr).toContain('unknown option --bogus (it takes --profile, --proxy, --json, --help)')
    stderr = ''
    expect(await runCli(['http', '3000', '-x'])).toBe(2)
    expect(stderr).toContain('unknown option -x (short flags here: -s for --subdomain, -h for --help)')
  })

  it('ls and rm take --proxy, and say so', async () => {
    for (const name of ['ls', 'rm']) {
      stdout = ''
      await runCli([name, '--help'])
      expect(stdout).toMatch(/^ {2}--proxy TARGET /m)
    }
  })

  it('an unknown command or subcommand names the closest one', async () => {
    expect(await runCli(['htpp', '3000'])).toBe(2)
    expect(stderr).toContain('unknown command "htpp" (did you mean http?)')
    stderr = ''
    expect(await runCli(['sandbox', 'stauts'])).toBe(2)
    expect(stderr).toContain('unknown command "sandbox stauts" (did you mean sandbox status?)')
    stderr = ''
    expect(await runCli(['sandbox'])).toBe(2)
    expect(stderr).toContain('gangway sandbox needs up, down or status')
  })

  it('a missing value and a value given to a boolean flag are usage errors', async () => {
    expect(await runCli(['http', '3000', '--subdomain'])).toBe(2)
    expect(stderr).toContain("gangway http: option '-s, --subdomain <value>' argument missing")
    stderr = ''
    expect(await runCli(['ls', '--json=yes'])).toBe(2)
    expect(stderr).toContain("option '--json' does not take an argument")
  })
})

describe('defineCommand', () => {
  it('hands the command typed values and positionals, lists repeated, -- ends the flags', async () => {
    const seen: unknown[] = []
    const cmd = defineCommand({
      name: 'demo',
      args: '<x>',
      summary: 'a test command',
      flags: {
        name: { type: 'string', short: 'n', value: 'NAME', help: 'a name' },
        tag: { type: 'string', multiple: true, value: 'TAG', help: 'tags\nrepeatable' },
        dry: { type: 'boolean', help: 'do nothing' },
      },
      async run({ values, positionals }) {
        seen.push(values, positionals)
        return 7
      },
    })
    expect(await cmd.run(['a', '-n', 'blog', '--tag', 't1', '--tag=t2', '--dry', '--', '--not-a-flag'])).toBe(7)
    expect(seen).toEqual([{ name: 'blog', tag: ['t1', 't2'], dry: true }, ['a', '--not-a-flag']])
    expect(cmd.help()).toContain('  --tag TAG                tags\n                           repeatable')
  })

  it('didYouMean: a typo, a swap, a prefix; nothing when nothing is close', () => {
    const flags = ['subdomain', 'host', 'proxy', 'profile', 'json']
    expect(didYouMean('subdomian', flags)).toBe(' (did you mean subdomain?)')
    expect(didYouMean('prxy', flags)).toBe(' (did you mean proxy?)')
    expect(didYouMean('sub', flags)).toBe(' (did you mean subdomain?)')
    expect(didYouMean('frobnicate', flags)).toBe('')
    expect(distance('ab', 'ba')).toBe(1)
    expect(distance('kitten', 'sitting')).toBe(3)
  })
})

describe('the gangway bin', () => {
  it('exits 0 on a subcommand --help and 2 on a mistyped flag, naming it', async () => {
    const help = await runCliToEnd(['setup', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: gangway setup <admin@host[:port]> [options]')
    const typo = await runCliToEnd(['http', '3000', '--subdomian', 'x'])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain('unknown option --subdomian (did you mean --subdomain?)')
  })
})
