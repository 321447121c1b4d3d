#!/usr/bin/env node
/** `gangway`: the command line. It owns the process; core never exits it. */
import { out } from './output.js'
import { runCli } from './cli.js'

runCli(process.argv.slice(2)).then(
  // Exit explicitly: a command is done when it returns, whatever handles a library left.
  (code) => process.exit(code),
  (err: unknown) => {
    out.error(err)
    process.exit(1)
  },
)
