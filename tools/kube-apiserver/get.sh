#!/usr/bin/env bash
# Builds kube-apiserver from the Go module proxy into a cache outside the repo and
# installs Debian's etcd-server, so tests/e2e-kubernetes can run against a real API server.
#
#   tools/kube-apiserver/get.sh            # build (idempotent; a cached binary is reused)
#   tools/kube-apiserver/get.sh --print    # print the binary path only (exit 1 if absent)
#
# Env: KUBE_VERSION (default 1.36.3), ATTACHE_CACHE (default $HOME/.cache/attache),
#      ATTACHE_SKIP_ETCD_INSTALL=1 to leave etcd alone.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-1.36.3}"
STAGING_VERSION="v0.${KUBE_VERSION#*.}"
CACHE_ROOT="${ATTACHE_CACHE:-$HOME/.cache/attache}"
OUT_DIR="$CACHE_ROOT/kube-apiserver/$KUBE_VERSION"
BIN="$OUT_DIR/kube-apiserver"

if [[ "${1:-}" == "--print" ]]; then
  [[ -x "$BIN" ]] && { echo "$BIN"; exit 0; } || exit 1
fi

install_etcd() {
  if command -v etcd >/dev/null 2>&1 || [[ -x /usr/bin/etcd ]]; then return 0; fi
  if [[ "${ATTACHE_SKIP_ETCD_INSTALL:-}" == "1" ]]; then return 0; fi
  if [[ "$(id -u)" != "0" ]]; then
    echo "etcd is missing: run 'apt-get install -y etcd-server' as root" >&2
    return 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
  # Debian starts the packaged service; the tests run their own etcd on loopback ports.
  (systemctl stop etcd 2>/dev/null || service etcd stop 2>/dev/null || true) >/dev/null 2>&1
}

build_apiserver() {
  if [[ -x "$BIN" ]]; then echo "kube-apiserver $KUBE_VERSION cached at $BIN"; return 0; fi
  command -v go >/dev/null || { echo "go is required to build kube-apiserver" >&2; return 1; }
  mkdir -p "$OUT_DIR"
  local work
  work="$(mktemp -d "$CACHE_ROOT/kube-apiserver/build.XXXXXX")"
  trap 'rm -rf "$work"' RETURN
  cd "$work"

  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with
  # ./staging paths; a consumer must replace each with the published tag instead.
  local kmod
  kmod="$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  [[ -f "$kmod" ]] || { echo "could not download k8s.io/kubernetes@v$KUBE_VERSION" >&2; return 1; }

  {
    echo "module attache.local/kube-apiserver"
    echo
    echo "go $(go env GOVERSION | sed 's/^go//; s/^\([0-9]*\.[0-9]*\).*/\1/')"
    echo
    echo "require k8s.io/kubernetes v$KUBE_VERSION"
    echo
    echo "replace ("
    grep -E '^\s*k8s\.io/[A-Za-z0-9._/-]+ => \./staging/' "$kmod" \
      | awk -v v="$STAGING_VERSION" '{ printf "\t%s => %s %s\n", $1, $1, v }'
    echo ")"
  } > go.mod

  cat > main.go <<'GO'
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
GO
  echo "resolving modules for kube-apiserver $KUBE_VERSION (staging $STAGING_VERSION)"
  GOFLAGS=-mod=mod go mod tidy
  echo "building kube-apiserver (this takes a while)"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN.tmp" .
  mv "$BIN.tmp" "$BIN"
  echo "kube-apiserver $KUBE_VERSION built at $BIN"
}

install_etcd
build_apiserver
