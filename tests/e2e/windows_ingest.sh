# All EVTX-ATTACK-SAMPLES events are ingested, none dead-lettered, and the Sysmon count
# found by search equals the number of Sysmon events in the files.
source "$(dirname "$0")/lib.sh"
need_corpus windows/EVTX-ATTACK-SAMPLES
DIR=$CORPUS/windows/EVTX-ATTACK-SAMPLES

"$RAMPART" ingest --data "$TMP/data" "$DIR" 2> "$TMP/summary.txt"
cat "$TMP/summary.txt"
total=$(find "$DIR" -name '*.jsonl' -exec cat {} + | grep -c .)
grep -q "^ingested $(printf "%'d" "$total" 2>/dev/null || echo "$total") events" "$TMP/summary.txt" \
  || grep -q "^ingested $(echo "$total" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') events" "$TMP/summary.txt" \
  || fail "summary does not report $total events"
grep -q '^dead-lettered: 0$' "$TMP/summary.txt" || fail "some events were dead-lettered"

expected=$(find "$DIR" -name '*.jsonl' -exec cat {} + \
  | grep -ciE '"Channel": *"Microsoft-Windows-Sysmon/Operational"')
got=$("$RAMPART" search --data "$TMP/data" --csv 'event.dataset:windows.sysmon | count' | tr -d '\r' | tail -1)
[ "$got" = "$expected" ] || fail "sysmon count: search says $got, files have $expected"
all=$("$RAMPART" search --data "$TMP/data" --csv '* | count' | tr -d '\r' | tail -1)
[ "$all" = "$total" ] || fail "total count: search says $all, files have $total"
echo "ok: $total events, $expected sysmon"
