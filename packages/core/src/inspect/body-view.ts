/**
 * How a recorded body is shown: JSON pretty-printed, text as text, anything else as
 * its size and a hex dump. Decided here (not in the page) so it is tested in Node.
 */
import { headerValue, type BodyCapture } from './exchange.js'

export interface BodyView {
  kind: 'empty' | 'json' | 'text' | 'binary'
  /** Full size on the wire. */
  size: number
  /** Bytes kept; less than size when truncated. */
  storedSize: number
  truncated: boolean
  contentType?: string
  /** Content-Encoding (gzip, br…): such bodies are shown as binary. */
  encoding?: string
  /** json: pretty-printed; text: as is; binary: a hex dump of the first HEX_LIMIT bytes. */
  text: string
  /** Stored bytes in base64, so a replay can be edited from exactly what was sent. */
  base64: string
}

/** A hex dump of more than this is not readable anyway. */
export const HEX_LIMIT = 4096

const utf8 = new TextDecoder('utf-8', { fatal: true })

function decodeUtf8(bytes: Buffer, truncated: boolean): string | undefined {
  try {
    return utf8.decode(bytes)
  } catch {
    if (!truncated) return undefined
    // The cut may have split a multi-byte character: try without the last 1–3 bytes.
    for (let cut = 1; cut <= 3 && cut < bytes.length; cut++) {
      try {
        return utf8.decode(bytes.subarray(0, bytes.length - cut))
      } catch {
        /* keep cutting */
      }
    }
    return undefined
  }
}

function looksTextual(text: string): boolean {
  // Control characters other than tab, newline and carriage return mean binary.
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text.slice(0, 8192))
}

export function hexDump(bytes: Buffer, limit = HEX_LIMIT): string {
  const lines: string[] = []
  const shown = bytes.subarray(0, limit)
  for (let off = 0; off < shown.length; off += 16) {
    const row = shown.subarray(off, off + 16)
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ')
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`)
  }
  if (bytes.length > shown.length) lines.push(`… ${bytes.length - shown.length} more bytes not shown`)
  return lines.join('\n')
}

export function viewBody(body: BodyCapture, headers: [string, string][]): BodyView {
  const bytes = body.bytes()
  const contentType = headerValue(headers, 'content-type')
  const encoding = headerValue(headers, 'content-encoding')
  const base = { size: body.size, storedSize: bytes.length, truncated: body.truncated, contentType, encoding, base64: bytes.toString('base64') }
  if (body.size === 0) return { ...base, kind: 'empty', text: '' }
  const compressed = encoding !== undefined && encoding.toLowerCase() !== 'identity'
  const text = compressed ? undefined : decodeUtf8(bytes, body.truncated)
  if (text !== undefined && looksTextual(text)) {
    const jsonish = /json/i.test(contentType ?? '') || /^\s*[[{]/.test(text)
    if (jsonish && !body.truncated) {
      try {
        return { ...base, kind: 'json', text: JSON.stringify(JSON.parse(text), null, 2) }
      } catch {
        /* not JSON after all: show as text */
      }
    }
    return { ...base, kind: 'text', text }
  }
  return { ...base, kind: 'binary', text: hexDump(bytes) }
}
