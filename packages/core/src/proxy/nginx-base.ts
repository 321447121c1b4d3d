/**
 * The part of nginx's configuration Gangway owns on every proxy (sandbox and VPS): the
 * maps the share vhosts use, a default server per port that refuses unknown hosts (404
 * over HTTP except the ACME webroot; no TLS handshake for unknown SNI), the include of the
 * share vhosts, and the TLS settings every HTTPS server block includes. The sandbox embeds
 * the http part in its own nginx.conf; setup writes it to /etc/nginx/conf.d/gangway.conf,
 * which Debian includes inside http{}.
 */
import { PLAIN_PATH } from './agent-config.js'

/** What this nginx can do for visitors, from `nginx -V`. */
export interface NginxFeatures {
  version: string
  /** 'listen': `listen … ssl http2` (before 1.25.1); 'directive': `http2 on;` (1.25.1+). */
  http2: 'listen' | 'directive'
  /** HTTP/3 over QUIC: nginx 1.25+ built with the http_v3 module (Debian 13), else off. */
  http3: boolean
}

export function nginxFeatures(versionOutput: string): NginxFeatures {
  const version = /nginx\/(\d+\.\d+\.\d+)/.exec(versionOutput)?.[1] ?? '0.0.0'
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number]
  const atLeast = (a: number, b: number, c: number) => major > a || (major === a && (minor > b || (minor === b && patch >= c)))
  return {
    version,
    http2: atLeast(1, 25, 1) ? 'directive' : 'listen',
    http3: atLeast(1, 25, 0) && versionOutput.includes('--with-http_v3_module'),
  }
}

export interface BaseNginxOptions {
  /** `listen` values of the plain-HTTP default server, e.g. ['80', '[::]:80']. */
  httpListen: string[]
  /** `listen` values of the HTTPS default server, e.g. ['443', '[::]:443']. */
  httpsListen: string[]
  webroot: string
  sharesDir: string
  /** The TLS snippet (renderTlsSnippet) every HTTPS server includes. */
  tlsInclude: string
  features: NginxFeatures
}

const LISTEN = /^((\[[0-9a-fA-F:]+\]|[0-9.]+):)?[0-9]{1,5}$/

/**
 * Mozilla's "intermediate" profile without the DHE suites (they would need a dhparam
 * file): TLS 1.2 and 1.3 only. In each server block, because Debian's nginx.conf already
 * sets ssl_protocols at the http level; and the default server's settings decide the
 * protocol for every name on a listen address.
 */
export function renderTlsSnippet(): string {
  return `# Written by Gangway: TLS for every HTTPS server block (Mozilla intermediate, ECDHE only).
ssl_protocols TLSv1.2 TLSv1.3;
ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
ssl_prefer_server_ciphers off;
ssl_session_cache shared:gw_tls:10m;
ssl_session_timeout 1d;
ssl_session_tickets off;
`
}

export function renderBaseNginx(o: BaseNginxOptions): string {
  for (const l of [...o.httpListen, ...o.httpsListen]) if (!LISTEN.test(l)) throw new Error(`bad nginx listen value ${JSON.stringify(l)}`)
  for (const p of [o.webroot, o.sharesDir, o.tlsInclude]) if (!PLAIN_PATH.test(p)) throw new Error(`path ${JSON.stringify(p)} cannot go into an nginx file`)
  const listens = (values: string[], suffix: string) => values.map((l) => `        listen ${l}${suffix} default_server;\n`).join('')
  const h2 = o.features.http2 === 'listen' ? ' http2' : ''
  // One `reuseport` per address:port, so the QUIC listen that carries it lives here.
  const quic = o.features.http3 ? listens(o.httpsListen, ' quic reuseport') : ''
  return `    # Gangway: the proxy's base configuration. Written by gangway setup / sandboxUp; edits are overwritten.
    # share hosts are up to 63 + 1 + domain characters: more than the default bucket.
    server_names_hash_bucket_size 128;
    server_tokens off;

    # '' maps to '' (not 'close') so upstream keepalive keeps working for plain requests.
    map $http_upgrade $gw_connection_upgrade {
        default upgrade;
        ''      '';
    }

    # The visitor's address for the Forwarded header: IPv6 in quotes and brackets (RFC 7239).
    map $remote_addr $gw_forwarded_for {
        ~:      '"[$remote_addr]"';
        default $remote_addr;
    }

    # The share's session cookie (basic-auth shares) never reaches the dev server: every
    # gw_session is taken out (three passes; a page of another share can plant more).
    map $http_cookie $gw_ck_1 {
        "~^gw_session=[^;]*(?:;\\s*)?(?<gw_ck_1r>.*)$" $gw_ck_1r;
        "~^(?<gw_ck_1h>.*?);\\s*gw_session=[^;]*(?<gw_ck_1t>.*)$" $gw_ck_1h$gw_ck_1t;
        default $http_cookie;
    }
    map $gw_ck_1 $gw_ck_2 {
        "~^gw_session=[^;]*(?:;\\s*)?(?<gw_ck_2r>.*)$" $gw_ck_2r;
        "~^(?<gw_ck_2h>.*?);\\s*gw_session=[^;]*(?<gw_ck_2t>.*)$" $gw_ck_2h$gw_ck_2t;
        default $gw_ck_1;
    }
    map $gw_ck_2 $gw_upstream_cookie {
        "~^gw_session=[^;]*(?:;\\s*)?(?<gw_ck_3r>.*)$" $gw_ck_3r;
        "~^(?<gw_ck_3h>.*?);\\s*gw_session=[^;]*(?<gw_ck_3t>.*)$" $gw_ck_3h$gw_ck_3t;
        default $gw_ck_2;
    }

    # Unknown hosts over HTTP: 404, except HTTP-01 challenges (certbot's webroot).
    server {
${listens(o.httpListen, '')}        server_name _;
        location ^~ /.well-known/acme-challenge/ {
            root ${o.webroot};
            default_type text/plain;
        }
        location / { return 404; }
    }

    # Unknown hosts over HTTPS: no certificate, the handshake is refused.
    server {
${listens(o.httpsListen, ` ssl${h2}`)}${quic}${o.features.http2 === 'directive' ? '        http2 on;\n' : ''}        include ${o.tlsInclude};
        ssl_reject_handshake on;
    }

    include ${o.sharesDir}/*.conf;
`
}
