#!/usr/bin/env node
/** `gangway-hugo`: the bin. It owns the process — signals and exit codes live here only. */
import type { TunnelStatus } from '@gangway/core'
import { splitArgs, UsageError } from './args.js'
import { isHugoError } from './errors.js'
import { cliLogger, out, usage } from './output.js'
import { runHugo } from './run-hugo.js'

async function main(argv: string[]): Promise<number> {
  const { flags, hugoArgs } = splitArgs(argv)
  if (flags.help) {
    process.stdout.write(`${usage}\n`)
    return 0
  }
  const stop = new AbortController()
  // First signal: stop hugo and the share cleanly. Second: the user insists, leave now.
  const onSignal = () => (stop.signal.aborted ? process.exit(130) : stop.abort())
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal)

  const run = await runHugo({
    args: hugoArgs,
    name: flags.subdomain,
    proxy: flags.proxy,
    domain: flags.domain,
    profile: flags.profile,
    auth: authFlag(flags.auth),
    logger: cliLogger(flags.verbose),
    signal: stop.signal,
  })
  stop.signal.addEventListener('abort', () => void run.close(), { once: true })
  if (stop.signal.aborted) void run.close()

  let tunnelFailed = false
  if (run.tunnel && run.url) {
    out.publicUrl(run.url, { to: `http://127.0.0.1:${run.localPort!}/`, qr: flags.qr })
    run.tunnel.on('status', (s: TunnelStatus) => {
      if (s.state === 'offline' || s.state === 'reconnecting') out.warn(`share ${s.state}${s.error ? `: ${s.error.message}` : ''}`)
      else if (s.state === 'online') out.info(`share back online at ${run.url}`)
      else if (s.state === 'closed' && s.error && !stop.signal.aborted) {
        tunnelFailed = true
        out.error(s.error)
        void run.close()
      }
    })
  }
  const code = await run.exited
  if (run.tunnel) {
    if (!stop.signal.aborted && !tunnelFailed) out.warn(`hugo exited with code ${code}; share closed`)
    else if (!tunnelFailed) out.info('share closed')
  }
  return tunnelFailed ? 1 : code
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Stopped during start-up by Ctrl-C: hugo said what it had to, exit with its code.
    if (isHugoError(err) && err.code === 'ABORTED') process.exit(err.exitCode)
    out.error(err)
    process.exit(err instanceof UsageError ? 2 : isHugoError(err) ? err.exitCode : 1)
  },
)

/** `--auth USER`: the password comes from GANGWAY_AUTH_PASSWORD, never from argv (the process list shows argv). */
function authFlag(value: string | undefined): { user: string } | undefined {
  if (value === undefined) return undefined
  if (value.includes(':')) {
    throw new UsageError('--auth takes only the user name: put the password in GANGWAY_AUTH_PASSWORD, not on the command line (other users can read the process list)')
  }
  return { user: value }
}
