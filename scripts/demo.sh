#!/usr/bin/env bash
# Installs everything the demo needs, then runs it (the README's demo command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
pnpm demo
