#!/usr/bin/env bash
# The documented load test with wrk (Debian's package; installed here when
# missing): builds the service, trusts a fresh ES256 key, pre-signs one JWT
# per request (each used once: the service refuses replays), starts the
# service on loopback with JWT verification on, runs wrk with 32 connections
# for 30 s, prints wrk's summary plus latency percentiles and non-200 count,
# and the service's memory before and after. Traffic never leaves 127.0.0.1.
#
#   scripts/loadtest-wrk.sh [REQUEST.json] [DURATION] [CONNECTIONS] [TOKENS]
set -euo pipefail
cd "$(dirname "$0")/.."
request=${1:-fixtures/requests/ombc-hr-pos-her2-neg-new.json}
duration=${2:-30s}
connections=${3:-32}
tokens=${4:-150000}
threads=2
port=${OMBC_LOAD_PORT:-18080}
base="http://127.0.0.1:$port"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
go build -o "$work/ombc-cds" ./cmd/ombc-cds
go build -o "$work/ombc-load" ./cmd/ombc-load
"$work/ombc-load" keygen "$work/keys"
"$work/ombc-load" tokens "$work/keys/key.pem" "$base/cds-services/ombc-patient-view" "$tokens" >"$work/tokens.txt"

"$work/ombc-cds" serve --addr "127.0.0.1:$port" --trust-file "$work/keys/trust.json" \
  --data-dir "$work/data" --log-level warn --max-in-flight 1024 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 50); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
rss() { curl -fsS "$base/metrics" | awk '/^process_resident_memory_bytes /{printf "%.1f MiB", $2/1048576}'; }
echo "cores: $(nproc); request: $request; connections: $connections; duration: $duration; tokens: $tokens"
before=$(rss)
WRK_BODY="$request" WRK_TOKENS="$work/tokens.txt" WRK_THREADS=$threads \
  wrk -t "$threads" -c "$connections" -d "$duration" --latency -s scripts/wrk-hook.lua "$base/cds-services/ombc-patient-view"
echo "service RSS: $before before, $(rss) after"
