#!/usr/bin/env bash
# How long `pacte demo` takes to record its year of history, and what a write through the API
# costs while it records (p99 target 100 ms), against the same write once it is done (baseline).
# Usage: bench/demo.sh [seconds] [connections]   (needs wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-6}; conns=${2:-4}
cargo build --release -q
bin=target/release/pacte
dir=$(mktemp -d); pid=""; trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start=$(date +%s.%N)
PACTE_LOG=warn $bin --data-dir "$dir" --listen 127.0.0.1:$port demo >"$dir/demo.log" 2>&1 & pid=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
export PACTE_TOKEN=$($bin --data-dir "$dir" user token --email conseiller@demo.pacte.fr 2>/dev/null)
echo "== POST /api/v1/interactions while the demo records its history, $conns connections, ${secs}s"
wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/ingest.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|99%|50%|Non-2xx"
while ! grep -q "Demo history recorded" "$dir/demo.log"; do sleep 0.2; done
grep "Demo history recorded" "$dir/demo.log"
echo "== baseline: the same once the history is recorded"
wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/ingest.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|99%|50%|Non-2xx"
