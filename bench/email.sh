#!/usr/bin/env bash
# Email ingest throughput, typical ~20 KB messages (bench/gen_email.py), on 2 cores:
#   1. HTTP relay path: wrk on POST /api/v1/inbound/email, with GET /healthz and
#      POST /api/v1/interactions measured in the same run as baselines;
#   2. MTA pipe path: N messages, one `pacte mail ingest` process each, P at a time (as an MTA
#      runs its pipe transport).
# SQLite in a temp dir by default; PACTE_DATABASE_URL for PostgreSQL (an empty database).
# Usage: bench/email.sh [seconds] [connections] [pipe parallelism]  (needs wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-16}; par=${3:-8}; n=2000
cargo build --release -q
bin=$PWD/target/release/pacte
dir=$(mktemp -d); pid=""; trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
$bin --data-dir "$dir" org add --slug bench --name Bench >/dev/null
$bin --data-dir "$dir" mail add-mailbox --org bench --address contact@bench.fr >/dev/null
export PACTE_TOKEN=$($bin --data-dir "$dir" user add --org bench --email bench@bench.fr --role advisor 2>/dev/null)
python3 bench/gen_email.py contact@bench.fr >"$dir/message.eml"
export BENCH_MESSAGE="$dir/message.eml"
echo "backend: ${PACTE_DATABASE_URL:+postgresql}${PACTE_DATABASE_URL:-sqlite (WAL, synchronous=FULL)}" | sed 's#postgresql.*#postgresql#'
echo "message: $(wc -c <"$dir/message.eml") bytes"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PACTE_LOG=warn $bin --data-dir "$dir" --listen 127.0.0.1:$port serve & pid=$!
for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
echo "== baseline: GET /healthz, $conns connections, ${secs}s"
wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|99%"
echo "== baseline: POST /api/v1/interactions (JSON, group commit), $conns connections, ${secs}s"
wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/ingest.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|99%|Non-2xx"
echo "== relay: POST /api/v1/inbound/email, $conns connections, ${secs}s"
wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/email.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|99%|Non-2xx"
python3 bench/gen_email.py contact@bench.fr "$n" "$dir/pipe"
pipe() {
  start=$(date +%s.%N)
  fails=$(ls "$dir/pipe"/*.eml | $1 -n 1000 | xargs -P "$par" -I{} sh -c "$bin --data-dir $dir mail ingest < {} 2>/dev/null || echo FAIL" | grep -c FAIL || true)
  end=$(date +%s.%N)
  python3 -c "s=$end-$start; k=$2; print(f'{k} messages in {s:.1f} s: {k/s:.0f} messages/s, $fails refused')"
}
echo "== pipe, server running (hand-off over its socket): 1000 messages, one 'pacte mail ingest' each, $par at a time"
pipe head 1000
kill $pid; wait $pid 2>/dev/null || true; pid=""
echo "== pipe, no server (each process writes to the database): 1000 messages, $par at a time"
pipe tail 1000
