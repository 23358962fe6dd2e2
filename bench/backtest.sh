#!/usr/bin/env bash
# Backtest cost: N interactions over the last year (bench/gen_interactions.py) imported into
# SQLite, then a draft commitment of each metric backtested over 12 months through the API; the
# answer reports its own elapsed time. Usage: bench/backtest.sh [interactions]   (needs curl)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
cargo build --release -q
bin=target/release/pacte
dir=${BENCH_DIR:-$(mktemp -d)}; pid=""; trap '[ -n "$pid" ] && kill $pid 2>/dev/null' EXIT
if [ ! -f "$dir/pacte.db" ]; then
  T0=$(( $(date +%s) - 365 * 86400 )) python3 bench/gen_interactions.py "$n" > "$dir/in.jsonl"
  $bin --data-dir "$dir" org add --slug bench --name Bench >/dev/null
  $bin --data-dir "$dir" user add --org bench --email admin@bench.fr --role admin 2>/dev/null > "$dir/token"
  /usr/bin/time -f "import: %e s" $bin --data-dir "$dir" import "$dir/in.jsonl" --org bench >/dev/null
fi
token=$(cat "$dir/token")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PACTE_LOG=warn $bin --data-dir "$dir" --listen 127.0.0.1:$port serve & pid=$!
for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
echo "interactions: $(sqlite3 "$dir/pacte.db" 'select count(*) from interaction'), cases: $(sqlite3 "$dir/pacte.db" 'select count(*) from support_case')"
w='"title_fr":"t","title_en":"t","wording_fr":"w","wording_en":"w","period":"month"'
bt() { # metric json
  id=$(curl -sf -H "Authorization: Bearer $token" -H 'content-type: application/json' -d "$2" \
    "http://127.0.0.1:$port/api/v1/commitments" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  t=$(curl -sf -o "$dir/bt.json" -w "%{time_total}" -X POST -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/api/v1/commitments/$id/backtest?months=12")
  python3 - "$1" "$t" "$dir/bt.json" <<'PY'
import json, sys
metric, t, path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
b = json.load(open(path))
total = sum(r["all"]["total"] for r in b["results"])
print(f"{metric:15} 12 months: {b['elapsed_ms']} ms in the service, {t * 1000:.0f} ms over HTTP, {total} contacts measured")
PY
}
bt first_response "{$w,\"metric\":\"first_response\",\"channels\":[\"email\",\"web_form\",\"chat\",\"social\",\"letter\"],\"nominal_minutes\":2880,\"requirement_pct\":90,\"business_time\":true}"
bt resolution "{$w,\"metric\":\"resolution\",\"channels\":[\"email\",\"web_form\",\"chat\",\"social\",\"letter\",\"phone\",\"counter\"],\"nominal_minutes\":7200,\"requirement_pct\":80}"
bt counter_wait "{$w,\"metric\":\"counter_wait\",\"channels\":[\"counter\"],\"nominal_minutes\":5,\"requirement_pct\":85,\"unacceptable_minutes\":15}"
bt once_and_done "{$w,\"metric\":\"once_and_done\",\"channels\":[\"email\",\"web_form\",\"chat\",\"social\",\"letter\",\"phone\",\"counter\"],\"requirement_pct\":60}"
