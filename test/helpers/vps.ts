/**
 * A throwaway "bare Debian VPS" on this machine, for the `gangway setup` tests.
 *
 * Each VPS is a fresh copy of the image from scripts/vps-image.sh, run as a small
 * container made of plain kernel namespaces (no Docker, no systemd):
 *  - its own network namespace `gwvps-<id>` joined to the host by a veth pair
 *    (host 10.213.X.1/30, VPS 10.213.X.2/30) and NO default route: the VPS reaches
 *    only its own loopback and the host's end of the veth, never anything else;
 *  - its own PID, mount and UTS namespaces: its `ps` sees only itself, its /proc,
 *    /dev, /sys and /run mounts live and die with it (nothing is ever mounted in
 *    the host's mount namespace, so a crash cannot leave mounts behind), and killing
 *    its PID 1 makes the kernel kill every process inside;
 *  - Debian's own sshd started by /etc/init.d/ssh on 0.0.0.0:22, so `service ssh reload`
 *    and `sshd -t` behave as on a real host without systemd;
 *  - apt resolves packages from a file: repository inside the image (nginx, certbot
 *    and their dependencies), since the VPS has no network to a mirror.
 * Needs root. Reach it from the host at `vps.host`:22; the VPS reaches the host at
 * `vps.hostSideAddress` (bind e.g. a pebble ACME server there for HTTP-01 tests).
 */
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync, chownSync, closeSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const VPS_PREFIX = 'gwvps-'
const IMAGE_SCRIPT = fileURLToPath(new URL('../../scripts/vps-image.sh', import.meta.url))
const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export interface ExecResult { code: number; stdout: string; stderr: string }

export interface Vps {
  name: string                // netns name and VPS hostname, gwvps-<id>
  dir: string                 // temp dir: root/, keys, known_hosts, init.log
  root: string                // the VPS's filesystem, as seen from the host
  host: string                // VPS address, reachable from the host
  hostSideAddress: string     // host end of the veth, reachable from the VPS
  sshPort: number
  adminUser: 'admin'
  adminKey: string            // path of the admin's ed25519 private key (OpenSSH format, no passphrase)
  knownHostsFile: string      // the VPS's host keys, `[host]:port` form when port != 22
  /** Runs argv inside the VPS as root (all its namespaces, chrooted); never rejects on exit code. */
  exec(argv: string[], opts?: { input?: string; timeoutMs?: number }): Promise<ExecResult>
  /** Host PIDs of every process in the VPS (for assertions). */
  pids(): Promise<number[]>
  /** Kills everything inside, deletes the netns and the dir. Idempotent. */
  stop(): Promise<void>
}

function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { maxBuffer: 64 << 20, timeout: opts.timeoutMs ?? 600_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        // err.code is the exit status, or a string (ENOENT...) when the command could not run
        const raw = (err as { code?: unknown } | null)?.code
        const code = !err ? 0 : typeof raw === 'number' ? raw : 127
        resolve({ code, stdout, stderr: stderr || (err && typeof raw !== 'number' ? err.message : '') })
      })
    if (opts.input !== undefined) child.stdin!.end(opts.input)
    else child.stdin!.end()
  })
}

