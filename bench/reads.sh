#!/usr/bin/env bash
# Read latency at scale: customer 360 and case list (random filters, deep pages) against a data
# directory filled by bench/import.sh or `pacte demo --no-serve` (then PACTE_ORG=demo).
# Usage: bench/reads.sh DATA_DIR [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1; secs=${2:-15}; conns=${3:-16}
bin=target/release/pacte
export PACTE_TOKEN=$($bin --data-dir "$dir" user add --org "${PACTE_ORG:-bench}" --email "reader$RANDOM$RANDOM@bench.fr" --role advisor 2>/dev/null)
export PACTE_CUSTOMERS=$(sqlite3 "$dir/pacte.db" 'select max(id) from customer')
echo "customers: $PACTE_CUSTOMERS, interactions: $(sqlite3 "$dir/pacte.db" 'select count(*) from interaction'), cases: $(sqlite3 "$dir/pacte.db" 'select count(*) from support_case')"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PACTE_LOG=warn $bin --data-dir "$dir" --listen 127.0.0.1:$port serve & pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
echo "== baseline GET /healthz"
wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|99%|50%"
for mode in 360 cases; do
  echo "== $mode"
  PACTE_MODE=$mode wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/reads.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|99%|50%|Non-2xx"
done
echo "server RSS: $(ps -o rss= -p $pid) KB"
