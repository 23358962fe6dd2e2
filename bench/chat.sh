#!/usr/bin/env bash
# Chat sockets: 1,000 visitors' WebSockets open at once, advisor replies delivered end to end
# (POST of the reply → the frame on the visitor's socket), with GET /healthz under wrk in the same
# run as the baseline, and the server's RSS. SQLite in a temp dir.
# Usage: bench/chat.sh [N] [SECONDS] [REPLIES_PER_SECOND]  (needs python3 with aiohttp and websockets, wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}; secs=${2:-10}; rate=${3:-200}
bin=${PACTE_BIN:-target/release/pacte}
[ -n "${PACTE_BIN:-}" ] || cargo build --release -q
dir=$(mktemp -d); pid=""; trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
p() { $bin --data-dir "$dir" "$@"; }
p org add --slug load --name load >/dev/null
token=$(p user add --org load --email a@load.fr --role advisor 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
ulimit -n 65536 2>/dev/null || true
PACTE_LOG=warn $bin --data-dir "$dir" --listen 127.0.0.1:$port serve & pid=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
echo "baseline: $(wrk -t2 -c16 -d3s "$base/healthz" | grep Requests/sec)"
python3 bench/chat_load.py "$base" load "$token" "$n" "$secs" "$rate"
echo "server RSS: $(ps -o rss= -p $pid | awk '{printf "%.0f MB", $1/1024}')"
