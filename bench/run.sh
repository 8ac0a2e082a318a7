#!/usr/bin/env bash
# End-to-end benchmark: bench/run.sh BUILD_DIR  (what `make bench` runs after building).
#
# Prints a markdown report on stdout and writes it to bench/last-run.md. Progress goes to
# stderr. Every timed command runs on one core (taskset -c 0), and the report gives the
# exact command behind every figure. Steps:
#   1. 1,000,000-line nginx access log (bench/gen_access_log.py): `rampart ingest` wall
#      time and peak RSS, then the storage floor: the same rows, exported from our own
#      database as CSV, bulk-imported with the sqlite3 shell into a fresh database with our
#      schema, indexes and pragmas. Target: ours / floor >= 0.5.
#   2. The same for a generated 1,000,000-line sshd syslog file and for the corpora in
#      ../shared/corpora (each skipped with a note when absent).
#   3. bench/parse_bench (per-stage micro-benchmarks), pinned to the same core.
#
# Generated inputs are cached in /tmp/rampart-bench (regenerated when the generator or the
# line count changes, or the cached file's size does not match what was written).
# Environment: RAMPART_BENCH_LINES overrides the line count (default 1000000; for quick
# trial runs only: the published figures use the default).
set -euo pipefail

die() {
  echo "bench/run.sh: error: $*" >&2
  exit 1
}
log() { echo "bench/run.sh: $*" >&2; }

