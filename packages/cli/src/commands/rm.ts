/** `gangway rm <name> [--cert]`: removes a share's vhost (and certificate) on the proxy. */
import { parseArgs } from 'node:util'
import { removeShare } from '@gangway/core'
import { out, UsageError } from '../output.js'
import { adminFlags, adminOptions } from './team.js'

export const usage = `gangway rm <name|host> [--cert] [--profile NAME] [--as-admin [--admin USER@HOST]]

Removes a share of your key (NAME under the profile's domain, or a full host) from the
proxy, when no process serves it; --cert also deletes its certificate. --as-admin uses
the proxy admin's login and removes any share.`

export async function rmCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...adminFlags, cert: { type: 'boolean' }, proxy: { type: 'string' }, 'as-admin': { type: 'boolean' } },
  })
  if (positionals.length !== 1) throw new UsageError('gangway rm needs one share name (gangway ls lists them)')
  const name = positionals[0]!
  const res = await removeShare(name, { ...adminOptions(values), cert: values.cert, proxy: values.proxy, asAdmin: values['as-admin'] })
  out.line(res.removed ? `removed ${name} (certificate ${res.certificate})` : `no share ${name} (certificate ${res.certificate})`)
  return 0
}
