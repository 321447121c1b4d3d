/** `gangway rm <name> [--cert]`: removes a share's vhost (and certificate) on the proxy. */
import { removeShare } from '@gangway/core'
import { defineCommand } from '../command.js'
import { out, UsageError } from '../output.js'
import { adminFlags, adminOptions } from './team.js'

export const rm = defineCommand({
  name: 'rm',
  args: '<name|host>',
  summary: 'remove a share from the proxy',
  description: `Removes a share of your key (NAME under the profile's domain, or a full host) from the
proxy, when no process serves it; --cert also deletes its certificate. --as-admin uses
the proxy admin's login and removes any share.`,
  flags: {
    cert: { type: 'boolean', help: 'also delete its certificate' },
    proxy: { type: 'string', value: 'TARGET', help: 'ssh target of the proxy: user@host[:port] or a Host alias' },
    'as-admin': { type: 'boolean', help: "use the proxy admin's login: any share, not only your key's" },
    ...adminFlags,
  },
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('gangway rm needs one share name (gangway ls lists them)')
    const name = positionals[0]!
    const res = await removeShare(name, { ...adminOptions(values), cert: values.cert, proxy: values.proxy, asAdmin: values['as-admin'] })
    out.line(res.removed ? `removed ${name} (certificate ${res.certificate})` : `no share ${name} (certificate ${res.certificate})`)
    return 0
  },
})
