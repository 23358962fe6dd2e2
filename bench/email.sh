#!/usr/bin/env bash
# Email ingest throughput, typical ~20 KB messages (bench/gen_email.py), on 2 cores:
#   1. HTTP relay path: wrk on POST /api/v1/inbound/email, with GET /healthz and
#      POST /api/v1/interactions measured in the same run as baselines;
#   2. MTA pipe path: N messages, one `pacte mail ingest` process each, P at a time (as an MTA
#      runs its pipe transport).
# SQLite in a temp dir by default; PACTE_DATABASE_URL for PostgreSQL (an empty database).
# Usage: bench/email.sh [seconds] [connections] [pipe messages] [pipe parallelism]  (needs wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-16}; n=${3:-2000}; par=${4:-4}
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
kill $pid; wait $pid 2>/dev/null || true; pid=""

echo "== pipe: $n messages, one 'pacte mail ingest' each, $par at a time"
python3 bench/gen_email.py contact@bench.fr "$n" "$dir/pipe"
start=$(date +%s.%N)
ls "$dir/pipe"/*.eml | xargs -P "$par" -I{} sh -c "$bin --data-dir $dir mail ingest < {} 2>/dev/null || echo FAIL {}" | grep -c FAIL || true
end=$(date +%s.%N)
python3 -c "import sys; s=$end-$start; print(f'{$n} messages in {s:.1f} s: {$n/s:.0f} messages/s')"
