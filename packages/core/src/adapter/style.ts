/**
 * Terminal colours from node:util styleText, decided once per stream. styleText itself
 * is not enough: on Node 20 it checks the stream for a single format but not for an
 * array of them, and before 20.19 not at all. So the decision is made here, Node's way
 * (`hasColors()` reads NO_COLOR, FORCE_COLOR and TERM), and styleText only paints.
 */
import { styleText } from 'node:util'

type Format = 'green' | 'cyan' | 'bold' | 'dim' | 'yellow' | 'red' | 'magenta'

export type Paint = Record<Format, (text: string) => string>

interface StreamLike {
  isTTY?: boolean
  hasColors?: () => boolean
}

/** Whether to colour what goes to `stream`: a terminal that has colours, or FORCE_COLOR set (pipes, CI logs). */
export function colorsFor(stream: StreamLike | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force !== 'false'
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return Boolean(stream?.isTTY && (stream.hasColors?.() ?? true))
}

const FORMATS: Format[] = ['green', 'cyan', 'bold', 'dim', 'yellow', 'red', 'magenta']

/** `paint(true).cyan(url)`; `paint(false)` leaves text as it is. */
export function paint(on: boolean): Paint {
  const entries = FORMATS.map((f) => [f, on ? (t: string) => styleText(f, t, { validateStream: false } as never) : (t: string) => t] as const)
  return Object.fromEntries(entries) as Paint
}
