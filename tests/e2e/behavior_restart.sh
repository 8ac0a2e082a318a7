# `rampart serve` with behaviour detection, killed with SIGKILL mid-stream and restarted,
# stores the same behaviour detections as a run that was never interrupted: the entity state
# is snapshotted and the stored events after the snapshot are replayed into it on restart.
# Input: 15 days of generated API traffic ending in a stolen-key episode (gen_web.py apikey),
# whose detections need two weeks of per-key baselines and first-seen endpoint sets.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 shell missing (scripts/install-deps installs it)"
python3 "$SRC/tests/data/behavior/gen_web.py" apikey > "$TMP/all.jsonl" 2> "$TMP/facts.json"
TOTAL=$(wc -l < "$TMP/all.jsonl")

config() {  # config NAME: a server tailing $TMP/NAME.jsonl into $TMP/NAME
  cat > "$TMP/$1.yaml" <<YAML
data_dir: $TMP/$1
retention: {days: 0}
inputs:
  files:
    - {path: $TMP/$1.jsonl, format: bodylog}
  syslog: {udp: "", tcp: ""}
  http: {listen: ""}
queue: {flush_interval_ms: 50, batch_size: 2000}
web: {enabled: false}
behavior:
  scenarios: [$SRC/rules/behavior]
  snapshot_interval: 1s
YAML
}
caught_up() { stored_at_least "$TMP/$1" "${2:-$TOTAL}"; }
run() { # run NAME: serve in the background
  "$RAMPART" serve --config "$TMP/$1.yaml" 2>> "$TMP/$1.log" &
  SERVER_PID=$!
}
stop() {
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || fail "serve did not stop cleanly"
  SERVER_PID=
}
detections() { # detections NAME: behaviour detections, key-independent and sorted
  "$RAMPART" detections --data "$TMP/$1" --kind behavior --since 2026-01-01 --json --limit 100000 |
    python3 -c '
import json, sys
rows = []
for line in sys.stdin:
    d = json.loads(line)
    rows.append((d["time"], d["rule"]["id"], d["explanation"], d["event"]["rowid"]))
for r in sorted(rows):
    print(*r, sep="\t")'
}

# Uninterrupted.
config straight
mkdir -p "$TMP/straight"
cp "$TMP/all.jsonl" "$TMP/straight.jsonl"
run straight
wait_for 120 caught_up straight || { tail "$TMP/straight.log"; fail "the uninterrupted run did not catch up"; }
stop
# Interrupted: the same pseudonymisation key, the input growing, two SIGKILLs mid-stream (the
# first before any periodic snapshot, the second after several).
config killed
mkdir -p "$TMP/killed"
cp "$TMP/straight/secret.key" "$TMP/killed/"
head -n $((TOTAL / 3)) "$TMP/all.jsonl" > "$TMP/killed.jsonl"
run killed
# The first kill comes as soon as events are stored: before any periodic snapshot.
wait_for 60 caught_up killed 2000 || true
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
sed -n "$((TOTAL / 3 + 1)),$((2 * (TOTAL / 3)))p" "$TMP/all.jsonl" >> "$TMP/killed.jsonl"
run killed
sleep 2.5
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
sed -n "$((2 * (TOTAL / 3) + 1)),\$p" "$TMP/all.jsonl" >> "$TMP/killed.jsonl"
run killed
wait_for 120 caught_up killed || { tail "$TMP/killed.log"; fail "the interrupted run did not catch up"; }
stop
grep -q "state restored" "$TMP/killed.log" || { cat "$TMP/killed.log"; fail "no snapshot was restored"; }
grep "behaviour detection:" "$TMP/killed.log"

detections straight > "$TMP/straight.tsv"
detections killed > "$TMP/killed.tsv"
n=$(wc -l < "$TMP/straight.tsv")
[ "$n" -ge 2 ] || { cat "$TMP/straight.tsv"; fail "the stolen key was not detected ($n detections)"; }
diff "$TMP/straight.tsv" "$TMP/killed.tsv" || fail "behaviour detections differ after SIGKILL and restart"
echo "ok: $n behaviour detections, identical with and without two SIGKILLs mid-stream"