async function must(cmd: string, args: string[]): Promise<string> {
  const r = await run(cmd, args)
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`)
  return r.stdout
}

const alive = (pid: number) => { try { process.kill(pid, 0); return true } catch { return false } }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function netnsPids(ns: string): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', ns])
  return r.code === 0 ? r.stdout.split(/\s+/).filter(Boolean).map(Number) : []
}

/** Kills every process of the netns and deletes it; the veth dies with it. */
async function destroyNetns(ns: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const pids = await netnsPids(ns)
    if (pids.length === 0) break
    for (const p of pids) { try { process.kill(p, 'SIGKILL') } catch {} }
    await sleep(100)
  }
  await run('ip', ['netns', 'del', ns])
}

/**
 * Removes VPSes left by crashed runs: a gwvps-* netns or dir whose owner process is gone.
 * VPSes of a live test process (another worker or run) are left alone.
 */
export async function cleanupStaleVps(): Promise<void> {
  const nsList = (await run('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(VPS_PREFIX))
  const dirs = readdirSync(tmpdir()).filter((n) => n.startsWith(VPS_PREFIX))
  for (const name of new Set([...nsList, ...dirs])) {
    const dir = join(tmpdir(), name)
    let owner = 0
    try { owner = Number(readFileSync(join(dir, 'owner'), 'utf8')) } catch {}
    if (owner && owner !== process.pid && alive(owner)) continue
    if (owner === process.pid) continue
    if (nsList.includes(name)) await destroyNetns(name)
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Builds the image if this machine has none yet (minutes, once), returns its path. */
export async function vpsImage(): Promise<string> {
  const r = await run('bash', [IMAGE_SCRIPT], { timeoutMs: 20 * 60_000 })
  if (r.code !== 0) throw new Error(`vps-image.sh failed (${r.code}):\n${r.stderr.slice(-4000)}`)
  return r.stdout.trim().split('\n').pop()!
}

/** A free 10.213.X.0/30 on the host (X random, not yet on any interface). */
async function pickSubnet(): Promise<number> {
  const used: string[] = (await must('ip', ['-4', '-o', 'addr', 'show'])).match(/10\.213\.\d+\./g) ?? []
  for (let i = 0; i < 100; i++) {
    const x = Math.floor(Math.random() * 256)
    if (!used.includes(`10.213.${x}.`)) return x
  }
  throw new Error('no free 10.213.X.0/30 subnet')
}

/** True once something on host:port speaks SSH. */
function sshBanner(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 1000 })
    s.once('data', (d) => { s.destroy(); resolve(d.toString().startsWith('SSH-')) })
    s.once('error', () => resolve(false))
    s.once('timeout', () => { s.destroy(); resolve(false) })
  })
}

// PID 1 of the VPS, first part: host shell in the new (private) mount namespace,
// mounting what a Debian system expects, then chrooting into the VPS.
// /dev is a tmpfs with single device nodes bound from the host (not all of host /dev:
// the VPS must not see the host's disks) and its own devpts for ptys.
const MOUNT_SCRIPT = `
R=$1
mount -t proc proc "$R/proc"
mount -t sysfs -o ro sysfs "$R/sys"   # read-only: the VPS shares the host kernel
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$R/run"
mount -t tmpfs -o mode=755,nosuid tmpfs "$R/dev"
for d in null zero full random urandom tty; do : >"$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$R/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
ln -s pts/ptmx "$R/dev/ptmx"; ln -s /proc/self/fd "$R/dev/fd"
ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"
hostname "$2"
exec chroot "$R" /usr/bin/env -i ${PATH} LANG=C.UTF-8 /usr/bin/python3 -c "$3"
`
// Second part, inside the VPS: fresh host keys, sshd the Debian way, then reap orphans
// forever (daemons started later, e.g. nginx by apt, are re-parented to PID 1).
const INIT_PY = `
import os, subprocess, time
subprocess.run(['ssh-keygen', '-A'], check=True)
subprocess.run(['/etc/init.d/ssh', 'start'], check=True)
while True:
    try: os.wait()
    except ChildProcessError: time.sleep(1)
`

export async function startVps(opts: { name?: string } = {}): Promise<Vps> {
  if (process.getuid?.() !== 0) throw new Error('startVps needs root (network namespaces, chroot)')
  await cleanupStaleVps()
  const image = await vpsImage()

  const id = randomBytes(3).toString('hex')
  const name = `${VPS_PREFIX}${id}`
  const dir = join(tmpdir(), name)
  const root = join(dir, 'root')
  const veth = `gwvh-${id}`                 // host side; interface names max 15 chars
  let initPid = 0
  let stopped = false

  const stop = async () => {
    if (stopped) return
    stopped = true
    const inside = [...new Set([...(await netnsPids(name)), ...pidsRootedIn(root)])]
    if (initPid) { try { process.kill(initPid, 'SIGKILL') } catch {} }  // kernel kills the whole PID namespace
    await destroyNetns(name)
    // The kernel tears the namespace down asynchronously: wait until its processes are gone.
    for (let i = 0; i < 100 && inside.some((p) => existsSync(`/proc/${p}`)); i++) await sleep(50)
    await run('ip', ['link', 'del', veth])  // normally gone with the netns already
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    // Owner file first: from here on, a crash leaves something cleanupStaleVps() recognises.
    mkdirSync(root, { recursive: true })
    writeFileSync(join(dir, 'owner'), String(process.pid))
    await must('tar', ['--numeric-owner', '-C', root, '-xf', image])

    const x = await pickSubnet()
    const hostSideAddress = `10.213.${x}.1`
    const host = `10.213.${x}.2`
    await must('ip', ['netns', 'add', name])
    await must('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name])
    await must('ip', ['addr', 'add', `${hostSideAddress}/30`, 'dev', veth])
    await must('ip', ['link', 'set', veth, 'up'])
    await must('ip', ['-n', name, 'addr', 'add', `${host}/30`, 'dev', 'eth0'])
    await must('ip', ['-n', name, 'link', 'set', 'eth0', 'up'])
    await must('ip', ['-n', name, 'link', 'set', 'lo', 'up'])

    const hostname = opts.name ?? name
    writeFileSync(join(root, 'etc/hostname'), `${hostname}\n`)
    writeFileSync(join(root, 'etc/hosts'), `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`)

    // The admin's key, as a provider would install it from the user's upload.
    const adminKey = join(dir, 'admin_ed25519')
    await must('chroot', [root, '/usr/bin/ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `admin@${hostname}`, '-f', '/tmp/admin_ed25519'])
    renameSync(join(root, 'tmp/admin_ed25519'), adminKey)
    renameSync(join(root, 'tmp/admin_ed25519.pub'), `${adminKey}.pub`)
    const [uid, gid] = readFileSync(join(root, 'etc/passwd'), 'utf8').split('\n').find((l) => l.startsWith('admin:'))!.split(':').slice(2, 4).map(Number)
    const sshDir = join(root, 'home/admin/.ssh')
    mkdirSync(sshDir, { mode: 0o700 })
    writeFileSync(join(sshDir, 'authorized_keys'), readFileSync(`${adminKey}.pub`), { mode: 0o600 })
    chownSync(sshDir, uid, gid)
    chownSync(join(sshDir, 'authorized_keys'), uid, gid)

    // PID 1: `ip netns exec` execs unshare, which forks the namespace's init.
    const log = openSync(join(dir, 'init.log'), 'a')
    const child = spawn('ip', ['netns', 'exec', name, 'unshare', '--mount', '--propagation', 'private', '--pid', '--uts', '--fork',
      'sh', '-euc', MOUNT_SCRIPT, 'vps-init', root, hostname, INIT_PY], { stdio: ['ignore', log, log] })
    closeSync(log)
    child.unref()
    let exited = false
    child.once('exit', () => { exited = true })

    const deadline = Date.now() + 30_000
    while (!(await sshBanner(host, 22))) {
      if (exited || Date.now() > deadline) {
        throw new Error(`VPS ${name} did not start sshd:\n${readFileSync(join(dir, 'init.log'), 'utf8').slice(-4000)}`)
      }
      await sleep(100)
    }
    // Find PID 1 of the VPS by its host PID: the process whose innermost NSpid is 1.
    for (const p of await netnsPids(name)) {
      try { if (/^NSpid:.*\s1$/m.test(readFileSync(`/proc/${p}/status`, 'utf8'))) initPid = p } catch {}
    }
    if (!initPid) throw new Error(`VPS ${name}: cannot find its PID 1`)

    const knownHostsFile = join(dir, 'known_hosts')
    const keys = readdirSync(join(root, 'etc/ssh')).filter((f) => /^ssh_host_.*_key\.pub$/.test(f))
    writeFileSync(knownHostsFile, keys.map((f) => {
      const [type, blob] = readFileSync(join(root, 'etc/ssh', f), 'utf8').trim().split(/\s+/)
      return `${host} ${type} ${blob}\n`   // port 22: plain host form
    }).join(''))

    const exec: Vps['exec'] = (argv, o = {}) => run('nsenter', ['-t', String(initPid), '-m', '-u', '-n', '-p', '-r', '-w', '--',
      '/usr/bin/env', '-i', PATH, 'HOME=/root', 'LANG=C.UTF-8', ...argv], o)

    return {
      name, dir, root, host, hostSideAddress, sshPort: 22, adminUser: 'admin', adminKey, knownHostsFile,
      exec, pids: () => netnsPids(name), stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Host PIDs whose root directory is inside dir (processes chrooted in a VPS). */
export function pidsRootedIn(dir: string): number[] {
  const out: number[] = []
  for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try { if (readlinkSync(`/proc/${p}/root`).startsWith(dir)) out.push(Number(p)) } catch {}
  }
  return out
}

/** Mount points (host mount namespace) that mention s. */
export function mountsMentioning(s: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(s))
}