[ $# -eq 1 ] || die "usage: bench/run.sh BUILD_DIR (e.g. bench/run.sh build)"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -d "$1" ] || die "build directory '$1' does not exist (run 'make build' or 'make bench')"
BUILD=$(cd "$1" && pwd)
RAMPART=$BUILD/rampart
PARSE_BENCH=$BUILD/bench/parse_bench
[ -x "$RAMPART" ] || die "$RAMPART is missing or not executable (build the 'rampart' target)"
[ -x "$PARSE_BENCH" ] ||
  die "$PARSE_BENCH is missing (configure with -DRAMPART_BUILD_BENCH=ON and build 'parse_bench')"
for tool in taskset sqlite3 python3 awk; do
  command -v "$tool" >/dev/null || die "'$tool' not found (run scripts/install-deps)"
done
TIME=/usr/bin/time
[ -x "$TIME" ] || die "$TIME not found: install the Debian package 'time' (scripts/install-deps)"

LINES=${RAMPART_BENCH_LINES:-1000000}
[[ "$LINES" =~ ^[1-9][0-9]*$ ]] || die "RAMPART_BENCH_LINES must be a positive integer"
CORPORA=$(cd "$ROOT/.." && pwd)/shared/corpora
CACHE=/tmp/rampart-bench
# The storage floor uses our writer's page cache size too (src/store/sqlite_writer.cc), so
# the comparison is about the write path, not about cache configuration.
CACHE_PRAGMA="PRAGMA cache_size=-32768;"
PIN=(taskset -c 0)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rampart-bench-run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
REPORT=$WORK/report.md

# Shell-quoted command line, for the report.
quote() {
  local out="" a
  for a in "$@"; do out+="$(printf '%q' "$a") "; done
  printf '%s' "${out% }"
}
seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
grouped() { echo "$1" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# timed CMD...: runs CMD pinned to core 0 under /usr/bin/time; sets ELAPSED (wall seconds,
# from date +%s.%N around the whole command) and RSS_KB (peak RSS). Dies with CMD's stderr.
ELAPSED=0
RSS_KB=0
timed() {
  local t0 rc=0
  t0=$(date +%s.%N)
  "${PIN[@]}" "$TIME" -f %M -o "$WORK/rss" "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  ELAPSED=$(seconds_since "$t0")
  if [ "$rc" -ne 0 ]; then
    echo "bench/run.sh: command failed (exit $rc): $(quote "$@")" >&2
    sed 's/^/    /' "$WORK/err" | tail -20 >&2
    exit 1
  fi
  RSS_KB=$(tail -1 "$WORK/rss")
}

# Sums a COUNT query over every day file of data dir $1.
count_rows() {
  local total=0 n db
  while IFS= read -r db; do
    n=$(sqlite3 -readonly "$db" "$2")
    total=$((total + n))
  done < <(find "$1/tenants" -name 'events-*.db' 2>/dev/null | sort)
  echo "$total"
}

# generate NAME COMMAND...: makes $CACHE/NAME with COMMAND (which gets the output path as
# its last argument) unless a complete copy is cached; prints the path.
generate() {
  local name=$1 path
  shift
  path=$CACHE/$name
  mkdir -p "$CACHE"
  if [ -f "$path" ] && [ -f "$path.size" ] && [ "$(stat -c %s "$path")" = "$(cat "$path.size")" ]; then
    log "using cached $path"
  else
    log "generating $path"
    # Also drops copies made by an older generator or script version (same name prefix).
    rm -f "$CACHE/${name%-*}"-*
    "$@" "$path.tmp"
    mv "$path.tmp" "$path"
    stat -c %s "$path" >"$path.size"
  fi
  echo "$path"
}

gen_syslog() {
  python3 - "$LINES" "$1" <<'PY'
# sshd traffic in RFC 3164 (the OpenSSH shapes of loghub's OpenSSH_2k.log): a
# password-guessing campaign with occasional successful logins. Seeded: same bytes
# every run. 20 lines per second, so 1M lines stay within one UTC day.
import random, sys
n, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(7)
users = ["root", "admin", "oracle", "test", "ubuntu", "git", "postgres", "user1", "pi"]
def ip():
    return "%d.%d.%d.%d" % (rnd.randrange(1, 224), rnd.randrange(256), rnd.randrange(256),
                            rnd.randrange(1, 255))
with open(out, "w") as f:
    for i in range(n):
        t = i // 20
        stamp = "Nov 20 %02d:%02d:%02d" % ((t // 3600) % 24, (t // 60) % 60, t % 60)
        pid = 20000 + (i // 7) % 9000
        u, a, port = rnd.choice(users), ip(), rnd.randrange(1024, 65535)
        k = rnd.randrange(10)
        if k < 4:
            msg = "Failed password for %s%s from %s port %d ssh2" % (
                "invalid user " if u != "root" else "", u, a, port)
        elif k == 4:
            msg = "Invalid user %s from %s" % (u, a)
        elif k == 5:
            msg = "input_userauth_request: invalid user %s [preauth]" % u
        elif k == 6:
            msg = ("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
                   "tty=ssh ruser= rhost=%s  user=%s" % (a, u))
        elif k == 7:
            msg = "Received disconnect from %s: 11: Bye Bye [preauth]" % a
        elif k == 8:
            msg = "Connection closed by %s [preauth]" % a
        else:
            msg = "Accepted password for %s from %s port %d ssh2" % (
                rnd.choice(["alice", "bob"]), a, port)
        f.write("%s bastion sshd[%d]: %s\n" % (stamp, pid, msg))
PY
}

# Storage floor for data dir $1: rows exported from our own database (pre-parsed), then
# bulk-imported by the sqlite3 shell into a fresh database with our schema minus the
# explicit id column (rowid is the same physical key), WAL + synchronous=NORMAL, one
# transaction. Sets BASE_ROWS, BASE_SECONDS, BASE_RATE.
baseline() {
  local data=$1 dir=$WORK/baseline db first
  rm -rf "$dir"
  mkdir -p "$dir"
  first=""
  : >"$dir/rows.csv"
  while IFS= read -r db; do
    [ -n "$first" ] || first=$db
    sqlite3 -readonly -csv "$db" \
      "SELECT ts,tenant,dataset,source_ip,user_name,fields,raw FROM events" >>"$dir/rows.csv"
  done < <(find "$data/tenants" -name 'events-*.db' | sort)
  [ -n "$first" ] || die "no day files under $data/tenants"
  # Drop the id column of the events table only; every other line of the schema is kept.
  sqlite3 -readonly "$first" .schema |
    awk '/^CREATE TABLE events\(/ { in_events = 1 }
         in_events && /^[[:space:]]*id INTEGER PRIMARY KEY,[[:space:]]*$/ { next }
         /\);/ { in_events = 0 } { print }' >"$dir/schema.sql"
  grep -q 'id INTEGER PRIMARY KEY' <(awk '/^CREATE TABLE events\(/,/\);/' "$dir/schema.sql") &&
    die "could not remove the id column from the events schema"
  sqlite3 "$dir/base.db" "PRAGMA journal_mode=WAL;" >/dev/null
  sqlite3 "$dir/base.db" <"$dir/schema.sql"
  printf '%s\n' "PRAGMA synchronous=NORMAL;" "$CACHE_PRAGMA" "BEGIN;" \
    ".import --csv $dir/rows.csv events" "COMMIT;" >"$dir/import.sql"
  timed sqlite3 -init /dev/null -bail -batch "$dir/base.db" <"$dir/import.sql"
  BASE_SECONDS=$ELAPSED
  BASE_ROWS=$(sqlite3 -readonly "$dir/base.db" "SELECT count(*) FROM events")
  BASE_RATE=$(rate "$BASE_ROWS" "$BASE_SECONDS")
  sed "s|$dir/||" "$dir/import.sql" >"$WORK/import.sql.shown"
  rm -rf "$dir"
}

ROWS=()     # markdown table rows for the summary
DETAILS=()  # per-input command blocks

# ingest_case LABEL WITH_BASELINE PATH [rampart ingest options...]
ingest_case() {
  local label=$1 with_base=$2 input=$3 data events dead records cmd row
  shift 3
  data=$WORK/data-$(echo "$label" | tr -c 'A-Za-z0-9\n' '_')
  rm -rf "$data"
  log "ingest: $label"
  cmd=("$RAMPART" ingest --quiet --data "$data" "$@" "$input")
  timed "${cmd[@]}"
  local secs=$ELAPSED rss=$RSS_KB
  events=$(count_rows "$data" "SELECT count(*) FROM events")
  dead=$(count_rows "$data" "SELECT count(*) FROM dead_letters")
  records=$((events + dead))
  local our_rate
  our_rate=$(rate "$records" "$secs")
  local files
  files=$(find "$data/tenants" -name 'events-*.db' | wc -l)
  row="| $label | $(grouped "$records") | $(grouped "$events") | $(grouped "$dead") | $files | $secs | $(grouped "$our_rate") | $(mb "$rss")"
  local detail
  detail="- $label: \`$(quote "${PIN[@]}" "$TIME" -f %M "${cmd[@]}")\`"
  if [ "$with_base" = yes ]; then
    log "baseline: $label"
    baseline "$data"
    [ "$BASE_ROWS" -eq "$events" ] || die "baseline imported $BASE_ROWS rows, expected $events"
    row+=" | $BASE_SECONDS | $(grouped "$BASE_RATE") | $(awk -v a="$our_rate" -v b="$BASE_RATE" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') |"
  else
    row+=" | – | – | – |"
  fi
  ROWS+=("$row")
  DETAILS+=("$detail")
  rm -rf "$data"
}

git_commit() {
  # Read from .git directly: the script must not depend on (or change) git state.
  local head ref
  head=$(cat "$ROOT/.git/HEAD" 2>/dev/null) || { echo unknown; return; }
  if [[ "$head" == ref:* ]]; then
    ref=${head#ref: }
    if [ -f "$ROOT/.git/$ref" ]; then
      cat "$ROOT/.git/$ref"
    else
      awk -v r="$ref" '$2 == r { print $1 }' "$ROOT/.git/packed-refs" 2>/dev/null | grep . ||
        echo "unknown (no commit on $ref yet)"
    fi
  else
    echo "$head"
  fi
}

START=$(date +%s.%N)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 1. access log ----------------------------------------------------------------------
GEN_HASH=$(md5sum "$ROOT/bench/gen_access_log.py" | cut -c1-8)
ACCESS=$(generate "access-$LINES-$GEN_HASH.log" python3 "$ROOT/bench/gen_access_log.py" "$LINES")
ingest_case "access log, $(grouped "$LINES") lines (generated)" yes "$ACCESS"
ACCESS_GEN_CMD="python3 bench/gen_access_log.py $LINES access.log"

# --- 2. syslog and corpora --------------------------------------------------------------
SCRIPT_HASH=$(md5sum "${BASH_SOURCE[0]}" | cut -c1-8)
SYSLOG=$(generate "sshd-$LINES-$SCRIPT_HASH.log" gen_syslog)
ingest_case "sshd syslog, $(grouped "$LINES") lines (generated)" yes "$SYSLOG" --format syslog

NOTES=()
corpus_case() {
  local label=$1 path=$2
  shift 2
  if [ -e "$path" ]; then
    ingest_case "$label" yes "$path" "$@"
  else
    NOTES+=("- skipped $label: $path not found")
    log "skipped $label: $path not found"
  fi
}
corpus_case "corpora windows/EVTX-ATTACK-SAMPLES (dir, auto format)" \
  "$CORPORA/windows/EVTX-ATTACK-SAMPLES"
corpus_case "corpora loghub/OpenSSH/OpenSSH_2k.log" "$CORPORA/loghub/OpenSSH/OpenSSH_2k.log" \
  --format syslog
corpus_case "corpora bodylog/sample.jsonl" "$CORPORA/bodylog/sample.jsonl" --format bodylog

# --- 3. micro-benchmarks ----------------------------------------------------------------
log "parse_bench"
BENCH_CMD=("${PIN[@]}" "$PARSE_BENCH" --benchmark_min_time=0.5 --benchmark_color=false)
"${BENCH_CMD[@]}" >"$WORK/bench.txt" 2>&1 || {
  cat "$WORK/bench.txt" >&2
  die "parse_bench failed: $(quote "${BENCH_CMD[@]}")"
}

TOTAL=$(seconds_since "$START")
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -----------------------------------------------------------------------------
BUILD_TYPE=$(awk -F= '/^CMAKE_BUILD_TYPE:/ { print $2 }' "$BUILD/CMakeCache.txt" 2>/dev/null || true)

# Sigma (issue 3): rule evaluation per core against the simdjson floor (bench/sigma_bench.cc),
# then `rampart hunt` on about 1 GB of Windows JSON Lines (the EVTX samples repeated) on one
# core and on two, with its peak RSS.
SIGMA_BENCH=$BUILD/bench/sigma_bench
SIGMA_RULES=$CORPORA/sigma/rules
EVTX=$CORPORA/windows/EVTX-ATTACK-SAMPLES
SIGMA_ROWS=()
SIGMA_CMD=()
if [ -x "$SIGMA_BENCH" ] && [ -d "$SIGMA_RULES" ] && [ -d "$EVTX" ]; then
  log "sigma: rule evaluation vs parse-only floor"
  SIGMA_CMD=("${PIN[@]}" "$SIGMA_BENCH" "$SIGMA_RULES" "$EVTX" --seconds 3)
  "${SIGMA_CMD[@]}" >"$WORK/sigma.txt" 2>"$WORK/sigma.err" || {
    cat "$WORK/sigma.err" >&2
    die "sigma_bench failed"
  }
  HUNT_INPUT=$CACHE/evtx-1g.jsonl
  if [ ! -s "$HUNT_INPUT" ]; then
    log "sigma: building $HUNT_INPUT (the EVTX samples x115)"
    find "$EVTX" -name '*.jsonl' -print0 | sort -z | xargs -0 cat >"$WORK/one.jsonl"
    for _ in $(seq 1 115); do cat "$WORK/one.jsonl"; done >"$HUNT_INPUT.tmp"
    mv "$HUNT_INPUT.tmp" "$HUNT_INPUT"
  fi
  HUNT_BYTES=$(stat -c %s "$HUNT_INPUT")
  # JSON on one and two cores (the scaling target), then the default table on two: the
  # timeline table is what a user sees, and printing it must not cost the memory budget.
  for run in "1 json" "2 json" "2 table"; do
    read -r cores output <<<"$run"
    cpus=0
    [ "$cores" = 2 ] && cpus=0,1
    format=()
    [ "$output" = json ] && format=(--json)
    cmd=(taskset -c "$cpus" "$TIME" -f %M -o "$WORK/hunt.rss" "$RAMPART" hunt -j "$cores"
      "${format[@]}" --rules "$SIGMA_RULES" "$HUNT_INPUT")
    log "sigma: hunt on $cores core(s), $output output"
    t0=$(date +%s.%N)
    "${cmd[@]}" >/dev/null 2>"$WORK/hunt.err" || {
      cat "$WORK/hunt.err" >&2
      die "rampart hunt failed"
    }
    secs=$(seconds_since "$t0")
    events=$(sed -n 's/^hunted \([0-9,]*\) events.*/\1/p' "$WORK/hunt.err" | tr -d ,)
    detections=$(sed -n 's/^detections: \([0-9,]*\).*/\1/p' "$WORK/hunt.err" | tr -d ,)
    [ "$output" = json ] && eval "HUNT_SECS_$cores=$secs"
    SIGMA_ROWS+=("| $cores | $output | $(grouped "$events") | $(grouped "$detections") | $secs | $(grouped "$(rate "$events" "$secs")") | $(mb "$(cat "$WORK/hunt.rss")") | \`$(quote "${cmd[@]}") > /dev/null\` |")
  done
  HUNT_SCALING=$(awk -v a="$HUNT_SECS_1" -v b="$HUNT_SECS_2" 'BEGIN { printf "%.2f", a / b }')
  # What two cores give on this machine right now (a VM's vCPUs may share a physical core
  # or be throttled): sha256sum of the same file once on core 0, then twice at once on
  # cores 0 and 1. Ceiling = 2 x single time / parallel time.
  log "sigma: calibrating two-core speedup with sha256sum"
  t0=$(date +%s.%N)
  taskset -c 0 sha256sum "$HUNT_INPUT" >/dev/null
  CAL_1=$(seconds_since "$t0")
  t0=$(date +%s.%N)
  taskset -c 0 sha256sum "$HUNT_INPUT" >/dev/null &
  taskset -c 1 sha256sum "$HUNT_INPUT" >/dev/null
  wait
  CAL_2=$(seconds_since "$t0")
  CAL_SCALING=$(awk -v a="$CAL_1" -v b="$CAL_2" 'BEGIN { printf "%.2f", 2 * a / b }')
else
  log "sigma: skipped (sigma_bench not built or corpora absent)"
fi

{
  echo "## Benchmark run $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "- commit: $(git_commit) (working tree state not checked)"
  echo "- machine: \`nproc\` = $(nproc); CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo); kernel $(uname -r)"
  echo "- load average (1/5/15 min) at start: $LOAD_START; at end: $LOAD_END"
  echo "- build: $BUILD, CMAKE_BUILD_TYPE=${BUILD_TYPE:-unset (CMakeLists default: RelWithDebInfo)}; sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
  echo "- every timed command is pinned to one core (\`taskset -c 0\`); whole run: ${TOTAL} s"
  echo
  echo "### Ingest, end to end (read, parse, mask, store)"
  echo
  echo "seconds = wall time of the whole \`rampart ingest\` process (\`date +%s.%N\` before and"
  echo "after); events/s = (events + dead letters) / seconds; peak RSS from \`/usr/bin/time -f %M\`;"
  echo "counts from \`SELECT count(*) FROM events\` (and \`dead_letters\`) over the day files."
  echo "Floor = the same rows, exported pre-parsed and pre-masked from our own database, bulk-"
  echo "imported by the sqlite3 shell into one fresh database with our schema and indexes: the"
  echo "cost of the storage step alone. Target: ratio = our events/s / floor rows/s >= 0.5."
  echo "Inputs of a few thousand records mostly measure process start-up. The floor writes all"
  echo "rows into one file; where ours writes many day files (the Windows samples span years),"
  echo "the ratio also measures the cost of creating each day file."
  echo
  echo "| input | records | events | dead letters | day files | seconds | events/s | peak RSS MB | floor seconds | floor rows/s | ratio |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  printf '%s\n' "${ROWS[@]}"
  echo
  if [ ${#NOTES[@]} -gt 0 ]; then
    printf '%s\n' "${NOTES[@]}"
    echo
  fi
  echo "Inputs:"
  echo
  echo "- access log: \`$ACCESS_GEN_CMD\` (cached as $ACCESS)"
  echo "- sshd syslog: the seeded Python generator \`gen_syslog\` in bench/run.sh (cached as $SYSLOG)"
  echo "- corpora: $CORPORA"
  echo
  echo "Ingest commands (data directories are temporary and removed after the run):"
  echo
  printf '%s\n' "${DETAILS[@]}"
  echo
  echo "Floor commands, for each input's data directory D:"
  echo
  echo "1. \`sqlite3 -readonly -csv D/tenants/*/events-*.db \"SELECT ts,tenant,dataset,source_ip,user_name,fields,raw FROM events\" >> rows.csv\` (each day file in turn; NULL columns become empty strings)"
  echo "2. \`sqlite3 -readonly <first day file> .schema > schema.sql\`, minus the events table's \`id INTEGER PRIMARY KEY,\` line (rowid is the same physical key)"
  echo "3. \`sqlite3 base.db \"PRAGMA journal_mode=WAL;\"\`, then \`sqlite3 base.db < schema.sql\`"
  echo "4. timed: \`$(quote "${PIN[@]}" "$TIME" -f %M sqlite3 -init /dev/null -bail -batch base.db) < import.sql\` with import.sql:"
  echo
  echo '```'
  cat "$WORK/import.sql.shown" 2>/dev/null || echo "(no floor run)"
  echo '```'
  echo
  echo "The cache_size pragma is our writer's own setting (src/store/sqlite_writer.cc)."
  echo
  echo "### Micro-benchmarks (bench/parse_bench.cc)"
  echo
  echo "\`$(quote "${BENCH_CMD[@]}")\`"
  echo
  echo "items/s and bytes/s are per CPU second, except BM_StoreWrite (wall time, disk waits"
  echo "included). Each benchmark's hypothesis is the comment above it in bench/parse_bench.cc."
  echo "\"Library was built as DEBUG\" refers to Debian's libbenchmark, not to Rampart's code."
  echo
  echo '```'
  cat "$WORK/bench.txt"
  echo '```'
  echo
  echo "### Sigma rules (issue 3)"
  echo
  if [ ${#SIGMA_CMD[@]} -gt 0 ]; then
    echo "Rule evaluation on one core: \`$(quote "${SIGMA_CMD[@]}")\`. The floor parses every"
    echo "line with simdjson's DOM parser and does nothing else; \"parse + match\" is Rampart's"
    echo "Windows event parser into an EventBatch plus the Sigma matcher, with the first N of the"
    echo "loaded Windows rules (file order). Target: all rules >= 0.25 of the floor. Each timed"
    echo "pass starts with the matcher's scan cache cleared, so the figures are those of lines"
    echo "seen for the first time, not of the same lines again. \"scan cache hits\": the share of"
    echo "field-value scans answered from the cache of recent values (4,096 entries) within a pass."
    echo
    cat "$WORK/sigma.txt"
    echo
    echo "\`rampart hunt\` over $(grouped "$HUNT_BYTES") bytes of Windows JSON Lines ($HUNT_INPUT: the"
    echo "EVTX samples 115 times) with all rules of $SIGMA_RULES, output to /dev/null (JSON, or"
    echo "the default timeline table); seconds = wall time of the process (rule loading,"
    echo "compilation and printing included). Targets: two cores >= 1.7x one core (JSON runs);"
    echo "peak RSS < 1 GB."
    echo
    echo "| cores | output | events | detections | seconds | events/s | peak RSS MB | command |"
    echo "|--:|---|--:|--:|--:|--:|--:|---|"
    printf '%s\n' "${SIGMA_ROWS[@]}"
    echo
    echo "Two cores / one core: **${HUNT_SCALING}x**. The machine's own ceiling in the same run:"
    echo "\`sha256sum\` of the same file takes ${CAL_1} s on core 0 alone and ${CAL_2} s as two"
    echo "copies on cores 0 and 1 at once, so two cores deliver **${CAL_SCALING}x** one core here."
  else
    echo "Skipped: bench/sigma_bench not built or the corpora are absent."
  fi
} >"$REPORT"

cp "$REPORT" "$ROOT/bench/last-run.md"
cat "$REPORT"
log "report written to bench/last-run.md"
