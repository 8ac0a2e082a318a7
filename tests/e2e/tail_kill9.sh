# `rampart serve` tails a growing file that is rotated midway; it is killed with SIGKILL
# twice and restarted. Every line must be stored exactly once.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 shell missing (scripts/install-deps installs it)"
LOG=$TMP/app.log
TOTAL=30000
cat > "$TMP/rampart.yaml" <<YAML
data_dir: $TMP/data
retention: {days: 0}
inputs:
  files:
    - {path: $LOG, format: access}
  syslog: {udp: "", tcp: ""}
  http: {listen: ""}
queue: {flush_interval_ms: 50, batch_size: 500}
YAML
"$RAMPART" serve --config "$TMP/rampart.yaml" --check-config

line() { echo "10.0.0.$(($1 % 250)) - - [20/Nov/2026:10:00:00 +0000] \"GET /seq/$1 HTTP/1.1\" 200 $1 \"-\" \"e2e\""; }
generate() {
  for ((i = 1; i <= TOTAL; i++)); do
    line "$i" >> "$LOG"
    if ((i == TOTAL / 2)); then mv "$LOG" "$LOG.1"; fi   # rotation: new file from here on
    if ((i % 500 == 0)); then sleep 0.05; fi
  done
}
: > "$LOG"
generate &
GEN=$!

start_server() {
  "$RAMPART" serve --config "$TMP/rampart.yaml" 2>> "$TMP/serve.log" &
  SERVER_PID=$!
}
start_server
sleep 1.0
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
start_server
sleep 1.5
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
start_server
wait "$GEN"

count() { sqlite3 "$TMP"/data/tenants/default/events-2026-11-20.db 'SELECT count(*) FROM events' 2>/dev/null || echo 0; }
caught_up() { [ "$(count)" -ge "$TOTAL" ]; }
wait_for 60 caught_up || true
sleep 1  # anything beyond TOTAL would be a duplicate; give it a moment to show up
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || fail "serve did not stop cleanly"
SERVER_PID=

stored=$(count)
dups=$(sqlite3 "$TMP"/data/tenants/default/events-2026-11-20.db \
  "SELECT count(*) FROM (SELECT json_extract(fields, '\$.\"url.path\"') p FROM events GROUP BY p HAVING count(*) > 1)")
distinct=$(sqlite3 "$TMP"/data/tenants/default/events-2026-11-20.db \
  "SELECT count(DISTINCT json_extract(fields, '\$.\"url.path\"')) FROM events")
echo "stored=$stored distinct=$distinct duplicated=$dups expected=$TOTAL"
[ "$dups" = 0 ] || fail "$dups lines stored more than once"
[ "$distinct" = "$TOTAL" ] || fail "only $distinct of $TOTAL lines stored"
[ "$stored" = "$TOTAL" ] || fail "stored $stored rows for $TOTAL lines"
echo "ok: $TOTAL lines stored exactly once across two SIGKILLs and a rotation"
