/**
 * Does each zone point at the proxy? A random name under the zone (so only a `*.ZONE`
 * record can answer it) and the zone itself are resolved as the proxy resolves them, and
 * every address (A and AAAA) must be one of the proxy's own — as the proxy sees them, or
 * the one this machine reached it at (a proxy behind NAT). When not, the check says the
 * exact record to add or change. setup runs it for every zone; so does gangway doctor.
 */
import { randomBytes } from 'node:crypto'
import { isIPv4, isIPv6 } from 'node:net'
import type { ProxyProbe, Resolved } from './probe.js'

export interface DoctorCheck {
  /** What was checked, e.g. `dns *.dev.example.com`. */
  name: string
  ok: boolean
  /** One line: what was found. */
  summary: string
  /** What to do, when not ok. */
  fix?: string
  /** A failure that only matters for some uses (an apex record): it does not fail doctor. */
  optional?: boolean
}

const PRIVATE = /^(10\.|127\.|169\.254\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.|f[cd]|fe80:|::1$)/i
const isPublic = (a: string) => !PRIVATE.test(a)

/** The address to put in a record: a public one if there is one, else what this machine reached. */
function suggest(candidates: string[], family: (a: string) => boolean): string | undefined {
  const of = candidates.filter(family)
  return of.find(isPublic) ?? of[0]
}

const record = (name: string, type: 'A' | 'AAAA', address: string) => `${name}. 300 IN ${type} ${address}`

/** `candidates`: the proxy's addresses, the one this machine reached first (behind NAT it is the public one). */
function judge(label: string, found: Resolved, candidates: string[], optional: boolean): DoctorCheck {
  const name = `dns ${label}`
  const expected = new Set(candidates)
  const v4 = suggest(candidates, isIPv4)
  const v6 = suggest(candidates, isIPv6)
  const v6Public = v6 && isPublic(v6) ? v6 : undefined
  const wanted = [v4 && record(label, 'A', v4), v6Public && record(label, 'AAAA', v6Public)].filter(Boolean).join(' and ')
  const proxy = [...expected].join(', ') || 'its public address'
  const all = [...found.v4, ...found.v6]
  if (!all.length) {
    return { name, ok: false, optional, summary: `${label} does not resolve (no A or AAAA record)`, fix: wanted ? `Add the DNS record ${wanted}` : `Add an A record for ${label} with the proxy's public address` }
  }
  const wrong = all.filter((a) => !expected.has(a))
  if (wrong.length) {
    const aaaa = found.v6.filter((a) => !expected.has(a))
    return {
      name, ok: false, optional,
      summary: `${label} resolves to ${wrong.join(', ')}, not to the proxy (${proxy})`,
      fix: `Change the record to ${wanted || `the proxy's address (${proxy})`}${aaaa.length && !v6Public ? `, and remove the AAAA record (${aaaa.join(', ')}): the proxy has no public IPv6` : ''}`,
    }
  }
  if (!found.v4.length && v4) return { name, ok: false, optional, summary: `${label} has an AAAA record only: IPv4 visitors cannot reach it`, fix: `Add the DNS record ${record(label, 'A', v4)}` }
  return { name, ok: true, optional, summary: `${label} → ${all.join(', ')} (the proxy)` }
}

export async function checkZoneDns(probe: ProxyProbe, zones: string[]): Promise<DoctorCheck[]> {
  const candidates = [...new Set([...probe.reachedAt, ...(await probe.ownAddresses())])]
  const checks: DoctorCheck[] = []
  for (const zone of zones) {
    const random = `gw-check-${randomBytes(4).toString('hex')}.${zone}`
    checks.push(judge(`*.${zone}`, await probe.resolve(random), candidates, false))
    // The apex only matters for a share of the zone itself (gangway http --host ZONE).
    checks.push(judge(zone, await probe.resolve(zone), candidates, true))
  }
  return checks
}
