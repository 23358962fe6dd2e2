#!/usr/bin/env bash
# Bulk import throughput: generates the demo at N interactions, exports it, imports it into a new
# organisation. Usage: bench/import.sh [interactions]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
cargo build --release -q
bin=target/release/pacte
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
/usr/bin/time -f "demo generation: %e s, max RSS %M KB" $bin --data-dir "$dir" demo --customers $((n / 12)) --interactions "$n" --no-serve
$bin --data-dir "$dir" export --org demo -o "$dir/export.jsonl"
$bin --data-dir "$dir" org add --slug copy --name Copy >/dev/null
/usr/bin/time -f "import: %e s, max RSS %M KB" $bin --data-dir "$dir" import "$dir/export.jsonl" --org copy
echo "rerun (nothing new expected):"
$bin --data-dir "$dir" import "$dir/export.jsonl" --org copy
