#!/usr/bin/env node
/** `gangway`: the command line. It owns the process; core never exits it. */
import { out, UsageError } from './output.js'
import { httpCommand, usage as httpUsage } from './commands/http.js'
import { sandboxCommand, usage as sandboxUsage } from './commands/sandbox.js'
import { replayCommand, usage as replayUsage } from './commands/replay.js'
import { setupCommand, usage as setupUsage } from './commands/setup.js'
import { lsCommand, usage as lsUsage } from './commands/ls.js'
import { rmCommand, usage as rmUsage } from './commands/rm.js'
import { doctorCommand, usage as doctorUsage } from './commands/doctor.js'
import { inviteCommand, inviteUsage, joinCommand, joinUsage, keysCommand, keysUsage, revokeCommand, revokeUsage } from './commands/team.js'

const usage = `Usage: gangway <command>

Commands:
  http <port>          share a local port at https://NAME.DOMAIN until Ctrl-C
  replay <id>          send a request recorded by the inspector to the local server again
  sandbox up|down|status
                       a complete proxy on this machine (sshd, nginx, pebble ACME CA)
  setup <admin@host>   make a Debian host your proxy (nginx, certbot, tunnel account)
  ls                   list the shares on the proxy
  rm <name>            remove a share from the proxy
  invite <label>       give a teammate (or a bot) a key of their own on the proxy
  join <file>          use a proxy you were invited to
  keys                 list the proxy's tunnel keys and their shares
  revoke <label>       remove a key from the proxy; its shares go offline
  doctor               check the proxy: DNS, ports, nginx, certificates, renewal, disk, clock

${httpUsage}

${replayUsage}

${sandboxUsage}

${setupUsage}

${lsUsage}

${rmUsage}

${inviteUsage}

${joinUsage}

${keysUsage}

${revokeUsage}

${doctorUsage}`

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  http: httpCommand,
  replay: replayCommand,
  sandbox: sandboxCommand,
  setup: setupCommand,
  ls: lsCommand,
  rm: rmCommand,
  invite: inviteCommand,
  join: joinCommand,
  keys: keysCommand,
  revoke: revokeCommand,
  doctor: doctorCommand,
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out.line(usage)
    return name ? 0 : 2
  }
  const command = commands[name]
  if (!command) throw new UsageError(`unknown command "${name}"`)
  return command(rest)
}

main(process.argv.slice(2)).then(
  // Exit explicitly: a command is done when it returns, whatever handles a library left.
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS')) {
      process.stderr.write(`gangway: ${(err as Error).message}\nRun gangway --help for usage.\n`)
      process.exit(2)
    }
    out.error(err)
    process.exit(1)
  },
)
