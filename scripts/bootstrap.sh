#!/usr/bin/env bash
# Usage: scripts/bootstrap.sh [command ...]
#
# Makes this checkout runnable on a fresh machine, then runs the command (if any) with the right Node
# first on PATH. The project needs Node >= 24.7 (crypto.argon2 hashes passwords; MikroORM 7,
# @apollo/subgraph and opossum 10 need 22.17) and runs .ts files directly through Node's type stripping. Where the system Node is older, Node 24 comes from
# the npm registry as the package node-linux-<arch> (it ships the binary), cached outside the checkout.
# Dependencies are installed with `npm ci` whenever package-lock.json changed since the last install.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_version="24.21.0"
min_major=24
min_minor=7

node_is_recent() {
  command -v node >/dev/null 2>&1 || return 1
  node -e "const [a, b] = process.versions.node.split('.').map(Number);
    process.exit(a > $min_major || (a === $min_major && b >= $min_minor) ? 0 : 1)"
}

if ! node_is_recent; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "bootstrap: no Node package for $(uname -m); install Node >= 24.7 yourself" >&2; exit 1 ;;
  esac
  if ! command -v npm >/dev/null 2>&1; then
    echo "bootstrap: npm is missing; install Node.js (any version with npm) first" >&2
    exit 1
  fi
  cache="${SUPERGRAPH_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/supergraph/node-$node_version}"
  pkg="$cache/node_modules/node-linux-$arch"
  if [ ! -x "$pkg/bin/node" ]; then
    echo "bootstrap: system Node $(node -v 2>/dev/null || echo none) is older than $min_major.$min_minor; fetching Node $node_version into $cache" >&2
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "node-linux-$arch@$node_version" >&2
  fi
  export PATH="$pkg/bin:$PATH"
  # Native addons must build against this Node's headers, not the system one's.
  export npm_config_nodedir="$pkg"
fi

cd "$root"
stamp="node_modules/.bootstrap-lock-hash"
lock_hash="$(node -e "const c = require('node:crypto'), f = require('node:fs');
  process.stdout.write(c.createHash('sha256').update(f.readFileSync('package-lock.json')).update(process.version).digest('hex'))")"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "bootstrap: installing dependencies (npm ci) with Node $(node -v)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock_hash" >"$stamp"
fi

if [ "$#" -gt 0 ]; then
  exec "$@"
fi
