/**
 * `pnpm demo`: a sandbox proxy on this machine, the Vite playground served through a
 * Gangway tunnel, one verified HTTPS request to its public URL, then serving until Ctrl-C.
 */
import { checkPublicUrl, createTerminal, defaultConfigFile, resolveShare, writeProfile, type ResolvedShare, type UrlCheck } from '@gangway/core'
import { SANDBOX_PROFILE, sandboxProfile, sandboxUp } from '@gangway/core/sandbox'
import { startPlayground } from './demo-app.js'

/** The plugin opens the tunnel once Vite listens; wait for the public URL to answer 200. */
async function untilServing(share: ResolvedShare): Promise<UrlCheck> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const check = await checkPublicUrl(share).catch((err: Error) => err)
    if (!(check instanceof Error) && check.status === 200) return check
    if (Date.now() > deadline) {
      throw new Error(`${share.url} did not answer 200 within 30 s (last: ${check instanceof Error ? check.message : check.status})`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
}

const out = createTerminal({ stdout: process.stdout, stderr: process.stderr })
const c = out.stdoutPaint

async function main(): Promise<void> {
  console.log(c.dim('Starting the sandbox proxy (sshd, nginx, pebble ACME CA, certbot on loopback)…'))
  const info = await sandboxUp()
  const configFile = defaultConfigFile()
  writeProfile(configFile, SANDBOX_PROFILE, sandboxProfile(info), { makeDefault: true })
  console.log(`${c.green('✔')} sandbox up in ${info.dir}; profile "sandbox" written to ${configFile}`)

  const app = await startPlayground()
  const share = resolveShare({ name: app.name })
  const check = await untilServing(share)
  console.log(`${c.green('✔')} GET ${share.url} → ${check.status} (TLS verified against ${info.caFile}, ${Math.round(check.ms)} ms)`)
  console.log()
  console.log(`  Open it from this machine: curl --cacert ${info.caFile} --resolve ${share.hostname}:${share.publicPort}:127.0.0.1 ${share.url}`)
  console.log(`  or: chromium --host-resolver-rules="MAP *.${info.domain} 127.0.0.1" --ignore-certificate-errors ${share.url}`)
  console.log(c.dim('  Ctrl-C to stop (the sandbox keeps running; pnpm gangway sandbox down stops it).'))

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await app.close()
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    out.error(err)
    process.exit(1)
  },
)
