/** `gangway sandbox up|down|status`: a real proxy on this machine, for trying and testing. */
import { parseArgs } from 'node:util'
import chalk from 'chalk'
import { defaultConfigFile, removeProfile, writeProfile } from '@gangway/core'
import { SANDBOX_PROFILE, sandboxDown, sandboxProfile, sandboxStatus, sandboxUp, type SandboxInfo } from '@gangway/core/sandbox'
import { out, UsageError } from '../output.js'

export const usage = `gangway sandbox up [--wildcard] [--json] [--dir DIR]
gangway sandbox down [--dir DIR]
gangway sandbox status [--json] [--dir DIR]

Runs OpenSSH sshd, nginx, pebble (a test ACME CA) and certbot on 127.0.0.1 high
ports, and writes the "sandbox" profile to the user config so gangway and every
adapter use it. Share hosts are NAME.gangway.test: tell clients they resolve to
127.0.0.1 and trust the CA file it prints. --wildcard: one *.gangway.test certificate
by DNS-01 (BIND's named as the zone's DNS server, certbot's rfc2136 plugin), as
gangway setup --dns gets it on a proxy.`

export async function sandboxCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, dir: { type: 'string' }, 'no-profile': { type: 'boolean' }, wildcard: { type: 'boolean' } },
  })
  const [action] = positionals
  const dir = values.dir
  const configFile = defaultConfigFile()
  if (action === 'up') {
    const info = await sandboxUp({ dir, wildcard: values.wildcard })
    if (!values['no-profile']) {
      writeProfile(configFile, SANDBOX_PROFILE, sandboxProfile(info))
    }
    print(info, values.json ?? false, configFile)
    return 0
  }
  if (action === 'down') {
    await sandboxDown({ dir })
    if (!values['no-profile']) removeProfile(configFile, SANDBOX_PROFILE)
    out.info('sandbox stopped')
    return 0
  }
  if (action === 'status') {
    const info = await sandboxStatus({ dir })
    if (!info) {
      if (values.json) out.line('null')
      else out.line('sandbox: not running (gangway sandbox up starts it)')
      return 1
    }
    print(info, values.json ?? false, configFile)
    return 0
  }
  throw new UsageError(`gangway sandbox needs up, down or status`)
}

function print(info: SandboxInfo, json: boolean, configFile: string): void {
  if (json) {
    out.line(JSON.stringify({
      ssh: info.target,
      domain: info.domain,
      httpsPort: info.httpsPort,
      httpPort: info.httpPort,
      caFile: info.caFile,
      resolveTo: info.resolveTo,
      identityFile: info.identityFile,
      knownHostsFile: info.knownHostsFile,
      dir: info.dir,
      wildcard: info.wildcard,
      profile: 'sandbox',
      configFile,
    }))
    return
  }
  out.line(`${chalk.green('✔')} sandbox proxy running in ${info.dir}`)
  out.line(`  ssh        ${info.target}`)
  out.line(`  shares     https://NAME.${info.domain}:${info.httpsPort}/  (resolve to ${info.resolveTo})`)
  out.line(`  CA file    ${info.caFile}`)
  out.line(`  certs      ${info.wildcard ? `*.${info.domain} by DNS-01 (named on 127.0.0.1:${info.dnsPort})` : 'one per name (HTTP-01)'}`)
  out.line(`  profile    "sandbox" in ${configFile}`)
  out.line(chalk.dim(`  try: curl --cacert ${info.caFile} --resolve NAME.${info.domain}:${info.httpsPort}:127.0.0.1 https://NAME.${info.domain}:${info.httpsPort}/`))
}
