/**
 * The team commands: `gangway invite`, `join`, `keys` and `revoke`. invite/keys/revoke
 * are the proxy admin's (they use the admin login gangway setup used; for a sandbox, this
 * machine); join is the teammate's.
 */
import { inviteKey, joinProxy, listKeys, revokeKey, type AdminOptions } from '@gangway/core'
import { defineCommand, type Flags, type FlagValues } from '../command.js'
import { out, UsageError } from '../output.js'

/** How the admin commands (and `rm --as-admin`) reach the proxy as its admin. */
export const adminFlags = {
  profile: { type: 'string', value: 'NAME', help: 'profile of the user config to use' },
  admin: { type: 'string', value: 'USER@HOST', help: 'the admin login (default: the one gangway setup saved in the profile)' },
  'admin-identity-file': { type: 'string', value: 'FILE', help: "the admin's key (default: ssh-agent, then ~/.ssh keys)" },
  'admin-known-hosts': { type: 'string', value: 'FILE', help: 'known_hosts to check the proxy against (admin login)' },
} as const satisfies Flags

export function adminOptions(values: FlagValues<typeof adminFlags>): AdminOptions {
  return { profile: values.profile, admin: values.admin, adminIdentityFile: values['admin-identity-file'], adminKnownHostsFile: values['admin-known-hosts'] }
}

export const invite = defineCommand({
  name: 'invite',
  args: '<label>',
  summary: 'give a teammate (or a bot) a key of their own on the proxy',
  description: `Registers a tunnel key on the proxy under LABEL (its shares belong to that label) and
writes a join file for its holder: the proxy, its host keys, domain and port, and — only
without --pubkey — a freshly made private key (the file is then mode 600: hand it over
like a password). The holder runs: gangway join FILE`,
  flags: {
    out: { type: 'string', value: 'FILE', help: 'the join file to write (required)' },
    pubkey: { type: 'string', value: 'FILE', help: 'register this public key instead of making a key pair' },
    force: { type: 'boolean', help: 'overwrite the join file if it exists' },
    ...adminFlags,
  },
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('gangway invite needs one label, e.g. gangway invite alice --out alice.gangway')
    if (!values.out) throw new UsageError('gangway invite needs --out FILE (the join file)')
    const res = await inviteKey(positionals[0]!, { ...adminOptions(values), out: values.out, pubkeyFile: values.pubkey, force: values.force })
    out.line(`invited ${res.label} (${res.fingerprint})`)
    out.line(`join file: ${res.out}${res.containsPrivateKey ? '  (holds the private key: hand it over like a password)' : ''}`)
    out.line(`on their machine: gangway join ${res.out}`)
    return 0
  },
})

export const join = defineCommand({
  name: 'join',
  args: '<file>',
  summary: 'use a proxy you were invited to',
  description: `Takes an invitation from gangway invite: writes the key, trusts the proxy's host keys
and writes a profile (the default one when there is none yet).`,
  flags: {
    profile: { type: 'string', value: 'NAME', help: 'profile to write (default: the domain)' },
    'identity-file': { type: 'string', value: 'KEY', help: 'where the invited key is written (default: beside the config); for an\ninvitation made with --pubkey, your own private key' },
  },
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('gangway join needs the join file, e.g. gangway join alice.gangway')
    const res = joinProxy(positionals[0]!, { profile: values.profile, identityFile: values['identity-file'] })
    out.line(`joined as ${res.label}: profile "${res.profile}"${res.isDefault ? ' (the default)' : ''} in ${res.configFile}`)
    out.line(`try: gangway http 3000${res.isDefault ? '' : ` --profile ${res.profile}`}   → https://NAME.${res.domain}/`)
    return 0
  },
})

export const keys = defineCommand({
  name: 'keys',
  summary: "list the proxy's tunnel keys and their shares",
  description: "Lists the proxy's tunnel keys: label, fingerprint, and the shares each one owns.",
  flags: {
    json: { type: 'boolean', help: 'print the list as JSON' },
    ...adminFlags,
  },
  async run({ values }) {
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
  },
})

export const revoke = defineCommand({
  name: 'revoke',
  args: '<label>',
  summary: 'remove a key from the proxy; its shares go offline',
  description: `Removes LABEL's key from the proxy: it can no longer log in, its live sessions end and
its shares go offline (their names stay reserved until gangway rm NAME --as-admin).`,
  flags: adminFlags,
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('gangway revoke needs one label (gangway keys lists them)')
    const res = await revokeKey(positionals[0]!, adminOptions(values))
    out.line(`revoked ${res.label}${res.offline.length ? `; offline now: ${res.offline.join(', ')}` : ''}`)
    return 0
  },
})
