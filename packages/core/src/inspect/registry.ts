/**
 * Where `gangway replay` finds the inspectors of this user's running processes: one file
 * per inspector (URL with its token) in a directory only this user can read.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export interface InspectorRecord {
  /** `http://127.0.0.1:PORT/?token=…` */
  url: string
  port: number
  token: string
  pid: number
  /** The local server replays go to. */
  localPort: number
  started: string
}

export function registryDir(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state')
  return join(state, 'gangway', 'inspectors')
}

export function recordInspector(record: InspectorRecord): () => void {
  const dir = registryDir()
  const file = join(dir, `${record.port}.json`)
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    writeFileSync(file, JSON.stringify(record) + '\n', { mode: 0o600 })
  } catch {
    return () => {} // no registry: replay then needs --inspector with the printed address
  }
  return () => rmSync(file, { force: true })
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The newest inspector of a live process of this user, if any. */
export function findInspector(): InspectorRecord | undefined {
  let entries: string[]
  try {
    entries = readdirSync(registryDir())
  } catch {
    return undefined
  }
  const records = entries
    .filter((e) => e.endsWith('.json'))
    .map((e) => {
      try {
        return JSON.parse(readFileSync(join(registryDir(), e), 'utf8')) as InspectorRecord
      } catch {
        return undefined
      }
    })
    .filter((r): r is InspectorRecord => Boolean(r && typeof r.url === 'string' && alive(r.pid)))
  return records.sort((a, b) => b.started.localeCompare(a.started))[0]
}

/** Base URL and auth header for an inspector: given (its printed address), or found. */
export function inspectorEndpoint(given?: string): { base: string; headers: Record<string, string> } | undefined {
  if (given) {
    const url = new URL(given)
    const token = url.searchParams.get('token')
    const found = token ? undefined : findInspector()
    const use = token ?? (found && new URL(found.url).port === url.port ? found.token : undefined)
    return { base: `${url.origin}/`, headers: use ? { authorization: `Bearer ${use}` } : {} }
  }
  const found = findInspector()
  return found && { base: `http://127.0.0.1:${found.port}/`, headers: { authorization: `Bearer ${found.token}` } }
}
