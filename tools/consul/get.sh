#!/usr/bin/env bash
# Builds the Consul agent (v1.14.11, MPL-2.0) from the Go module proxy into a cache outside
# the repo, so plugins/source-consul's tests can run `consul agent -dev` on loopback ports.
#
#   tools/consul/get.sh            # build (idempotent; a cached binary is reused)
#   tools/consul/get.sh --print    # print the binary path only (exit 1 if absent)
#
# Env: CONSUL_VERSION (default 1.14.11; 1.15 and later are not open source: refused),
#      ATTACHE_CACHE (default $HOME/.cache/attache).
set -euo pipefail

CONSUL_VERSION="${CONSUL_VERSION:-1.14.11}"
CACHE_ROOT="${ATTACHE_CACHE:-$HOME/.cache/attache}"
OUT_DIR="$CACHE_ROOT/consul/$CONSUL_VERSION"
BIN="$OUT_DIR/consul"

if [[ "${1:-}" == "--print" ]]; then
  [[ -x "$BIN" ]] && { echo "$BIN"; exit 0; } || exit 1
fi

case "$CONSUL_VERSION" in
  1.[0-9].*|1.1[0-4].*) ;;
  *) echo "Consul $CONSUL_VERSION is not MPL-2.0 (1.15 and later are BUSL): use 1.14.x" >&2; exit 1 ;;
esac

if [[ -x "$BIN" ]]; then echo "consul $CONSUL_VERSION cached at $BIN"; echo "$BIN"; exit 0; fi
command -v go >/dev/null || { echo "go is required to build consul" >&2; exit 1; }
mkdir -p "$OUT_DIR"
work="$(mktemp -d "$CACHE_ROOT/consul/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"

# github.com/hashicorp/consul replaces its api, sdk and proto-public modules with ./api,
# ./sdk and ./proto-public (separate modules in the same repository). A consumer's build
# ignores those replaces, so this wrapper pins each to the version consul's go.mod
# requires, and copies consul's other (non-local) replaces.
cmod="$(GOFLAGS=-mod=mod go mod download -json "github.com/hashicorp/consul@v$CONSUL_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
[[ -f "$cmod" ]] || { echo "could not download github.com/hashicorp/consul@v$CONSUL_VERSION" >&2; exit 1; }

{
  echo "module attache.local/consul"
  echo
  echo "go $(sed -n 's/^go \([0-9.]*\).*/\1/p' "$cmod")"
  echo
  echo "require github.com/hashicorp/consul v$CONSUL_VERSION"
  echo
  echo "replace ("
  for sub in api sdk proto-public; do
    ver="$(grep -E "^\s*github\.com/hashicorp/consul/$sub v" "$cmod" | awk '{ print $2 }' | head -1)"
    [[ -n "$ver" ]] || { echo "consul's go.mod requires no github.com/hashicorp/consul/$sub" >&2; exit 1; }
    printf '\tgithub.com/hashicorp/consul/%s => github.com/hashicorp/consul/%s %s\n' "$sub" "$sub" "$ver"
  done
  grep -E '^replace [^ ]+ => [^.]' "$cmod" | sed 's/^replace /\t/'
  echo ")"
} > go.mod

# A package that only imports consul's main package, so `go mod tidy` records its deps.
mkdir -p tools
cat > tools/tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/hashicorp/consul"
GO
echo "resolving modules for consul $CONSUL_VERSION"
cat go.mod
GOFLAGS=-mod=mod go mod tidy -e >/dev/null 2>&1 || true
GOFLAGS=-mod=mod go get "github.com/hashicorp/consul@v$CONSUL_VERSION"
echo "building consul (this takes a while)"
CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$BIN.tmp" github.com/hashicorp/consul
mv "$BIN.tmp" "$BIN"
echo "consul $CONSUL_VERSION built at $BIN"
echo "$BIN"
