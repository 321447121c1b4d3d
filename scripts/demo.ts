/**
 * `pnpm demo`: a sandbox proxy on this machine, the Vite playground served through a
 * Gangway tunnel, one verified HTTPS request to its public URL, then serving until Ctrl-C.
 */
import chalk from 'chalk'
import { checkPublicUrl, defaultConfigFile, resolveShare, writeProfile } from '@gangway/core'
import { SANDBOX_PROFILE, sandboxProfile, sandboxUp } from '@gangway/core/sandbox'
import { startPlayground } from './demo-app.js'

async function main(): Promise<void> {
  console.log(chalk.dim('Starting the sandbox proxy (sshd, nginx, pebble ACME CA, certbot on loopback)…'))
  const info = await sandboxUp()
  const configFile = defaultConfigFile()
  writeProfile(configFile, SANDBOX_PROFILE, sandboxProfile(info), { makeDefault: true })
  console.log(`${chalk.green('✔')} sandbox up in ${info.dir}; profile "sandbox" written to ${configFile}`)

  const app = await startPlayground()
  const share = resolveShare({ name: app.name })
  const check = await checkPublicUrl(share)
  console.log(`${chalk.green('✔')} GET ${share.url} → ${check.status} (TLS verified against ${info.caFile}, ${check.ms} ms)`)
  console.log()
  console.log(`  Open it from this machine: curl --cacert ${info.caFile} --resolve ${share.hostname}:${share.publicPort}:127.0.0.1 ${share.url}`)
  console.log(`  or: chromium --host-resolver-rules="MAP *.${info.domain} 127.0.0.1" --ignore-certificate-errors ${share.url}`)
  console.log(chalk.dim('  Ctrl-C to stop (the sandbox keeps running; gangway sandbox down stops it).'))

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await app.close()
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const e = err as { message?: string; hint?: string }
    console.error(chalk.red('✖'), e.message ?? err)
    if (e.hint) console.error('  →', e.hint)
    process.exit(1)
  },
)
