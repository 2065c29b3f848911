#!/usr/bin/env bash
# The Consul example, end to end on this machine (loopback only):
#   a Consul agent -dev on 127.0.0.1:8500, two upstreams (python3 http.server on 9001 and
#   9002) registered as instances of "quote", Attaché serving examples/consul, and Envoy
#   on 8080. It shows traffic following Consul: both instances, then one deregistered.
# Needs: tools/consul/get.sh, tools/envoy/get.sh, python3, curl, and a build
# (npx -y pnpm@12.4.2 run build). Stops everything it started on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
consul="$(bash "$root/tools/consul/get.sh" | tail -1)"
envoy="$(bash "$root/tools/envoy/get.sh" | tail -1)"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$consul" agent -dev -bind=127.0.0.1 -client=127.0.0.1 -http-port=8500 \
  -hcl 'ports { dns = -1, grpc = -1, grpc_tls = -1 }' -log-level=warn >"$work/consul.log" 2>&1 &
pids+=($!)
for port in 9001 9002; do
  # The Mapping rewrites /quote/ to / (Emissary's default rewrite): each upstream's / names it.
  mkdir -p "$work/up-$port"
  echo "quote instance on port $port" >"$work/up-$port/index.html"
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/up-$port" >/dev/null 2>&1 &
  pids+=($!)
done
until curl -sf http://127.0.0.1:8500/v1/status/leader | grep -q '"'; do sleep 0.2; done
sleep 1
for port in 9001 9002; do
  curl -sf -X PUT http://127.0.0.1:8500/v1/agent/service/register \
    -d "{\"ID\":\"quote-$port\",\"Name\":\"quote\",\"Address\":\"127.0.0.1\",\"Port\":$port}"
done

node "$root/apps/attache/dist/main.js" serve --config "$here/attache.yaml" >"$work/attache.log" 2>&1 &
pids+=($!)
until curl -sf http://127.0.0.1:18877/readyz >/dev/null; do sleep 0.2; done
"$envoy" -c "$here/envoy-bootstrap.json" --use-dynamic-base-id --log-level warn >"$work/envoy.log" 2>&1 &
pids+=($!)
until curl -sf http://127.0.0.1:8080/quote/ >/dev/null; do sleep 0.2; done

echo "== two instances registered:"
for i in 1 2 3 4; do curl -s http://127.0.0.1:8080/quote/; done
echo "== quote-9002 deregistered (Envoy gets one EDS update):"
curl -sf -X PUT http://127.0.0.1:8500/v1/agent/service/deregister/quote-9002
sleep 1
for i in 1 2 3 4; do curl -s http://127.0.0.1:8080/quote/; done
echo "== Envoy's successful xDS updates (CDS/LDS/RDS: the first one only; EDS: one more per change):"
curl -s http://127.0.0.1:19901/stats | grep -E '(cds|lds|rds\.[^:]*)\.update_success|^cluster\.cluster_eds_consul[^:]*\.update_success' || true
curl -s http://127.0.0.1:18877/api/diagnostics |
  python3 -c 'import json,sys; print("diagnostics:", [d["code"] for d in json.load(sys.stdin)["diagnostics"]])'
