/** The machine a table came from. */
import { cpus, release } from 'node:os'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

export interface Machine {
  cpu: string
  cores: number
  kernel: string
  node: string
  openssh: string
  nginx: string
  load: string
}

function version(cmd: string, args: string[]): string {
  // ssh -V and nginx -v print to stderr
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim()
}

export function machine(): Machine {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    kernel: release(),
    node: process.version,
    openssh: version('ssh', ['-V']),
    nginx: version('nginx', ['-v']).replace('nginx version: ', ''),
    load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  }
}
