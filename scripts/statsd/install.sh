#!/usr/bin/env bash
# Installs the Etsy StatsD daemon (npm package `statsd`, pinned in package-lock.json) for the
# integration tests, into $WEIR_STATSD_HOME (default ~/.cache/weir/statsd). Idempotent: a
# matching install is kept. Needs Node.js and npm, and the npm registry on first run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
home="${WEIR_STATSD_HOME:-$HOME/.cache/weir/statsd}"
mkdir -p "$home"
if [[ -f "$home/node_modules/statsd/stats.js" ]] && cmp -s "$here/package-lock.json" "$home/package-lock.json"; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "scripts/statsd/install.sh: npm is not installed; install Node.js (with npm) to run the StatsD tests" >&2
  exit 1
fi
cp "$here/package.json" "$here/package-lock.json" "$home/"
(cd "$home" && npm ci --omit=optional --no-audit --no-fund --loglevel=error)
echo "StatsD daemon installed in $home"
