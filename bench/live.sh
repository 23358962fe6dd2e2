#!/usr/bin/env bash
# Live pages: PAGES desks hold the event stream open while writes arrive through the API; how long
# until each desk is told (bench/live.py), against one desk in the same run.
# Usage: bench/live.sh [pages] [writes]   (default 500 50)
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-500}; writes=${2:-50}
bin=${PACTE_BIN:-target/release/pacte}
[ -n "${PACTE_BIN:-}" ] || cargo build --release -q
dir=$(mktemp -d); pid=""; trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
$bin --data-dir "$dir" org add --slug bench --name Bench >/dev/null
token=$($bin --data-dir "$dir" user add --org bench --email bench@bench.fr --role advisor --password-stdin <<<"motdepasse-long" 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PACTE_LOG=warn $bin --data-dir "$dir" --listen 127.0.0.1:$port serve & pid=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
cookie=$(curl -s -o /dev/null -D - -d 'email=bench%40bench.fr&password=motdepasse-long' "http://127.0.0.1:$port/login" | awk -F'[ ;]' 'tolower($1)=="set-cookie:"{print $2}')
ulimit -n 4096
python3 bench/live.py "http://127.0.0.1:$port" "$token" "$cookie" "$pages" "$writes"
