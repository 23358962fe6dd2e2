#!/usr/bin/env bash
# Load test of POST /api/v1/interactions on loopback, with GET /healthz as the baseline measured in
# the same run. SQLite in a temp dir by default; set PACTE_DATABASE_URL to an empty PostgreSQL
# database to measure PostgreSQL; BENCH_LOG=FILE keeps the server log. Usage: bench/ingest.sh [seconds] [connections]  (needs wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}; conns=${2:-32}
# PACTE_BIN=path measures another build (e.g. the commit before a change) in the same sitting.
bin=${PACTE_BIN:-target/release/pacte}
[ -n "${PACTE_BIN:-}" ] || cargo build --release -q
dir=$(mktemp -d); pid=""; trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
$bin --data-dir "$dir" org add --slug bench --name Bench >/dev/null
export PACTE_TOKEN=$($bin --data-dir "$dir" user add --org bench --email bench@bench.fr --role advisor 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PACTE_LOG=warn $bin --data-dir "$dir" --listen 127.0.0.1:$port serve 2>"${BENCH_LOG:-/dev/stderr}" & pid=$!
for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
echo "backend: ${PACTE_DATABASE_URL:+postgresql}${PACTE_DATABASE_URL:-sqlite (WAL, synchronous=FULL)}" | sed 's#postgresql.*#postgresql#'
echo "== baseline: GET /healthz, $conns connections, ${secs}s"
wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|99%|50%"
echo "== POST /api/v1/interactions, $conns connections, ${secs}s"
wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/ingest.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|99%|50%|Non-2xx"
