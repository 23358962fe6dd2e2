#!/usr/bin/env bash
# The cost curve: for each size N (interactions; N/10 customers), an organisation with a published
# charter (first response in business hours, counter wait with an unacceptable bound) imports N
# generated interactions of the last year, then serves: customer 360, case list (random filters,
# deep pages) and charter results under load, a 12-month backtest of a draft, server RSS and
# database size. GET /healthz in the same run is the baseline. Not for CI: 10 M takes a while.
# SQLite in a temp dir; set PACTE_DATABASE_URL to an empty PostgreSQL database (one size per run).
# Usage: bench/scale.sh [N ...]   (default: 100000 1000000; needs wrk, curl, sqlite3)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(100000 1000000)
secs=${SECS:-8}; conns=${CONNS:-16}
cargo build --release -q
bin=target/release/pacte
pid=""; trap '[ -n "$pid" ] && kill $pid 2>/dev/null' EXIT
api() { curl -sf -H "Authorization: Bearer $token" -H 'content-type: application/json' "$@"; }
serve() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  PACTE_LOG=warn $bin --data-dir "$dir" --listen 127.0.0.1:$port serve & pid=$!
  for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  base="http://127.0.0.1:$port"
}
load() { # label, then wrk arguments
  local label=$1; shift
  printf '%-22s' "$label"
  wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" | awk '/50%/{p50=$2} /99%/{p99=$2} /Requests\/sec/{rps=$2} /Non-2xx/{bad=$NF} END{printf "%10s req/s  p50 %8s  p99 %8s%s\n", rps, p50, p99, bad ? "  non-2xx " bad : ""}'
}
w='"title_fr":"t","title_en":"t","wording_fr":"w","wording_en":"w","period":"month"'
for n in "${sizes[@]}"; do
  dir=$(mktemp -d)
  echo "=== $n interactions, $((n / 10)) customers ($dir)"
  T0=$(( $(date +%s) - 365 * 86400 )) python3 bench/gen_interactions.py "$n" > "$dir/in.jsonl" 2>/dev/null
  $bin --data-dir "$dir" org add --slug bench --name Bench >/dev/null
  token=$($bin --data-dir "$dir" user add --org bench --email admin@bench.fr --role admin 2>/dev/null)
  serve
  for body in "{$w,\"metric\":\"first_response\",\"channels\":[\"email\",\"web_form\",\"chat\"],\"nominal_minutes\":2880,\"requirement_pct\":90,\"business_time\":true}" \
              "{$w,\"metric\":\"counter_wait\",\"channels\":[\"counter\"],\"nominal_minutes\":5,\"requirement_pct\":85,\"unacceptable_minutes\":15}"; do
    id=$(api -d "$body" "$base/api/v1/commitments" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    api -X POST "$base/api/v1/commitments/$id/backtest?months=1" >/dev/null
    api -X POST "$base/api/v1/commitments/$id/publish" >/dev/null
  done
  /usr/bin/time -f "import (server running): %e s, CLI max RSS %M KB" $bin --data-dir "$dir" import "$dir/in.jsonl" --org bench 2>&1 | tail -2
  if [ -z "${PACTE_DATABASE_URL:-}" ]; then
    customers=$(sqlite3 "$dir/pacte.db" 'select max(id) from customer')
    echo "database: $(du -h "$dir/pacte.db" | cut -f1) ($(sqlite3 "$dir/pacte.db" 'select count(*) from support_case') cases)"
  else
    customers=$((n / 10))
  fi
  load "baseline /healthz" "$base/healthz"
  PACTE_TOKEN=$token PACTE_CUSTOMERS=$customers PACTE_MODE=360 load "customer 360" -s bench/reads.lua "$base"
  PACTE_TOKEN=$token PACTE_CUSTOMERS=$customers PACTE_MODE=cases load "case list" -s bench/reads.lua "$base"
  load "charter results" -H "Authorization: Bearer $token" "$base/api/v1/charter/results?periods=12"
  id=$(api -d "{$w,\"metric\":\"resolution\",\"channels\":[\"email\",\"web_form\",\"chat\",\"phone\",\"counter\"],\"nominal_minutes\":7200,\"requirement_pct\":80}" "$base/api/v1/commitments" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  t=$(api -o /dev/null -w "%{time_total}" -X POST "$base/api/v1/commitments/$id/backtest?months=12")
  echo "backtest 12 months:   ${t}s over HTTP"
  echo "server RSS: $(( $(ps -o rss= -p $pid) / 1024 )) MB"
  kill $pid; wait $pid 2>/dev/null || true; pid=""
  rm -rf "$dir"
done
