#!/usr/bin/env bash
# Builds Envoy's reference rate-limit service (github.com/envoyproxy/ratelimit) from the
# Go module proxy into a cache outside the repo and installs Debian's redis-server, so
# tests/e2e-envoy/ratelimit.test.ts can run Envoy against a real rate-limit service.
#
#   tools/ratelimit/get.sh            # build (idempotent; a cached binary is reused)
#   tools/ratelimit/get.sh --print    # print the binary path only (exit 1 if absent)
#
# Env: RATELIMIT_VERSION (default below), ATTACHE_CACHE (default $HOME/.cache/attache),
#      ATTACHE_SKIP_REDIS_INSTALL=1 to leave redis alone.
set -euo pipefail

# The module has no tags after v1.4.0; this pseudo-version is the commit 3fb702589d36
# (2026-01-22) on main. Its go.mod has no replace directives, so `go install` works.
RATELIMIT_VERSION="${RATELIMIT_VERSION:-v1.4.1-0.20260122083618-3fb702589d36}"
CACHE_ROOT="${ATTACHE_CACHE:-$HOME/.cache/attache}"
OUT_DIR="$CACHE_ROOT/ratelimit/$RATELIMIT_VERSION"
BIN="$OUT_DIR/ratelimit"

if [[ "${1:-}" == "--print" ]]; then
  [[ -x "$BIN" ]] && { echo "$BIN"; exit 0; } || exit 1
fi

install_redis() {
  if command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]]; then return 0; fi
  if [[ "${ATTACHE_SKIP_REDIS_INSTALL:-}" == "1" ]]; then return 0; fi
  if [[ "$(id -u)" != "0" ]]; then
    echo "redis-server is missing: run 'apt-get install -y redis-server' as root" >&2
    return 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  # Debian starts the packaged service on 6379; the tests run their own redis on free ports.
  (systemctl stop redis-server 2>/dev/null || service redis-server stop 2>/dev/null || true) >/dev/null 2>&1
}

build_ratelimit() {
  if [[ -x "$BIN" ]]; then echo "ratelimit $RATELIMIT_VERSION cached at $BIN" >&2; return 0; fi
  command -v go >/dev/null || { echo "go is required to build the rate-limit service" >&2; return 1; }
  mkdir -p "$OUT_DIR"
  local gobin
  gobin="$(mktemp -d "$CACHE_ROOT/ratelimit/build.XXXXXX")"
  trap 'rm -rf "$gobin"' RETURN
  echo "building github.com/envoyproxy/ratelimit@$RATELIMIT_VERSION (src/service_cmd)" >&2
  # go install builds the main package with the module's own go.mod (no replace directives);
  # the binary is named after the package directory (service_cmd).
  GOBIN="$gobin" GOFLAGS=-mod=mod CGO_ENABLED=0 \
    go install -trimpath -ldflags "-s -w" "github.com/envoyproxy/ratelimit/src/service_cmd@$RATELIMIT_VERSION"
  mv "$gobin/service_cmd" "$BIN.tmp"
  mv "$BIN.tmp" "$BIN"
  echo "ratelimit $RATELIMIT_VERSION built at $BIN" >&2
}

install_redis
build_ratelimit
echo "$BIN"
