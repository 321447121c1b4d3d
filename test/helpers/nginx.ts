/** What a test reads of a running nginx. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The worker pids of the nginx whose prefix this is, sorted: unchanged means nginx was not reloaded. */
export function nginxWorkers(prefix: string): number[] {
  const master = readFileSync(join(prefix, 'nginx.pid'), 'utf8').trim()
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === master
      } catch {
        return false
      }
    })
    .map(Number)
    .sort((a, b) => a - b)
}
