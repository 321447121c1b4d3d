/**
 * certbot's renewal hooks on every proxy (setup's in /etc/letsencrypt/renewal-hooks, the
 * sandbox's in its certbot config dir), rendered in one place. certbot runs a deploy hook
 * once per renewed lineage and the post hooks once after a `certbot renew` that tried
 * anything: the deploy hook only leaves a mark, the post hook reloads nginx once when it
 * finds one. A renewal run reloads nginx once however many certificates it renewed (each
 * reload makes old workers drop idle keep-alive connections), and not at all when nothing
 * was renewed. A failed nginx -t reloads nothing: the old certificates keep serving.
 */
import { buildCommand } from '../ssh/exec.js'

export interface RenewalHookOptions {
  /** `nginx -t` as argv (the sandbox passes its -p/-c). */
  nginxTest: string[]
  nginxReload: string[]
  /** The mark the deploy hook leaves for the post hook (a root-owned directory). */
  marker: string
}

/** Both hooks' file name, in renewal-hooks/deploy and renewal-hooks/post. */
export const RENEWAL_HOOK_NAME = 'gangway-reload-nginx'

export function renderRenewalHooks(o: RenewalHookOptions): { deploy: string; post: string } {
  const marker = buildCommand([o.marker])
  return {
    deploy: `#!/bin/sh
# Written by Gangway: certbot renewed $RENEWED_LINEAGE. The post hook reloads nginx once,
# after every renewal of this run.
: >${marker}
`,
    post: `#!/bin/sh
# Written by Gangway: after certbot renew, nginx serves what the deploy hook marked as
# renewed, with one reload (none when nothing was renewed or nginx -t fails).
[ -e ${marker} ] || exit 0
rm -f ${marker}
${buildCommand(o.nginxTest)} && exec ${buildCommand(o.nginxReload)}
`,
  }
}
