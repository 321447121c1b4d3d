/** Options of `gangway setup`, validated all at once so one error lists every bad value. */
import { existsSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { GangwayError } from '../errors.js'
import type { Logger } from '../types.js'
import { LABEL, toLabel } from '../proxy/agent-config.js'
import { validateDns, type DnsOptions } from './dns01.js'

export interface SetupOptions {
  /** The admin's ssh target (an account with sudo): `user@host[:port]` or a Host alias. */
  admin?: string
  /** @deprecated the old name of `admin` */
  target?: string
  /**
   * Zone(s) of the shares: NAME.ZONE (and ZONE) must resolve to the proxy (a wildcard DNS
   * record). Zones the proxy already serves are kept; the first is the profile's default.
   */
  domain: string | string[]
  /** Let's Encrypt account email (expiry notices). @default none */
  email?: string
  /** ACME directory URL. @default certbot's (Let's Encrypt production) */
  acmeServer?: string
  /** CA file the proxy's certbot must trust for acmeServer (a private or test CA). */
  acmeCaFile?: string
  /** @default 'gangway' */
  tunnelUser?: string
  /** Public HTTPS port. @default 443 */
  publicPort?: number
  /** @deprecated the old name of `publicPort` */
  httpsPort?: number
  /** Admin's key. @default ssh-agent, then ~/.ssh keys */
  identityFile?: string
  /** known_hosts to check the proxy against for the admin login. @default ~/.ssh/known_hosts */
  knownHostsFile?: string
  acceptNewHostKey?: boolean
  /** One certificate + key for `*.DOMAIN` (PEM files): shares need no per-name certificate. */
  wildcard?: { cert: string; key: string }
  /**
   * One `*.ZONE` certificate per zone of this run by DNS-01, obtained and renewed on the proxy
   * by certbot's dns-PROVIDER plugin; the credentials file goes to the proxy on stdin and is
   * stored there root-only. Zones not named in this run keep their mode.
   */
  dns?: DnsOptions
  /** Label of this workstation's tunnel key on the proxy. @default this OS user's name */
  label?: string
  /** Profile name in the user config. @default the domain */
  profile?: string
  /** @default env GANGWAY_CONFIG, else ~/.config/gangway/config.json */
  configFile?: string
  /** @default `<config dir>/keys/<profile>_ed25519` */
  tunnelKeyFile?: string
  /** Where the tunnel profile's known_hosts lives. @default `<config dir>/known_hosts` */
  tunnelKnownHostsFile?: string
  logger?: Logger
}

const DOMAIN = /^(?=.{1,200}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/
const EMAIL = /^[^\s@"';]+@[^\s@"';]+$/
const USER = /^[a-z_][a-z0-9_-]{0,30}$/

export function validateSetup(o: SetupOptions) {
  const problems: string[] = []
  const domains = [...new Set((Array.isArray(o.domain) ? o.domain : [o.domain ?? '']).map((d) => (d ?? '').toLowerCase()))]
  for (const domain of domains) if (!DOMAIN.test(domain)) problems.push(`--domain "${domain}" is not a DNS zone like example.com`)
  const domain = domains[0] ?? ''
  if (o.email !== undefined && !EMAIL.test(o.email)) problems.push(`--email "${o.email}" is not an email address`)
  if (o.acmeServer !== undefined && !/^https:\/\/[A-Za-z0-9.:[\]_-]+(\/[A-Za-z0-9._~/-]*)?$/.test(o.acmeServer)) problems.push(`--acme-server "${o.acmeServer}" is not an https:// URL`)
  const tunnelUser = o.tunnelUser ?? 'gangway'
  if (!USER.test(tunnelUser)) problems.push(`--tunnel-user "${tunnelUser}" is not a Unix user name`)
  const label = o.label ?? toLabel(userInfo().username)
  if (!LABEL.test(label)) problems.push(`--label "${label}" is not a label (1-32 of a-z 0-9 . _ -)`)
  const target = o.admin ?? o.target ?? ''
  if (!target) problems.push('no admin ssh target (admin@host) is given')
  const httpsPort = o.publicPort ?? o.httpsPort ?? 443
  if (!Number.isInteger(httpsPort) || httpsPort < 1 || httpsPort > 65535 || httpsPort === 80) problems.push(`--public-port ${String(httpsPort)} is not a port other than 80`)
  for (const [flag, file] of [['--acme-ca-file', o.acmeCaFile], ['--identity-file', o.identityFile], ['--wildcard-cert', o.wildcard?.cert], ['--wildcard-key', o.wildcard?.key]] as const) {
    if (file !== undefined && !existsSync(file)) problems.push(`${flag} ${file} does not exist`)
  }
  let wildcardZones: string[] = []
  if (o.wildcard && existsSync(o.wildcard.cert)) {
    // Checked here: a certificate that does not cover the names would fail every share later.
    const cert = new X509Certificate(readFileSync(o.wildcard.cert))
    wildcardZones = domains.filter((d) => DOMAIN.test(d) && cert.checkHost(`gangway-check.${d}`, { wildcards: true, subject: 'default' }))
    if (!wildcardZones.length) problems.push(`--wildcard-cert does not cover *.${domains.join(' or *.')}`)
    if (new Date(cert.validTo).getTime() < Date.now()) problems.push(`--wildcard-cert expired on ${cert.validTo}`)
  }
  if (o.dns && o.wildcard) problems.push('--dns and --wildcard-cert both choose the certificate: use one (run setup once per zone for different ones)')
  const dns = validateDns(o.dns, problems)
  if (problems.length) throw new GangwayError('CONFIG_INVALID', problems.join('; '), { hint: 'Fix the values above and run gangway setup again.' })
  return { target, domain, domains, email: o.email, acmeServer: o.acmeServer, acmeCaFile: o.acmeCaFile, tunnelUser, label, httpsPort, wildcard: o.wildcard && { ...o.wildcard, zones: wildcardZones }, dns }
}
