/**
 * Stage, validate, swap: the changed files are written to a staging directory, checked
 * there where a checker exists (visudo, the agent itself), then moved into place with a
 * backup of each old file, and checked again as a whole (nginx -t, sshd -t) before any
 * daemon is told. Any failure puts every old file back: nginx and sshd keep serving
 * what they served before, because nothing was reloaded.
 */
import { createHash } from 'node:crypto'
import { GangwayError } from '../errors.js'
import type { Remote } from './remote.js'
import { PROXY, type ManagedFile } from './proxy-files.js'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
/** One flat name per path inside the staging/backup directories. */
const flat = (path: string) => path.replace(/\//g, '%')

export interface FileChanges {
  changed: ManagedFile[]
  /** Debian's default site claims default_server on port 80: it is moved aside. */
  disableDefaultSite: boolean
}

export async function diffFiles(remote: Remote, files: ManagedFile[]): Promise<FileChanges> {
  const states = await remote.fileStates(files.map((f) => f.path))
  const changed = files.filter((f) => {
    const state = states.get(f.path)
    return !state || state.sha256 !== sha256(f.content) || state.meta !== `${f.mode} root:root`
  })
  return { changed, disableDefaultSite: await remote.test('-e', PROXY.nginxDefaultSite) }
}

export interface SwapChecks {
  /** Checks staged files (path → staged path, or the installed path when unchanged). */
  staged(pathOf: (path: string) => string): Promise<void>
  /** Checks the installed configuration as a whole, after the swap, before any reload. */
  installed(): Promise<void>
}

export async function installFiles(remote: Remote, changes: FileChanges, checks: SwapChecks): Promise<void> {
  const { changed, disableDefaultSite } = changes
  if (!changed.length && !disableDefaultSite) return
  await remote.must(['rm', '-rf', '--', PROXY.stagingDir, PROXY.backupDir])
  await remote.must(['install', '-d', '-m', '700', '--', PROXY.stagingDir, PROXY.backupDir])
  const staged = (path: string) => `${PROXY.stagingDir}/${flat(path)}`
  const backup = (path: string) => `${PROXY.backupDir}/${flat(path)}`
  for (const f of changed) await remote.writeFile(staged(f.path), f.content, f.mode)
  const changedPaths = new Set(changed.map((f) => f.path))
  await checks.staged((path) => (changedPaths.has(path) ? staged(path) : path))

  // Swap, remembering how to undo each step.
  const undo: string[][] = []
  const rollback = async () => {
    for (const argv of undo.reverse()) await remote.root(argv)
  }
  try {
    for (const f of changed) {
      if (await remote.test('-e', f.path)) {
        await remote.must(['cp', '-a', '--', f.path, backup(f.path)])
        undo.push(['mv', '-f', '--', backup(f.path), f.path])
      } else {
        undo.push(['rm', '-f', '--', f.path])
      }
      await remote.must(['mv', '-f', '--', staged(f.path), f.path])
    }
    if (disableDefaultSite) {
      await remote.must(['mv', '-f', '--', PROXY.nginxDefaultSite, backup(PROXY.nginxDefaultSite)])
      undo.push(['mv', '-f', '--', backup(PROXY.nginxDefaultSite), PROXY.nginxDefaultSite])
    }
    await checks.installed()
  } catch (err) {
    await rollback()
    throw err instanceof GangwayError
      ? new GangwayError(err.code, `${err.message}\nEvery file was put back; nothing was reloaded.`, { hint: err.hint, cause: err })
      : err
  }
  // Debian's default site stays in the backup dir, the rest is dropped.
  await remote.must(['rm', '-rf', '--', PROXY.stagingDir])
  for (const f of changed) await remote.root(['rm', '-f', '--', backup(f.path)])
}
