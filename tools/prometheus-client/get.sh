#!/usr/bin/env bash
# Provides the Prometheus project's own Python client (prometheus_client, from
# PyPI, pinned) whose text parser the observability tests read /metrics with
# (tests/observability): the exposition format as Prometheus defines it, NaN,
# +Inf, escapes and labelled histograms included. Pure Python, cached outside
# the repository:
#   ${ATTACHE_CACHE:-$HOME/.cache/attache}/prometheus-client/<version>/
#
#   tools/prometheus-client/get.sh          # install if absent (idempotent), print the directory (PYTHONPATH)
#   tools/prometheus-client/get.sh --print  # print it only if installed (exit 1 if absent)
#
# Progress goes to stderr. Env: PROMETHEUS_CLIENT_VERSION (default 0.26.0), ATTACHE_CACHE, PIP.
set -euo pipefail

VERSION="${PROMETHEUS_CLIENT_VERSION:-0.26.0}"
OUT_DIR="${ATTACHE_CACHE:-$HOME/.cache/attache}/prometheus-client/$VERSION"

if [[ -f "$OUT_DIR/prometheus_client/parser.py" ]]; then echo "$OUT_DIR"; exit 0; fi
if [[ "${1:-}" == "--print" ]]; then exit 1; fi

echo "installing prometheus_client==$VERSION (PyPI) into $OUT_DIR" >&2
work="$(mktemp -d "${OUT_DIR%/*}.XXXXXX" 2>/dev/null || { mkdir -p "${OUT_DIR%/*}" && mktemp -d "${OUT_DIR%/*}/tmp.XXXXXX"; })"
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2086
${PIP:-python3 -m pip} install --quiet --no-deps --only-binary=:all: --target "$work" "prometheus_client==$VERSION" >&2
mkdir -p "${OUT_DIR%/*}"
rm -rf "$OUT_DIR"
mv "$work" "$OUT_DIR"
trap - EXIT
echo "$OUT_DIR"
