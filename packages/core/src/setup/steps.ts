/**
 * The idempotent steps of setup that are not files: packages, the tunnel account,
 * directories, running daemons, certificate renewal. Each looks first and reports
 * through `change` only what it really changed.
 */
import { GangwayError } from '../errors.js'
import type { Remote } from './remote.js'
import { PROXY, PROXY_DIRS } from './proxy-files.js'

type Change = (text: string) => void

export async function ensurePackages(remote: Remote, wanted: string[], change: Change): Promise<void> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format, not a template
  const res = await remote.run(['dpkg-query', '-W', '-f', '${Package} ${db:Status-Abbrev}\\n', ...wanted])
  const installed = new Set(res.stdout.split('\n').filter((l) => / ii/.test(l)).map((l) => l.split(' ')[0]))
  const missing = wanted.filter((p) => !installed.has(p))
  if (!missing.length) return
  const install = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing]
  if ((await remote.root(install)).code !== 0) {
    await remote.must(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'update', '-q']) // stale or missing package lists
    await remote.must(install, { hint: `Install ${missing.join(' ')} on the proxy by hand (apt-get install ${missing.join(' ')}), then run gangway setup again.` })
  }
  change(`installed ${missing.join(', ')}`)
}

/** The tunnel account: a system user whose login shell is the Gangway entry point. */
export async function ensureAccount(remote: Remote, user: string, adminUser: string, change: Change): Promise<void> {
  if (user === adminUser || user === 'root') {
    throw new GangwayError('CONFIG_INVALID', `--tunnel-user ${user} is the admin account`, { hint: 'Use a dedicated account, e.g. the default gangway.' })
  }
  const entry = await remote.run(['getent', 'passwd', user])
  if (entry.code !== 0) {
    await remote.must(['useradd', '--system', '--user-group', '--home-dir', PROXY.stateDir, '--no-create-home', '--shell', PROXY.shell, '--comment', 'Gangway tunnels', user])
    // '*' (not the locked '!'): no password can ever match, and sshd still takes its key.
    await remote.must(['usermod', '-p', '*', user])
    change(`created the tunnel account ${user} (no password, no shell but the Gangway entry point)`)
    return
  }
  const [, , , , , home, shell] = entry.stdout.trim().split(':')
  if (shell !== PROXY.shell || home !== PROXY.stateDir) {
    throw new GangwayError('SETUP_FAILED', `an account named ${user} already exists on the proxy and is not Gangway's (shell ${shell}, home ${home})`, {
      hint: 'Pick another name with --tunnel-user, or remove that account.',
    })
  }
}

export async function ensureDirs(remote: Remote, tunnelUser: string, change: Change): Promise<void> {
  const stats = await remote.root(['stat', '-c', '%a %U:%G %n', '--', ...PROXY_DIRS.map(([d]) => d)])
  const have = new Set(stats.stdout.split('\n').filter(Boolean))
  for (const [dir, mode, who] of PROXY_DIRS) {
    const owner = who === 'TUNNEL' ? tunnelUser : who
    if (have.has(`${mode} ${owner}:${owner} ${dir}`)) continue
    await remote.must(['install', '-d', '-m', mode, '-o', owner, '-g', owner, '--', dir])
    change(`made ${dir}`)
  }
}

async function running(remote: Remote, pidFile: string): Promise<boolean> {
  const pid = (await remote.root(['cat', '--', pidFile])).stdout.trim()
  return /^\d+$/.test(pid) && (await remote.root(['kill', '-0', pid])).code === 0
}

export async function ensureServices(remote: Remote, o: { nginxChanged: boolean; sshdChanged: boolean }, change: Change): Promise<void> {
  if (!(await running(remote, '/run/nginx.pid'))) {
    // apt does not start daemons on hosts without an init system (containers).
    await remote.must(['service', 'nginx', 'start'])
    change('started nginx')
  } else if (o.nginxChanged) {
    await remote.must(['/usr/sbin/nginx', '-s', 'reload'])
    change('reloaded nginx')
  }
  if (o.sshdChanged) {
    // A reload keeps every open session (this one included); sshd -t passed already.
    await remote.must(['service', 'ssh', 'reload'])
    change('reloaded sshd')
  }
}

/**
 * The hold store runs, at boot too; restarted when its code or config changed (it reads
 * agent.json once). Held requests stay on disk across the restart.
 */
export async function ensureHolds(remote: Remote, o: { changed: boolean; systemd: boolean }, change: Change): Promise<void> {
  const service = PROXY.holdService.split('/').pop()!
  if (o.changed) {
    await remote.must(['update-rc.d', service, 'defaults'])
    if (o.systemd) await remote.must(['systemctl', 'daemon-reload'])
    await remote.must(['service', service, 'restart'])
    change('(re)started the hold store (gangway-holds)')
  } else if ((await remote.root(['service', service, 'status'])).code !== 0) {
    await remote.must(['service', service, 'start'])
    change('started the hold store (gangway-holds)')
  }
}

/** certbot's package ships both a systemd timer and /etc/cron.d/certbot: make one of them run. */
export async function ensureRenewal(remote: Remote, systemd: boolean, change: Change): Promise<void> {
  if (systemd) {
    if ((await remote.root(['systemctl', 'is-enabled', 'certbot.timer'])).stdout.trim() !== 'enabled') {
      await remote.must(['systemctl', 'enable', '--now', 'certbot.timer'])
      change('enabled certbot.timer (renewal)')
    }
    return
  }
  if (!(await remote.test('-e', '/etc/cron.d/certbot'))) {
    throw new GangwayError('SETUP_FAILED', 'certbot has no /etc/cron.d/certbot renewal job on this host without systemd', {
      hint: 'Add a daily "certbot -q renew" to root\'s crontab by hand.',
    })
  }
  if ((await remote.root(['pgrep', '-x', 'cron'])).code !== 0) {
    await remote.must(['service', 'cron', 'start'])
    change('started cron (runs /etc/cron.d/certbot for renewal)')
  }
}
