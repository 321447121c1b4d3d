#!/usr/bin/env bash
# Installs everything the tests need, then runs them (the README's test command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# The `gangway setup` tests run against a bare Debian root (debootstrap, cached under
# /var/cache/gangway); they need root. Build it here so the suite's time is the tests'.
if [ "$(id -u)" -eq 0 ]; then
  echo "test: preparing the bare-Debian VPS image for the setup tests (cached after the first run)"
  bash scripts/vps-image.sh >/dev/null
fi
pnpm test
