/** `gangway ls`: the shares on the proxy, asked of its agent through the tunnel key. */
import chalk from 'chalk'
import { listShares } from '@gangway/core'
import { defineCommand } from '../command.js'
import { out } from '../output.js'

export const ls = defineCommand({
  name: 'ls',
  summary: 'list the shares on the proxy',
  description: `Lists the shares on the proxy: host, URL, online or not, owner (the tunnel key's
label), the process serving it, certificate expiry, access.`,
  flags: {
    profile: { type: 'string', value: 'NAME', help: 'profile of the user config to use' },
    proxy: { type: 'string', value: 'TARGET', help: 'ssh target of the proxy: user@host[:port] or a Host alias' },
    json: { type: 'boolean', help: 'print the list as JSON' },
  },
  async run({ values }) {
    const shares = await listShares({ profile: values.profile, proxy: values.proxy })
    if (values.json) {
      out.line(JSON.stringify(shares))
      return 0
    }
    if (!shares.length) {
      out.line('no shares on this proxy')
      return 0
    }
    const rows = shares.map((s) => [
      s.host,
      s.url,
      s.online ? 'online' : 'offline',
      s.owner ?? '-',
      s.online && s.holder ? [s.holder.cmd, s.holder.pid && `pid ${s.holder.pid}`, s.holder.client && `on ${s.holder.client}`].filter(Boolean).join(' ') : '-',
      s.certExpires ? s.certExpires.slice(0, 10) : '-',
      [s.access?.auth && `auth:${s.access.auth}`, s.access?.allow.length && `allow:${s.access.allow.join(',')}`].filter(Boolean).join(' ') || '-',
    ])
    const head = ['HOST', 'URL', 'STATE', 'OWNER', 'SERVED BY', 'CERT EXPIRES', 'ACCESS']
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
    const fmt = (r: unknown[]) => r.map((c, i) => String(c).padEnd(widths[i]!)).join('  ').trimEnd()
    out.line(chalk.bold(fmt(head)))
    for (const r of rows) out.line(fmt(r))
    return 0
  },
})
