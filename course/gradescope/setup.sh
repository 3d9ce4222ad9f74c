#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu), with this
# archive unpacked in /autograder/source. It installs Node.js 20 (from NodeSource's signed apt
# repository, unless a Node 20.19+ is already there) and the locked dependencies (npm ci).
#
# AUTOGRADER_ROOT replaces /autograder and NPM_CI_FLAGS adds flags to npm ci (both for tests).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
NODE_MAJOR=20

has_node() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'
}

if ! has_node; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq ca-certificates curl gnupg
  install -d -m 0755 /etc/apt/keyrings
  curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor --yes -o /etc/apt/keyrings/nodesource.gpg
  echo "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_${NODE_MAJOR}.x nodistro main" \
    > /etc/apt/sources.list.d/nodesource.list
  apt-get update -qq
  apt-get install -y -qq nodejs
fi
if ! has_node; then
  echo "setup.sh: Node.js 20.19 or later is needed, found $(node --version 2>/dev/null || echo none)" >&2
  exit 1
fi
echo "setup.sh: node $(node --version), npm $(npm --version)"

cd "$ROOT/source"
# shellcheck disable=SC2086
npm ci --no-audit --no-fund ${NPM_CI_FLAGS:-}
chmod +x run_autograder
echo "setup.sh: done"
