/**
 * What setup verifies on the proxy before it reloads anything: staged files pass their own
 * checker, the whole nginx and sshd configuration passes `-t`, and sshd's effective
 * settings show the tunnel account locked down while the admin keeps a normal login.
 */
import { GangwayError } from '../errors.js'
import type { Remote } from './remote.js'
import { PROXY } from './proxy-files.js'
import type { SwapChecks } from './install-files.js'
import { TUNNEL_SSHD_EFFECTIVE } from '../proxy/sshd-tunnel.js'

/** sshd's effective settings for one login, as `sshd -T` prints them. */
async function effectiveSshd(remote: Remote, user: string): Promise<string> {
  return remote.must(['/usr/sbin/sshd', '-T', '-C', `user=${user},host=localhost,addr=127.0.0.1`])
}

export function setupChecks(remote: Remote, o: { domain: string; adminUser: string; tunnelUser: string }): SwapChecks {
  return {
    async staged(pathOf) {
      await remote.must(['visudo', '-c', '-q', '-f', pathOf(PROXY.sudoers)], { hint: 'The sudoers rule did not validate; nothing was installed.' })
      const out = await remote.must(['/usr/bin/python3', pathOf(PROXY.agent), '--config', pathOf(PROXY.agentConfig), 'info'])
      const reply = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { ok?: boolean; domain?: string }
      if (!reply.ok || reply.domain !== o.domain) {
        throw new GangwayError('SETUP_FAILED', `the agent rejected its new configuration: ${out.trim()}`, { hint: 'Nothing was installed; report this as a Gangway bug.' })
      }
    },
    async installed() {
      await remote.must(['/usr/sbin/nginx', '-t', '-q'], { hint: 'nginx rejected the configuration (see above); every file was put back.' })
      await remote.must(['/usr/sbin/sshd', '-t'], { hint: 'sshd rejected the configuration (see above); every file was put back.' })
      const tunnel = await effectiveSshd(remote, o.tunnelUser)
      for (const want of [`authorizedkeysfile ${PROXY.authorizedKeys}`, ...TUNNEL_SSHD_EFFECTIVE]) {
        if (!tunnel.split('\n').includes(want)) {
          throw new GangwayError('SETUP_FAILED', `sshd does not apply "${want}" to ${o.tunnelUser}`, {
            hint: 'Another sshd_config setting wins over /etc/ssh/sshd_config.d/gangway.conf (is the Include at the top of sshd_config?).',
          })
        }
      }
      // Never lock the admin out: the Match block must not reach their login.
      if ((await effectiveSshd(remote, o.adminUser)).includes(`authorizedkeysfile ${PROXY.authorizedKeys}`)) {
        throw new GangwayError('SETUP_FAILED', `the tunnel account's sshd settings would also apply to ${o.adminUser}`, {
          hint: 'Check the Match blocks in /etc/ssh/sshd_config; every file was put back.',
        })
      }
    },
  }
}
