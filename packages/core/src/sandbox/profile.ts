/** The user-config profile that points Gangway at a running sandbox. */
import type { Profile } from '../config/user-config.js'
import type { SandboxInfo } from './index.js'

export const SANDBOX_PROFILE = 'sandbox'

export function sandboxProfile(info: SandboxInfo): Profile {
  return {
    proxy: info.target,
    domain: info.domain,
    publicPort: info.httpsPort,
    identityFile: info.identityFile,
    knownHostsFile: info.knownHostsFile,
    caFile: info.caFile,
    resolveTo: info.resolveTo,
    socketDir: info.socketDir,
    sandboxDir: info.dir,
  }
}
