#!/usr/bin/env bash
# Provides Debian's chromium for the diagnostics UI browser tests
# (packages/admin/src/*.browser.test.ts, driven by playwright-core) and for
# tools/screenshots. Never `playwright install`: the browser comes from Debian.
#
#   tools/chromium/get.sh            # install if absent (idempotent), print the binary path on stdout
#   tools/chromium/get.sh --print    # print the path only if installed (exit 1 if absent)
#
# Needs root (apt-get) the first time. Progress goes to stderr.
# Env: CHROMIUM_BIN (default /usr/bin/chromium).
set -euo pipefail

BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"

if [[ "${1:-}" == "--print" ]]; then
  [[ -x "$BIN" ]] && { echo "$BIN"; exit 0; } || exit 1
fi
if [[ -x "$BIN" ]]; then echo "$BIN"; exit 0; fi

if [[ "$(id -u)" != "0" ]]; then
  echo "tools/chromium/get.sh: $BIN is absent and installing Debian's chromium needs root (apt-get install -y chromium)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "tools/chromium/get.sh: no apt-get here; install chromium another way and set CHROMIUM_BIN" >&2
  exit 1
fi

echo "installing Debian's chromium (apt-get, ~100 MB with its libraries)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium >&2
"$BIN" --version >&2
echo "$BIN"
