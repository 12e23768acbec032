#!/usr/bin/env bash
# The documented load test (README "Speed"): builds the service and the load
# generator, trusts a freshly generated ES256 key, starts the service on
# loopback with JWT verification on, sends hook requests from 32 concurrent
# clients for 30 s, prints throughput, latency percentiles, errors and the
# service's memory, then stops the service. Traffic never leaves 127.0.0.1.
#
#   scripts/loadtest.sh [REQUEST.json] [DURATION] [CLIENTS] [RATE]
#
# RATE (requests/s) switches to an open loop: requests start on schedule
# whatever the answers, and latency counts from the scheduled start.
set -euo pipefail
cd "$(dirname "$0")/.."
request=${1:-fixtures/requests/ombc-hr-pos-her2-neg-new.json}
duration=${2:-30s}
clients=${3:-32}
rate=${4:-0}
port=${OMBC_LOAD_PORT:-18080}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/ombc-cds" ./cmd/ombc-cds
go build -o "$work/ombc-load" ./cmd/ombc-load
"$work/ombc-load" keygen "$work/keys"

"$work/ombc-cds" serve --addr "127.0.0.1:$port" --trust-file "$work/keys/trust.json" \
  --data-dir "$work/data" --log-level warn --max-in-flight 1024 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "cores: $(nproc); request: $request; clients: $clients; duration: $duration"
"$work/ombc-load" run --base-url "http://127.0.0.1:$port" --key "$work/keys/key.pem" \
  --clients "$clients" --duration "$duration" --rate "$rate" "$request"
