#!/usr/bin/env bash
# The bot: accuracy and handoff on held-out questions, against a plain BM25 baseline computed in
# the same run (bench/bot_eval.py), and its latency under load.
# - service-public.fr's 1,705 French Q&A fiches imported with `pacte kb import`; questions in
#   bench/data/kb-fr-questions.jsonl (our own paraphrases and out-of-scope questions, split
#   tune / test);
# - CLINC150 (English): its 150 intents as articles, their train sentences as variants; tuned on
#   val, reported on test and oos_test;
# - POST /api/v1/bot/answer under wrk over a 2,000-article base (the FAQ and 345 copies), with
#   GET /healthz in the same run as the baseline; the server's RSS.
# SQLite in a temp dir. Usage: bench/bot.sh  (needs wrk, curl, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${SECS:-10}; conns=${CONNS:-16}
bin=${PACTE_BIN:-target/release/pacte}
[ -n "${PACTE_BIN:-}" ] || cargo build --release -q
faq=../shared/data/service-public-faq-fr/service_public_questions_reponses.jsonl
clinc=../shared/data/clinc150-en/clinc150_data_full.csv
dir=$(mktemp -d); pid=""; trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
p() { $bin --data-dir "$dir" "$@"; }
for org in faq clinc load; do p org add --slug $org --name $org >/dev/null; done
faq_token=$(p user add --org faq --email m@faq.fr --role manager 2>/dev/null)
clinc_token=$(p user add --org clinc --email m@clinc.fr --role manager 2>/dev/null)
load_token=$(p user add --org load --email m@load.fr --role advisor 2>/dev/null)
map=(--column external_id=id --column title=question --column body=answer)
/usr/bin/time -f "  in %e s, max RSS %M KB" $bin --data-dir "$dir" kb import "$faq" --org faq "${map[@]}" 2>&1 | grep -v "already on line"
python3 bench/bot_eval.py clinc-kb "$clinc" > "$dir/clinc.jsonl"
p kb import "$dir/clinc.jsonl" --org clinc 2>&1 | tail -1
# 2,000 articles: the FAQ, and 345 of its fiches again under other ids.
python3 - "$faq" > "$dir/load.jsonl" <<'PY'
import json, sys
rows, seen = [], set()
for line in open(sys.argv[1], encoding="utf-8"):
    f = json.loads(line)
    if f["id"] not in seen:
        seen.add(f["id"]); rows.append(f)
extra = [dict(f, id=f["id"] + "-bis") for f in rows[: 2000 - len(rows)]]
for f in rows + extra:
    print(json.dumps({"external_id": f["id"], "title": f["question"], "short_answer": f["short_answer"], "body": f["answer"]}, ensure_ascii=False))
PY
p kb import "$dir/load.jsonl" --org load 2>&1 | tail -1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
PACTE_LOG=warn $bin --data-dir "$dir" --listen 127.0.0.1:$port serve & pid=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
echo "== accuracy (thresholds tuned on one part, reported on the other)"
python3 bench/bot_eval.py faq "$base" "$faq_token" "$faq" bench/data/kb-fr-questions.jsonl
python3 bench/bot_eval.py clinc "$base" "$clinc_token" "$clinc"
echo "== latency"
export PACTE_TOKEN=$load_token QUESTIONS=$dir/questions.txt
python3 -c '
import json
for l in open("bench/data/kb-fr-questions.jsonl", encoding="utf-8"):
    print(json.dumps({"question": json.loads(l)["q"]}, ensure_ascii=False))' > "$QUESTIONS"
t0=$(date +%s.%N); curl -sf -o /dev/null -H "Authorization: Bearer $load_token" -H 'Content-Type: application/json' \
  -d '{"question":"passeport"}' "$base/api/v1/bot/answer"
python3 -c "print(f'first answer (builds the 2,000-article index): {($(date +%s.%N)-$t0)*1000:.0f} ms')"
load() {
  local label=$1; shift
  printf '%-34s' "$label"
  wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" | awk '/50%/{p50=$2} /99%/{p99=$2} /Requests\/sec/{rps=$2} /Non-2xx/{bad=$NF} END{printf "%10s req/s  p50 %8s  p99 %8s%s\n", rps, p50, p99, bad ? "  non-2xx " bad : ""}'
}
load "baseline /healthz" "$base/healthz"
load "bot answer, 2,000 articles ($conns clients)" -s bench/bot.lua "$base"
load "bot answer, 1 client" -c1 -t1 -s bench/bot.lua "$base"
echo "server RSS: $(ps -o rss= -p $pid | awk '{printf "%.0f MB", $1/1024}')"
