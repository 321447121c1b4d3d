/**
 * Authentication methods for the proxy, in OpenSSH's order: the ssh-agent from
 * SSH_AUTH_SOCK, then identity files. Encrypted keys take a passphrase from the
 * options (or GANGWAY_KEY_PASSPHRASE); without one they are skipped and the reason
 * is kept, so a failed login says exactly which key needed what.
 */
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { GangwayError } from '../errors.js'

const { utils } = ssh2

export type AuthMethod =
  | { type: 'agent'; username: string; agent: string }
  | { type: 'publickey'; username: string; key: Buffer; passphrase?: string; file: string }

export interface AuthPlan {
  methods: AuthMethod[]
  /** Why keys were skipped: shown when the login fails. */
  notes: string[]
}

export interface AuthInput {
  username: string
  /** Explicit identity file: unreadable or undecryptable is an error, not a skip. */
  identityFile?: string
  /** IdentityFile entries from ssh config. */
  configIdentityFiles: string[]
  passphrase?: string
  agentSocket?: string
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa']

export function planAuth(input: AuthInput): AuthPlan {
  const methods: AuthMethod[] = []
  const notes: string[] = []
  if (input.agentSocket) methods.push({ type: 'agent', username: input.username, agent: input.agentSocket })

  const explicit = input.identityFile ? [input.identityFile] : []
  const implicit = input.identityFile
    ? []
    : input.configIdentityFiles.length
      ? input.configIdentityFiles
      : DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k))

  for (const file of [...explicit, ...implicit]) {
    const strict = explicit.includes(file)
    let data: Buffer
    try {
      data = readFileSync(file)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT' && !strict) continue
      const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : `cannot be read (${code})`
      if (strict) {
        throw new GangwayError('KEY_UNREADABLE', `identity file ${file} ${why}`, {
          hint: 'Check the path and its permissions (it must be readable by you), or set identityFile / GANGWAY_IDENTITY_FILE to the right key.',
          cause: err,
        })
      }
      notes.push(`${file} ${why}`)
      continue
    }
    const parsed = utils.parseKey(data, input.passphrase)
    if (parsed instanceof Error) {
      const encrypted = /no passphrase given/i.test(parsed.message)
      const wrong = /bad passphrase|integrity check failed|decrypt/i.test(parsed.message)
      if (encrypted) {
        const err = new GangwayError('KEY_PASSPHRASE_REQUIRED', `identity file ${file} is encrypted and no passphrase was given`, {
          hint: 'Set GANGWAY_KEY_PASSPHRASE (or the passphrase option), or load the key into ssh-agent with ssh-add.',
        })
        if (strict) throw err
        notes.push(err.message)
        continue
      }
      if (wrong) {
        const err = new GangwayError('KEY_PASSPHRASE_WRONG', `the passphrase for identity file ${file} is wrong`, {
          hint: 'Check GANGWAY_KEY_PASSPHRASE (or the passphrase option).',
        })
        if (strict) throw err
        notes.push(err.message)
        continue
      }
      const err = new GangwayError('KEY_UNREADABLE', `identity file ${file} is not a private key I can read: ${parsed.message}`, {
        hint: 'Point identityFile at an OpenSSH, PEM or PPK private key.',
      })
      if (strict) throw err
      notes.push(err.message)
      continue
    }
    methods.push({ type: 'publickey', username: input.username, key: data, passphrase: input.passphrase, file })
  }
  return { methods, notes }
}

/** ssh2 authHandler that walks the plan once, in order. */
export function authHandler(plan: AuthPlan) {
  const queue = [...plan.methods]
  return (_methodsLeft: unknown, _partial: unknown, next: (m: unknown) => void) => {
    const method = queue.shift()
    if (!method) return next(false)
    if (method.type === 'agent') return next({ type: 'agent', username: method.username, agent: method.agent })
    return next({ type: 'publickey', username: method.username, key: method.key, passphrase: method.passphrase })
  }
}
