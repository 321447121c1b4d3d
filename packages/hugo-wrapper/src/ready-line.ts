/**
 * Hugo's "server is up" line. 0.111 (Debian) prints
 *   Web Server is available at http://localhost:1313/ (bind address 127.0.0.1)
 * newer versions append the site's root or language ("… (bind address 127.0.0.1) en",
 * or a trailing space when there is none), and may prefix log decorations.
 */
export interface ReadyLine {
  /** The URL hugo says it serves: with gangway's flags, the public baseURL. */
  url: string
  /** The address hugo bound. */
  bind: string | undefined
  /** Language or root appended by newer hugo versions, if any. */
  language: string | undefined
}

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g
const READY = /Web Server is available at (\S+)(?: \(bind address ([^)\s]*)\))?(?:[ \t]+(\S+))?/

export function parseReadyLine(line: string): ReadyLine | undefined {
  const m = READY.exec(line.replace(ANSI, ''))
  if (!m) return undefined
  return { url: m[1]!, bind: m[2] || undefined, language: m[3] || undefined }
}

/** Strips colour codes, for the output tail kept for error messages. */
export function plain(line: string): string {
  return line.replace(ANSI, '')
}
