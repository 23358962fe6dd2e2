#!/usr/bin/env bash
# What continuous evaluation costs at ingest: the same N interactions (bench/gen_interactions.py,
# dated from tomorrow) imported into an organisation without a charter and into one whose charter
# of five commitments covers every channel (first response in business hours, resolution with an
# unacceptable bound, counter wait with a compensation, phone answer, once & done), in rounds of
# alternating order; then API writes with and without; then the charter's read paths under load
# (public page, JSON feed, results API). SQLite in a temp dir by default; set PACTE_DATABASE_URL
# to an empty PostgreSQL database to measure PostgreSQL.
# Usage: bench/charter.sh [interactions] [seconds] [rounds]   (needs wrk, curl)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50000}; secs=${2:-8}; rounds=${3:-4}
cargo build --release -q
bin=target/release/pacte
dir=$(mktemp -d); pid=""; trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
T0=$(( $(date +%s) + 86400 )) python3 bench/gen_interactions.py "$n" > "$dir/in.jsonl"
echo "backend: ${PACTE_DATABASE_URL:+postgresql}${PACTE_DATABASE_URL:-sqlite (WAL, synchronous=FULL)}" | sed 's#postgresql.*#postgresql#'

serve() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  PACTE_LOG=error $bin --data-dir "$dir" --listen 127.0.0.1:$port serve & pid=$!
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
}
stop() { kill $pid; wait $pid 2>/dev/null || true; pid=""; }
org() { # slug → prints an admin token
  $bin --data-dir "$dir" org add --slug "$1" --name "$1" >/dev/null
  $bin --data-dir "$dir" user add --org "$1" --email "admin@$1.fr" --role admin 2>/dev/null
}
commit() { # token json
  id=$(curl -sf -H "Authorization: Bearer $1" -H 'content-type: application/json' -d "$2" \
    "http://127.0.0.1:$port/api/v1/commitments" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $1" "http://127.0.0.1:$port/api/v1/commitments/$id/backtest?months=1"
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $1" "http://127.0.0.1:$port/api/v1/commitments/$id/publish"
}
w='"title_fr":"t","title_en":"t","wording_fr":"w","wording_en":"w","period":"month"'
all='"email","web_form","chat","social","letter","phone","counter"'
serve
for r in $(seq "$rounds"); do
  org "plain$r" > "$dir/token-plain$r"
  t=$(org "charter$r"); echo "$t" > "$dir/token-charter$r"
  commit "$t" "{$w,\"metric\":\"first_response\",\"channels\":[\"email\",\"web_form\",\"chat\",\"social\",\"letter\"],\"nominal_minutes\":2880,\"requirement_pct\":90,\"business_time\":true}"
  commit "$t" "{$w,\"metric\":\"resolution\",\"channels\":[$all],\"nominal_minutes\":7200,\"requirement_pct\":80,\"unacceptable_minutes\":43200}"
  commit "$t" "{$w,\"metric\":\"counter_wait\",\"channels\":[\"counter\"],\"nominal_minutes\":5,\"requirement_pct\":85,\"unacceptable_minutes\":15,\"compensation_gesture\":\"Bon\",\"compensation_cents\":1000}"
  commit "$t" "{$w,\"metric\":\"phone_answer\",\"channels\":[\"phone\"],\"nominal_minutes\":3,\"requirement_pct\":80}"
  commit "$t" "{$w,\"metric\":\"once_and_done\",\"channels\":[$all],\"requirement_pct\":60}"
done
stop

echo "== import of $n interactions, $rounds rounds in alternating order (warm-up and noise hit both)"
imp() { { /usr/bin/time -f "%e" $bin --data-dir "$dir" import "$dir/in.jsonl" --org "$1" >/dev/null; } 2>&1 | tail -1; }
ta=0; tb=0
for r in $(seq "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then a=$(imp "plain$r"); b=$(imp "charter$r"); else b=$(imp "charter$r"); a=$(imp "plain$r"); fi
  echo "round $r: without charter ${a} s, with 5 commitments ${b} s, ratio $(python3 -c "print(f'{$b/$a:.3f}')")"
  ta=$(python3 -c "print($ta+$a)"); tb=$(python3 -c "print($tb+$b)")
done
echo "all rounds: without ${ta} s, with ${tb} s, ratio $(python3 -c "print(f'{$tb/$ta:.3f}')")"

serve
echo "== POST /api/v1/interactions (bench/ingest.lua), 32 connections, ${secs}s"
for o in plain1 charter1; do
  PACTE_TOKEN=$(cat "$dir/token-$o") wrk -t2 -c32 -d"${secs}s" --latency -s bench/ingest.lua \
    "http://127.0.0.1:$port" | grep -E "Requests/sec|99%|Non-2xx" | sed "s/^/$o: /"
done
token=$(cat "$dir/token-charter1")
for path in /healthz /o/charter1/engagements /o/charter1/engagements.json /api/v1/charter/results; do
  echo "== GET $path, 8 connections, ${secs}s"
  wrk -t2 -c8 -d"${secs}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path" | grep -E "Requests/sec|99%|Non-2xx"
done
