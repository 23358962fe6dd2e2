#!/usr/bin/env bash
# Voice of the customer at scale: imports N survey answers (default 1,000,000) through
# `pacte survey import`, then measures the survey and review pages, the public reviews, and the
# NPS figures and irritants over all of them, against /healthz in the same run.
# Usage: bench/voice.sh [answers] [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}; secs=${2:-10}; conns=${3:-16}
bin=target/release/pacte
cargo build --release --quiet
dir=$(mktemp -d); trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT; pid=
$bin --data-dir "$dir" org add --slug bench --name Bench >/dev/null
token=$($bin --data-dir "$dir" user add --org bench --email admin@bench.fr --role admin 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
PACTE_LOG=warn $bin --data-dir "$dir" --listen 127.0.0.1:$port serve & pid=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
api() { curl -sf -X "$1" "$base/api/v1$2" -H "Authorization: Bearer $token" -H 'content-type: application/json' ${3:+-d "$3"}; }
for s in 1 2 3 4 5 6; do api POST /sites "{\"code\":\"s$s\",\"name\":\"Site $s\",\"kind\":\"agency\"}" >/dev/null; done
python3 bench/gen_answers.py "$n" > "$dir/answers.csv"
echo "== import $n answers (pacte survey import, server running)"
/usr/bin/time -f "%e s, max RSS %M KB" $bin --data-dir "$dir" survey import "$dir/answers.csv" --org bench --survey 3 2>&1 | tail -2
# A survey link: the post-case survey at once after a solved case.
api PUT /surveys/1 '{"name":"Après un dossier résolu","kind":"csat","question_fr":"Satisfait ?","question_en":"Satisfied?","ask_solved":true,"trigger":"case_solved","delay_minutes":0}' >/dev/null
case=$(api POST /interactions '{"channel":"chat","direction":"inbound","customer":{"email":"a@b.fr"},"subject":"Question","body":"?"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["case_id"])')
api POST "/cases/$case/replies" '{"body":"Voilà.","status":"solved"}' >/dev/null
for _ in $(seq 50); do
  survey=$(api GET "/cases/$case/surveys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["invitations"][0]["link"] or "")')
  [ -n "$survey" ] && break; sleep 0.2
done
# 300 published reviews (each from its own invitation and its own client address).
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for i in $(seq 300); do
  link=$(api POST /review-invitations "{\"customer\":{\"email\":\"c$i@b.fr\",\"name\":\"Client $i\"},\"reference\":\"o$i\",\"about\":\"Commande $i\",\"purchased_at\":\"$now\",\"site\":\"s$((i % 6 + 1))\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["link"])')
  curl -sf -o /dev/null -H "X-Forwarded-For: 10.0.$((i / 250)).$((i % 250))" --data-urlencode "stars=$((i % 5 + 1))" --data-urlencode "comment=Avis numéro $i, expérience correcte." "$link" || true
done
review=$(api POST /review-invitations "{\"customer\":{\"email\":\"z@b.fr\"},\"reference\":\"open\",\"about\":\"Commande\",\"purchased_at\":\"$now\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["link"])')
run() { echo "== $1"; shift; wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" | grep -E "Requests/sec|50%|99%|Non-2xx"; }
run "baseline GET /healthz" "$base/healthz"
run "survey page GET /s/…" "$survey"
run "review form GET /r/…" "$review"
run "public reviews GET /o/bench/avis (300 reviews)" "$base/o/bench/avis"
run "public reviews JSON" "$base/o/bench/avis.json"
export PACTE_TOKEN=$token PACTE_SURVEY=3
PACTE_MODE=figures run "NPS figures over $n answers (random period and slice)" -s bench/voice.lua "$base"
PACTE_MODE=irritants run "irritants over $n answers (random period)" -s bench/voice.lua "$base"
# The first run right after the bulk import above has shown tail spikes (cause not found: not a
# WAL checkpoint); measured again at the end.
run "survey page GET /s/… (again, after the others)" "$survey"
echo "server RSS: $(ps -o rss= -p $pid) KB"
