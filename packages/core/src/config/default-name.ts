/**
 * The default share name: stable across restarts so a webhook URL configured once
 * keeps working. Taken from the nearest package.json name, else the directory name.
 */
import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

export const SHARE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** Turns any string into a DNS label, or '' when nothing is left. */
export function toDnsLabel(value: string): string {
  return value
    .replace(/^@[^/]+\//, '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '')
}

export function defaultShareName(cwd: string = process.cwd()): string {
  let dir = cwd
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      try {
        const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name
        if (typeof name === 'string') {
          const label = toDnsLabel(name)
          if (label) return label
        }
      } catch {
        // an unreadable package.json does not decide the name
      }
      break
    }
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return toDnsLabel(basename(cwd)) || 'dev'
}
