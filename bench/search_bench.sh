#!/usr/bin/env bash
# Search over 1,000,000 stored events: bench/search_bench.sh BUILD_DIR
#
# Ingests the generated 1,000,000-line access log (bench/gen_access_log.py, cached in
# /tmp/rampart-bench) into a fresh data directory, then times four queries with
# `rampart search` (best of 3, one core) next to the same SQL run by the sqlite3 shell over
# the same day files (the floor: what SQLite alone takes for that scan). Markdown on stdout.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: bench/search_bench.sh BUILD_DIR" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RAMPART=$(cd "$1" && pwd)/rampart
LINES=${RAMPART_BENCH_LINES:-1000000}
CACHE=/tmp/rampart-bench
mkdir -p "$CACHE"
GEN_HASH=$(md5sum "$ROOT/bench/gen_access_log.py" | cut -c1-8)
LOG=$CACHE/access-$LINES-$GEN_HASH.log
[ -s "$LOG" ] || python3 "$ROOT/bench/gen_access_log.py" "$LINES" "$LOG"
D=$(mktemp -d /tmp/rampart-search.XXXXXX)
trap 'rm -rf "$D"' EXIT
taskset -c 0 "$RAMPART" ingest --data "$D" --format access "$LOG" 2> "$D/ingest.log"
FILES=("$D"/tenants/default/events-*.db)
PIN=(taskset -c 0)

# best3 CMD...: the best wall time of three runs, in seconds.
best3() {
  local best=
  for _ in 1 2 3; do
    local s e
    s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N)
    local t=$(( (e - s) / 1000 ))
    [ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
  done
  python3 -c "print(f'{$best / 1e6:.3f}')"
}
# The floor: the SQL over every day file with the sqlite3 shell (one process per file).
floor() {
  local sql=$1
  for f in "${FILES[@]}"; do "${PIN[@]}" sqlite3 -readonly "$f" "$sql"; done
}
IP=$(awk 'NR==1000 {print $1}' "$LOG")
run() {  # run LABEL QUERY SQL
  local r f
  r=$(best3 "${PIN[@]}" "$RAMPART" search --data "$D" "$2")
  f=$(best3 floor "$3")
  echo "| $1 | \`$2\` | $r | $f | $(python3 -c "print(round($f / $r, 2))") |"
}
echo "## Search over $LINES stored events (${#FILES[@]} day files)"
echo
echo "Command: \`bench/search_bench.sh build\` (commit $(git -C "$ROOT" rev-parse --short HEAD), one core, best of 3)"
echo
echo "| query | rampart search | seconds | sqlite3 shell, same SQL (s) | floor / ours |"
echo "|---|---|---:|---:|---:|"
run "count" '* | count' "SELECT count(*) FROM events"
run "term lookup" "source.ip:$IP | count" "SELECT count(*) FROM events WHERE source_ip = '$IP' COLLATE NOCASE"
run "count by" 'http.response.status_code:* | count by http.response.status_code' \
  "SELECT json_extract(fields, '\$.\"http.response.status_code\"') AS c, count(*) FROM events WHERE json_type(fields, '\$.\"http.response.status_code\"') IS NOT NULL GROUP BY c"
run "free-text word" 'sqlmap | count' "SELECT count(*) FROM events WHERE raw LIKE '%sqlmap%'"
run "term lookup, events" "source.ip:$IP" "SELECT id, ts, raw FROM events WHERE source_ip = '$IP' COLLATE NOCASE ORDER BY ts DESC LIMIT 100"
