#!/usr/bin/env bash
# Search at scale: N messages of real French text (bench/gen_messages.py) imported with no server
# running, then a server starts and builds its index from the log (catch-up rate), serves the
# search under load (GET /healthz in the same run is the baseline), the same queries are compared
# with the database's own full text (bench/search_compare.py), and `pacte search reindex` rebuilds
# the index from scratch. SQLite in a temp dir; set PACTE_DATABASE_URL to an empty PostgreSQL
# database to measure PostgreSQL. Usage: bench/search.sh [messages]  (default 1000000; needs wrk, curl)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}; secs=${SECS:-10}; conns=${CONNS:-16}
# PACTE_BIN=path measures another build in the same sitting.
bin=${PACTE_BIN:-target/release/pacte}
[ -n "${PACTE_BIN:-}" ] || cargo build --release -q
dir=$(mktemp -d); pid=""; trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
export QUERIES=$dir/queries.txt
python3 bench/gen_messages.py "$n" > "$dir/in.jsonl"
$bin --data-dir "$dir" org add --slug bench --name Bench >/dev/null
export PACTE_TOKEN=$($bin --data-dir "$dir" user add --org bench --email bench@bench.fr --role advisor 2>/dev/null)
/usr/bin/time -f "import (no server): %e s" $bin --data-dir "$dir" import "$dir/in.jsonl" --org bench 2>&1 | tail -2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
t0=$(date +%s.%N)
PACTE_LOG=warn $bin --data-dir "$dir" --listen 127.0.0.1:$port serve & pid=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
until curl -sf -H "Authorization: Bearer $PACTE_TOKEN" "$base/api/v1/search?q=x" | grep -q '"pending":0'; do sleep 0.2; done
t1=$(date +%s.%N)
python3 -c "t=$t1-$t0; print(f'index built by the starting server: {t:.1f} s, {$n/t:,.0f} messages/s')"
echo "index on disk: $(du -sh "$dir/search" | cut -f1)"
load() {
  local label=$1; shift
  printf '%-22s' "$label"
  wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" | awk '/50%/{p50=$2} /99%/{p99=$2} /Requests\/sec/{rps=$2} /Non-2xx/{bad=$NF} END{printf "%10s req/s  p50 %8s  p99 %8s%s\n", rps, p50, p99, bad ? "  non-2xx " bad : ""}'
}
load "baseline /healthz" "$base/healthz"
load "search ($conns clients)" -s bench/search.lua "$base"
python3 bench/search_compare.py "${PACTE_DATABASE_URL:-$dir/pacte.db}" "$QUERIES" "$base" "$PACTE_TOKEN"
kill $pid; wait $pid 2>/dev/null || true; pid=""
/usr/bin/time -f "pacte search reindex: %e s, max RSS %M KB" $bin --data-dir "$dir" search reindex 2>&1 | tail -2
