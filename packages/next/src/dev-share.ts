/**
 * The share of one `next dev` server. Next 15.2+ and 16 load next.config in the server
 * process after the server listens, with `process.env.PORT` already set to the port it
 * got (`-p`, PORT, or the next free one when 3000 is busy). The config may be loaded
 * again in the same process (a restart of its router, another phase's lookup): the share
 * is opened once per process and port, on globalThis so a re-evaluated copy of this
 * module finds it too.
 */
import { colorsFor, publicUrlLine, publishPort, shareClosedMessage, type Logger, type PlannedShare, type ResolvedShare, type Tunnel } from '@gangway/core'

const REGISTRY: unique symbol = Symbol.for('gangway.next.shares') as never
const store = globalThis as { [REGISTRY]?: Map<string, Promise<Tunnel | undefined>> }
const shares = (store[REGISTRY] ??= new Map<string, Promise<Tunnel | undefined>>())

/** `[gangway]` lines in Next's own shape (` ⚠ ` for warnings), on the console Next writes to. */
export const nextLogger: Logger = {
  info: (m) => console.log(` [gangway] ${m}`),
  warn: (m) => console.warn(` ⚠ [gangway] ${m}`),
  error: (m) => console.error(` ⨯ [gangway] ${m}`),
  debug: (m) => {
    if (process.env.DEBUG?.includes('gangway')) console.log(` [gangway] ${m}`)
  },
}

/** The port Next listens on, as it stored it for its render workers; undefined outside the dev server process. */
export function devServerPort(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const port = Number(env.PORT)
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined
}

/** The host Next listens on (`-H`), from the origin it prints; localhost when it listens everywhere. */
function devServerHost(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return env.__NEXT_PRIVATE_ORIGIN ? new URL(env.__NEXT_PRIVATE_ORIGIN).hostname.replace(/^\[|\]$/g, '') : undefined
  } catch {
    return undefined
  }
}

/** Opens the share for the dev server on `port` once; later calls get the same tunnel. */
export function shareDevServer(plan: Extract<PlannedShare, { share: ResolvedShare }>, port: number, env: NodeJS.ProcessEnv = process.env): Promise<Tunnel | undefined> {
  const key = `${plan.share.proxy} ${plan.share.host} ${port}`
  let share = shares.get(key)
  if (!share) {
    share = publishPort({ plan, port, address: devServerHost(env), logger: nextLogger }).then((tunnel) => {
      if (tunnel) console.log(publicUrlLine(tunnel.url, { layout: 'next', colors: colorsFor(process.stdout) }))
      if (tunnel?.inspectorUrl) console.log(publicUrlLine(tunnel.inspectorUrl, { layout: 'next', label: 'Inspector', colors: colorsFor(process.stdout) }))
      return tunnel
    })
    shares.set(key, share)
    void share.then((tunnel) => tunnel && sayWhenProcessEnds(tunnel))
  }
  return share
}

/**
 * The process is Next's, and so are its signals: on Ctrl-C Next exits, and the share ends
 * with the process (the proxy drops the forward with the connection, visitors get the
 * offline page). Nothing async can run then, but the line can still be said.
 */
function sayWhenProcessEnds(tunnel: Tunnel): void {
  let said = false
  tunnel.on('status', (s) => {
    if (s.state === 'closed') said = true // publishPort has logged it
  })
  process.once('exit', () => {
    if (!said) nextLogger.info(shareClosedMessage(tunnel.url, { state: 'closed' }))
  })
}
