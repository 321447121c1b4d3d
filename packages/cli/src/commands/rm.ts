/** `gangway rm <name> [--cert]`: removes a share's vhost (and certificate) on the proxy. */
import { parseArgs } from 'node:util'
import { removeShare } from '@gangway/core'
import { out, UsageError } from '../output.js'

export const usage = `gangway rm <name> [--cert] [--profile NAME]

Removes the share NAME from the proxy; --cert also deletes its certificate.`

export async function rmCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { cert: { type: 'boolean' }, profile: { type: 'string' }, proxy: { type: 'string' } },
  })
  if (positionals.length !== 1) throw new UsageError('gangway rm needs one share name (gangway ls lists them)')
  const name = positionals[0]!
  const res = await removeShare(name, { cert: values.cert, profile: values.profile, proxy: values.proxy })
  out.line(res.removed ? `removed ${name} (certificate ${res.certificate})` : `no share named ${name} (certificate ${res.certificate})`)
  return 0
}
