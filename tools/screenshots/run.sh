#!/usr/bin/env bash
# Regenerates the diagnostics UI screenshots in docs/images/ui/ (used by
# docs/observability.md): runs the browser suite, which drives the UI against a
# real `attache serve` and a real Envoy and, with SCREENSHOTS set, saves a PNG of
# each page it checks. Needs the built CLI, Envoy (tools/envoy/get.sh) and
# chromium (tools/chromium/get.sh). Look at the images before committing them.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="docs/images/ui"
rm -rf "$out"
SCREENSHOTS="$out" npx vitest run tests/observability/ui-browser.test.ts
ls -1 "$out"
