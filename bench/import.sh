#!/usr/bin/env bash
# Bulk import throughput into SQLite: N generated interactions (bench/gen_interactions.py), then a
# rerun that must import nothing new. Usage: bench/import.sh [interactions]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
# PACTE_BIN=path measures another build (e.g. the commit before a change) in the same sitting.
bin=${PACTE_BIN:-target/release/pacte}
[ -n "${PACTE_BIN:-}" ] || cargo build --release -q
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
python3 bench/gen_interactions.py "$n" > "$dir/in.jsonl" 2>/dev/null
$bin --data-dir "$dir" org add --slug bench --name Bench >/dev/null
/usr/bin/time -f "import: %e s wall, max RSS %M KB" $bin --data-dir "$dir" import "$dir/in.jsonl" --org bench
echo "rerun:"
$bin --data-dir "$dir" import "$dir/in.jsonl" --org bench
[ -z "${PACTE_DATABASE_URL:-}" ] && echo "interactions stored: $(sqlite3 "$dir/pacte.db" "select count(*) from interaction")"; true
