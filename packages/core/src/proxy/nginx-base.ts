/**
 * The part of nginx's http{} block Gangway owns on every proxy (sandbox and VPS): the
 * websocket map the share vhosts use, a default server per port that refuses unknown
 * hosts (404 over HTTP except the ACME webroot; no TLS handshake for unknown SNI), and
 * the include of the share vhosts. The sandbox embeds it in its own nginx.conf; setup
 * writes it to /etc/nginx/conf.d/gangway.conf, which Debian includes inside http{}.
 */
import { PLAIN_PATH } from './agent-config.js'

export interface BaseNginxOptions {
  /** `listen` values of the plain-HTTP default server, e.g. ['80', '[::]:80']. */
  httpListen: string[]
  /** `listen` values of the HTTPS default server, e.g. ['443', '[::]:443']. */
  httpsListen: string[]
  webroot: string
  sharesDir: string
}

const LISTEN = /^((\[[0-9a-fA-F:]+\]|[0-9.]+):)?[0-9]{1,5}$/

export function renderBaseNginx(o: BaseNginxOptions): string {
  for (const l of [...o.httpListen, ...o.httpsListen]) if (!LISTEN.test(l)) throw new Error(`bad nginx listen value ${JSON.stringify(l)}`)
  for (const p of [o.webroot, o.sharesDir]) if (!PLAIN_PATH.test(p)) throw new Error(`path ${JSON.stringify(p)} cannot go into an nginx file`)
  const listens = (values: string[], suffix: string) => values.map((l) => `        listen ${l}${suffix} default_server;\n`).join('')
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
${listens(o.httpsListen, ' ssl')}        ssl_reject_handshake on;
    }

    include ${o.sharesDir}/*.conf;
`
}
