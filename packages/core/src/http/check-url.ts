/**
 * A visitor's request to a share's public URL, verifying TLS against the profile's CA
 * file when it has one and connecting to `resolveTo` when DNS does not know the name.
 * Used by the demo and `gangway http --check` to prove the URL really answers.
 */
import { readFileSync } from 'node:fs'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import type { ResolvedShare } from '../types.js'

export interface UrlCheck {
  status: number
  /** TLS chain verified against the CA (system store, or the share's caFile). */
  verified: boolean
  ms: number
}

/**
 * A `lookup` for node:net/https that resolves every name to `address`: for share names
 * DNS does not know (the sandbox's *.gangway.test, a test proxy's address).
 */
export function lookupTo(address: string): LookupFunction {
  const family = address.includes(':') ? 6 : 4
  return (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }])
    else cb(null, address, family)
  }
}

export function checkPublicUrl(share: ResolvedShare, path = '/', timeoutMs = 10_000): Promise<UrlCheck> {
  const lookup = share.resolveTo ? lookupTo(share.resolveTo) : undefined
  const start = Date.now()
  return new Promise((resolve, reject) => {
    const req = https.get(
      new URL(path, share.url),
      { ca: share.caFile ? readFileSync(share.caFile) : undefined, lookup, timeout: timeoutMs, agent: false },
      (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode ?? 0, verified: true, ms: Date.now() - start }))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer from ${share.url} in ${timeoutMs} ms`)))
    req.on('error', reject)
  })
}
