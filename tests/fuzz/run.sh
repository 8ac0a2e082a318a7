#!/usr/bin/env bash
# Runs every fuzz target for N seconds: tests/fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:-build-fuzz}
secs=${2:-60}
cd "$(dirname "$0")/../.."
status=0
for bin in "$build"/tests/fuzz/*_fuzz; do
  name=$(basename "$bin" _fuzz)
  seeds=tests/fuzz/corpus/$name
  work=fuzz-corpus/$name
  mkdir -p "$work"
  echo "== $name: ${secs}s"
  if ! "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 "$work" "$seeds" 2>"$work.log"; then
    echo "FAILED: $name (see $work.log; crash input saved as crash-* in $(pwd))"
    tail -30 "$work.log"
    status=1
  else
    grep -E 'stat::number_of_executed_units|Done' "$work.log" | tail -2
  fi
done
exit $status
