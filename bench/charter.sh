#!/usr/bin/env bash
# What continuous evaluation costs at ingest: the same N interactions (bench/gen_interactions.py,
# dated from tomorrow) imported into an organisation without a charter, then into one whose
# charter of six commitments covers every channel (first response in business hours, resolution,
# counter wait, phone answer, once & done). Prints both times and the ratio; the same for API
# writes; then the charter's read paths under load (public page, JSON feed, dashboard API).
# Usage: bench/charter.sh [interactions] [seconds]   (SQLite; needs wrk, curl)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}; secs=${2:-10}
cargo build --release -q
bin=target/release/pacte
work=$(mktemp -d); pid=""; trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
T0=$(( $(date +%s) + 86400 )) python3 bench/gen_interactions.py "$n" > "$work/in.jsonl"

setup() { # dir → prints an admin token
  $bin --data-dir "$1" org add --slug bench --name Bench >/dev/null
  $bin --data-dir "$1" user add --org bench --email admin@bench.fr --role admin 2>/dev/null
}
serve() { # dir
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  PACTE_LOG=warn $bin --data-dir "$1" --listen 127.0.0.1:$port serve & pid=$!
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
}
stop() { kill $pid; wait $pid 2>/dev/null || true; pid=""; }
commit() { # token json
  id=$(curl -sf -H "Authorization: Bearer $1" -H 'content-type: application/json' -d "$2" \
    "http://127.0.0.1:$port/api/v1/commitments" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $1" "http://127.0.0.1:$port/api/v1/commitments/$id/backtest?months=1"
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $1" "http://127.0.0.1:$port/api/v1/commitments/$id/publish"
}
w='"title_fr":"t","title_en":"t","wording_fr":"w","wording_en":"w","period":"month"'

mkdir "$work/plain" "$work/charter"
setup "$work/plain" >/dev/null
token=$(setup "$work/charter")
serve "$work/charter"
commit "$token" "{$w,\"metric\":\"first_response\",\"channels\":[\"email\",\"web_form\",\"chat\",\"social\",\"letter\"],\"nominal_minutes\":2880,\"requirement_pct\":90,\"business_time\":true}"
commit "$token" "{$w,\"metric\":\"resolution\",\"channels\":[\"email\",\"web_form\",\"chat\",\"social\",\"letter\",\"phone\",\"counter\"],\"nominal_minutes\":7200,\"requirement_pct\":80,\"unacceptable_minutes\":43200}"
commit "$token" "{$w,\"metric\":\"counter_wait\",\"channels\":[\"counter\"],\"nominal_minutes\":5,\"requirement_pct\":85,\"unacceptable_minutes\":15,\"compensation_gesture\":\"Bon\",\"compensation_cents\":1000}"
commit "$token" "{$w,\"metric\":\"phone_answer\",\"channels\":[\"phone\"],\"nominal_minutes\":3,\"requirement_pct\":80}"
commit "$token" "{$w,\"metric\":\"once_and_done\",\"channels\":[\"email\",\"web_form\",\"chat\",\"social\",\"letter\",\"phone\",\"counter\"],\"requirement_pct\":60}"
stop
echo "== import of $n interactions (SQLite), rounds in alternating order so that warm-up and noise hit both"
imp() { # dir
  { /usr/bin/time -f "%e" $bin --data-dir "$1" import "$work/in.jsonl" --org bench >/dev/null; } 2>&1 | tail -1
}
ta=0; tb=0
for round in 1 2 3 4; do
  # Each round imports into fresh copies of the empty databases.
  for d in plain charter; do rm -rf "$work/$d-$round"; cp -r "$work/$d" "$work/$d-$round"; done
  if [ $((round % 2)) -eq 1 ]; then a=$(imp "$work/plain-$round"); b=$(imp "$work/charter-$round")
  else b=$(imp "$work/charter-$round"); a=$(imp "$work/plain-$round"); fi
  echo "round $round: without charter ${a} s, with 5 commitments ${b} s, ratio $(python3 -c "print(f'{$b/$a:.3f}')")"
  ta=$(python3 -c "print($ta+$a)"); tb=$(python3 -c "print($tb+$b)")
  [ $round -lt 4 ] && rm -rf "$work/plain-$round" "$work/charter-$round"
done
echo "all rounds: without ${ta} s, with ${tb} s, ratio $(python3 -c "print(f'{$tb/$ta:.3f}')")"
for d in plain charter; do rm -rf "$work/$d"; mv "$work/$d-4" "$work/$d"; done
echo "measures: $(sqlite3 "$work/charter/pacte.db" 'select count(*) from commitment_measure')," \
  "non-conformities: $(sqlite3 "$work/charter/pacte.db" 'select count(*) from nonconformity')," \
  "compensations: $(sqlite3 "$work/charter/pacte.db" 'select count(*) from compensation')"

echo "== POST /api/v1/interactions (bench/ingest.lua), 32 connections, ${secs}s"
for d in plain charter; do
  serve "$work/$d"
  PACTE_TOKEN=$($bin --data-dir "$work/$d" user token --email admin@bench.fr 2>/dev/null) \
    wrk -t2 -c32 -d"${secs}s" --latency -s bench/ingest.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|99%|Non-2xx" | sed "s/^/$d: /"
  stop
done

serve "$work/charter"
export PACTE_TOKEN=$token
for path in /healthz /o/bench/engagements /o/bench/engagements.json /api/v1/charter/results; do
  echo "== GET $path, 8 connections, ${secs}s"
  wrk -t2 -c8 -d"${secs}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path" | grep -E "Requests/sec|99%|Non-2xx"
done
