#!/usr/bin/env bash
# Installs everything the tests need, then runs them (the README's test command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
pnpm test
