/** Finding hugo: on PATH (or where the caller says), with an install hint when absent. */
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, isAbsolute, join, resolve } from 'node:path'
import { HugoError } from './errors.js'

export const INSTALL_HINT =
  'Install Hugo: sudo apt-get install hugo (Debian/Ubuntu), brew install hugo (macOS), or see https://gohugo.io/installation/ — then run gangway-hugo again.'

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return statSync(file).isFile()
  } catch {
    return false
  }
}

/** The hugo executable to run: `hugo` itself when it has a slash, else looked up on PATH. */
export function findHugo(hugo = 'hugo', env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (hugo.includes('/')) {
    const file = isAbsolute(hugo) ? hugo : resolve(cwd, hugo)
    if (executable(file)) return file
    throw new HugoError('HUGO_NOT_FOUND', `${file} is not an executable hugo`, { hint: INSTALL_HINT, exitCode: 127 })
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const file = join(dir, hugo)
    if (executable(file)) return file
  }
  throw new HugoError('HUGO_NOT_FOUND', `${hugo} was not found on PATH`, { hint: INSTALL_HINT, exitCode: 127 })
}
