#!/usr/bin/env bash
# Installs what Gangway's demo and tests need on a fresh Debian machine with Node 20:
# the proxy parts (OpenSSH, nginx, certbot, pebble), hugo and chromium for the
# end-to-end tests, pnpm, and the workspace's dependencies. Safe to run again.
# wrk is for `pnpm bench` (small-request load); faketime for the held-webhook tests (a proxy
# whose clock says the requests it holds arrived minutes ago).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# bind9 + python3-certbot-dns-rfc2136: the DNS-01 path (sandbox up --wildcard); bind9-dnsutils: nsupdate, dig.
PACKAGES=(openssh-server openssh-client nginx certbot pebble hugo chromium openssl python3 curl ca-certificates wrk faketime bind9 bind9-dnsutils python3-certbot-dns-rfc2136)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts nginx, sshd and named as services on install; Gangway runs its own copies
# on high loopback ports and needs none of the system services.

PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")"
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "bootstrap: installing pnpm@$PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi
pnpm install --frozen-lockfile
