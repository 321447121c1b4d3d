/** `gangway doctor`: the proxy's DNS, ports, nginx, certificates, renewal, disk, tunnel account and clock, one line each. */
import chalk from 'chalk'
import { runDoctor, type DoctorCheck } from '@gangway/core'
import { defineCommand } from '../command.js'
import { out } from '../output.js'
import { adminFlags, adminOptions } from './team.js'

/** One check as a line (and its fix under it). */
export function checkLines(c: DoctorCheck): string[] {
  const [first, ...rest] = c.summary.split('\n')
  const lines = [`${c.ok ? chalk.green('✔') : chalk.red('✖')} ${chalk.bold(c.name)}  ${first}${c.optional && !c.ok ? chalk.dim(' (optional)') : ''}`, ...rest.map((l) => chalk.dim(`    │ ${l}`))]
  if (!c.ok && c.fix) lines.push(`    ${chalk.cyan('→')} ${c.fix}`)
  return lines
}

export const doctor = defineCommand({
  name: 'doctor',
  summary: 'check the proxy: DNS, ports, nginx, certificates, renewal, disk, clock',
  description: `Checks the profile's proxy over the admin login gangway setup used (a sandbox: on this
machine): that a random name under each zone and the zone itself resolve to the proxy
(A and AAAA), ports 80 and 443 from here, nginx -t, certificate expiry and renewal,
disk space, the tunnel account's restrictions and clock skew. Each line is ✔ or ✖ with
the fix; exit code 1 when a check fails.`,
  flags: {
    json: { type: 'boolean', help: 'print the checks as JSON' },
    ...adminFlags,
  },
  async run({ values }) {
    const checks = await runDoctor(adminOptions(values))
    if (values.json) out.line(JSON.stringify(checks))
    else for (const c of checks) for (const line of checkLines(c)) out.line(line)
    return checks.some((c) => !c.ok && !c.optional) ? 1 : 0
  },
})
