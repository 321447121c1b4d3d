/**
 * The team commands: `gangway invite`, `join`, `keys` and `revoke`. invite/keys/revoke
 * are the proxy admin's (they use the admin login gangway setup used; for a sandbox, this
 * machine); join is the teammate's.
 */
import { parseArgs } from 'node:util'
import { inviteKey, joinProxy, listKeys, revokeKey, type AdminOptions } from '@gangway/core'
import { out, UsageError } from '../output.js'

export const inviteUsage = `gangway invite <label> --out FILE [--pubkey FILE] [--profile NAME] [--admin USER@HOST]

Registers a tunnel key on the proxy under LABEL (its shares belong to that label) and
writes a join file for its holder: the proxy, its host keys, domain and port, and — only
without --pubkey — a freshly made private key (the file is then mode 600: hand it over
like a password). The holder runs: gangway join FILE`

export const joinUsage = `gangway join <file> [--profile NAME] [--identity-file KEY]

Takes an invitation from gangway invite: writes the key, trusts the proxy's host keys
and writes a profile (the default one when there is none yet).`

export const keysUsage = `gangway keys [--profile NAME] [--admin USER@HOST] [--json]

Lists the proxy's tunnel keys: label, fingerprint, and the shares each one owns.`

export const revokeUsage = `gangway revoke <label> [--profile NAME] [--admin USER@HOST]

Removes LABEL's key from the proxy: it can no longer log in, its live sessions end and
its shares go offline (their names stay reserved until gangway rm NAME --as-admin).`

export const adminFlags = {
  profile: { type: 'string' },
  admin: { type: 'string' },
  'admin-identity-file': { type: 'string' },
  'admin-known-hosts': { type: 'string' },
} as const

export function adminOptions(values: { profile?: string; admin?: string; 'admin-identity-file'?: string; 'admin-known-hosts'?: string }): AdminOptions {
  return { profile: values.profile, admin: values.admin, adminIdentityFile: values['admin-identity-file'], adminKnownHostsFile: values['admin-known-hosts'] }
}

export async function inviteCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...adminFlags, out: { type: 'string' }, pubkey: { type: 'string' }, force: { type: 'boolean' } },
  })
  if (positionals.length !== 1) throw new UsageError('gangway invite needs one label, e.g. gangway invite alice --out alice.gangway')
  if (!values.out) throw new UsageError('gangway invite needs --out FILE (the join file)')
  const res = await inviteKey(positionals[0]!, { ...adminOptions(values), out: values.out, pubkeyFile: values.pubkey, force: values.force })
  out.line(`invited ${res.label} (${res.fingerprint})`)
  out.line(`join file: ${res.out}${res.containsPrivateKey ? '  (holds the private key: hand it over like a password)' : ''}`)
  out.line(`on their machine: gangway join ${res.out}`)
  return 0
}

export async function joinCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { profile: { type: 'string' }, 'identity-file': { type: 'string' } },
  })
  if (positionals.length !== 1) throw new UsageError('gangway join needs the join file, e.g. gangway join alice.gangway')
  const res = joinProxy(positionals[0]!, { profile: values.profile, identityFile: values['identity-file'] })
  out.line(`joined as ${res.label}: profile "${res.profile}"${res.isDefault ? ' (the default)' : ''} in ${res.configFile}`)
  out.line(`try: gangway http 3000${res.isDefault ? '' : ` --profile ${res.profile}`}   → https://NAME.${res.domain}/`)
  return 0
}

export async function keysCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...adminFlags, json: { type: 'boolean' } } })
  const keys = await listKeys(adminOptions(values))
  if (values.json) {
    out.line(JSON.stringify(keys))
    return 0
  }
  for (const k of keys) {
    const shares = k.shares.map((s) => `${s.host}${s.online ? ' (online)' : ''}`).join(', ') || 'no shares'
    out.line(`${k.label}${k.revoked ? '  (revoked)' : ''}  ${k.fingerprint ?? ''}  ${shares}`.replace(/ {3,}/g, '  '))
  }
  if (!keys.length) out.line('no tunnel keys on this proxy')
  return 0
}

export async function revokeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: adminFlags })
  if (positionals.length !== 1) throw new UsageError('gangway revoke needs one label (gangway keys lists them)')
  const res = await revokeKey(positionals[0]!, adminOptions(values))
  out.line(`revoked ${res.label}${res.offline.length ? `; offline now: ${res.offline.join(', ')}` : ''}`)
  return 0
}

