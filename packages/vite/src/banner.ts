/**
 * The public URL inside Vite's own URL banner, formatted like its Local/Network lines,
 * with an optional QR code for phones. Vite prints the banner right after it listens,
 * before the tunnel is up: the line then waits for the first connection and is printed
 * once it is online, so it never shows a state that is already stale.
 */
import { colorsFor, publicUrlLine, qrCode, type TunnelState } from '@gangway/core'

export type PublicState = TunnelState | 'failed'

const NOTES: Partial<Record<PublicState, string>> = {
  offline: '(offline, reconnecting…)',
  reconnecting: '(offline, reconnecting…)',
  closed: '(closed)',
  failed: '(not connected, see the error above)',
}

export function bannerLine(url: string, state: PublicState): string {
  return publicUrlLine(url, { layout: 'banner', note: NOTES[state], colors: colorsFor(process.stdout) })
}

interface PrintsUrls {
  printUrls(): void
}

export interface Banner {
  /** The share's state changed; prints the line now if a banner was waiting for it. */
  update(state: PublicState): void
  /** The line is owed to a banner printed while connecting (nothing else announced the URL yet). */
  readonly waiting: boolean
}

/** Wraps `server.printUrls` so every banner (first start, restarts, the `u` key) ends with the public line. */
export function wrapPrintUrls(server: PrintsUrls, info: (line: string) => void, url: string, qr: boolean): Banner {
  let state: PublicState = 'connecting'
  let waiting = false
  const printLine = () => {
    info(bannerLine(url, state))
    if (qr && state === 'online') info(qrCode(url))
  }
  const print = server.printUrls.bind(server)
  server.printUrls = () => {
    print()
    if (state === 'connecting') waiting = true
    else printLine()
  }
  return {
    update(next) {
      state = next
      if (waiting && next !== 'connecting') {
        waiting = false
        // Online: the URL. Failed: the line says so, under the error that explains it.
        printLine()
      }
    },
    get waiting() {
      return waiting
    },
  }
}
