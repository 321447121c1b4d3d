/** `gangway sandbox up|down|status`: a real proxy on this machine, for trying and testing. */
import chalk from 'chalk'
import { defaultConfigFile, removeProfile, writeProfile } from '@gangway/core'
import { SANDBOX_PROFILE, sandboxDown, sandboxProfile, sandboxStatus, sandboxUp, type SandboxInfo } from '@gangway/core/sandbox'
import { defineCommand, defineGroup } from '../command.js'
import { out } from '../output.js'

const dir = { type: 'string', value: 'DIR', help: 'the sandbox directory (default: $GANGWAY_SANDBOX_DIR or ~/.local/state/gangway/sandbox)' } as const
const json = { type: 'boolean', help: 'print what a client needs as JSON' } as const
const noProfile = { type: 'boolean', help: 'leave the user config alone (no "sandbox" profile)' } as const

const up = defineCommand({
  name: 'sandbox up',
  summary: 'start the sandbox (or find the running one) and write the "sandbox" profile',
  description: `Runs OpenSSH sshd, nginx, pebble (a test ACME CA) and certbot on 127.0.0.1 high
ports, and writes the "sandbox" profile to the user config so gangway and every
adapter use it. Share hosts are NAME.gangway.test: tell clients they resolve to
127.0.0.1 and trust the CA file it prints. --wildcard: one *.gangway.test certificate
by DNS-01 (BIND's named as the zone's DNS server, certbot's rfc2136 plugin), as
gangway setup --dns gets it on a proxy.`,
  flags: {
    json,
    dir,
    'no-profile': noProfile,
    wildcard: { type: 'boolean', help: 'one *.DOMAIN certificate by DNS-01 instead of one per name (HTTP-01)' },
  },
  async run({ values }) {
    const configFile = defaultConfigFile()
    const info = await sandboxUp({ dir: values.dir, wildcard: values.wildcard })
    if (!values['no-profile']) writeProfile(configFile, SANDBOX_PROFILE, sandboxProfile(info))
    print(info, values.json ?? false, configFile)
    return 0
  },
})

const down = defineCommand({
  name: 'sandbox down',
  summary: 'stop every daemon of the sandbox and remove its profile',
  description: 'Stops the sandbox’s daemons and their sessions (its directory and keys stay for the next up).',
  flags: { dir, 'no-profile': noProfile },
  async run({ values }) {
    await sandboxDown({ dir: values.dir })
    if (!values['no-profile']) removeProfile(defaultConfigFile(), SANDBOX_PROFILE)
    out.info('sandbox stopped')
    return 0
  },
})

const status = defineCommand({
  name: 'sandbox status',
  summary: 'whether it runs, and what a client needs to reach it (exit 1 when not running)',
  flags: { json, dir },
  async run({ values }) {
    const info = await sandboxStatus({ dir: values.dir })
    if (!info) {
      if (values.json) out.line('null')
      else out.line('sandbox: not running (gangway sandbox up starts it)')
      return 1
    }
    print(info, values.json ?? false, defaultConfigFile())
    return 0
  },
})

export const sandbox = defineGroup({
  name: 'sandbox',
  summary: 'a complete proxy on this machine (sshd, nginx, pebble ACME CA)',
  description: 'A complete proxy on this machine, for trying Gangway and for its tests.',
  commands: [up, down, status],
})

function print(info: SandboxInfo, json: boolean, configFile: string): void {
  if (json) {
    out.line(
      JSON.stringify({
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
      }),
    )
    return
  }
  out.line(`${chalk.green('✔')} sandbox proxy running in ${info.dir}`)
  out.line(`  ssh        ${info.target}`)
  out.line(`  shares     https://NAME.${info.domain}:${info.httpsPort}/  (resolve to ${info.resolveTo})`)
  out.line(`  CA file    ${info.caFile}`)
  out.line(`  certs      ${info.wildcard ? `*.${info.domain} by DNS-01 (named on 127.0.0.1:${info.dnsPort})` : 'one per name (HTTP-01)'}`)
  out.line(`  profile    "${SANDBOX_PROFILE}" in ${configFile}`)
  out.line(chalk.dim(`  try: curl --cacert ${info.caFile} --resolve NAME.${info.domain}:${info.httpsPort}:127.0.0.1 https://NAME.${info.domain}:${info.httpsPort}/`))
}
