# rampart deadletters list|show|replay: dead letters are listed per tenant with their
# reason, shown whole, and replayed into the event store once each, also when an earlier
# replay was interrupted between storing the event and deleting its dead letter.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 missing (scripts/install-deps installs it)"
D=$TMP/data
cat > "$TMP/access.log" <<'LOG'
10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl"
this line is not an access log line at all
LOG
"$RAMPART" ingest --data "$D" --tenant acme --format access "$TMP/access.log" 2>/dev/null
"$RAMPART" ingest --data "$D" --tenant other --format access "$TMP/access.log" 2>/dev/null
"$RAMPART" deadletters list --data "$D" --tenant acme --json > "$TMP/list"
[ "$(wc -l < "$TMP/list")" = 1 ] || fail "acme should have one dead letter: $(cat "$TMP/list")"
grep -q '"tenant":"acme"' "$TMP/list" || fail "list: $(cat "$TMP/list")"
ID=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$TMP/list")
"$RAMPART" deadletters show --data "$D" "$ID" > "$TMP/show"
grep -q "this line is not an access log line" "$TMP/show" || fail "show: $(cat "$TMP/show")"
if "$RAMPART" deadletters show --data "$D" "acme/../x" 2>/dev/null; then fail "a bad id was accepted"; fi
[ "$("$RAMPART" deadletters list --data "$D" --json | wc -l)" = 2 ] || fail "both tenants' letters not listed"
[ "$("$RAMPART" deadletters list --data "$D" --reason nomatch --json | wc -l)" = 0 ] || fail "--reason filter"

# A record an older parser refused, which today's parses (as after a parser fix).
FILE=$(ls "$D"/tenants/acme/events-"$(date -u +%F)".db)
NOW_NS=$(date +%s%N)
sqlite3 "$FILE" "INSERT INTO dead_letters(received_ns, tenant, source, format, reason, raw) VALUES($NOW_NS, 'acme', 'file:/old.log', 'access', 'old parser: bad', CAST('10.0.0.7 - - [21/Nov/2026:11:00:00 +0000] \"GET /fixed HTTP/1.1\" 200 5 \"-\" \"curl\"' AS BLOB))"
"$RAMPART" deadletters replay --data "$D" --tenant acme > "$TMP/replay"
grep -q "replayed 1 of 2 dead letter(s)" "$TMP/replay" || fail "replay: $(cat "$TMP/replay")"
grep -q "1 still do not parse" "$TMP/replay" || fail "replay: $(cat "$TMP/replay")"
found=$("$RAMPART" search --data "$D" --tenant acme --csv 'url.path:/fixed AND event.replayed_from:* | count' | tr -d '\r' | tail -1)
[ "$found" = 1 ] || fail "the replayed event is not searchable ($found)"
[ "$("$RAMPART" deadletters list --data "$D" --tenant acme --json | wc -l)" = 1 ] || fail "the replayed letter was not removed"
[ "$("$RAMPART" deadletters list --data "$D" --tenant other --json | wc -l)" = 1 ] || fail "another tenant's letter was touched"
"$RAMPART" deadletters replay --data "$D" --tenant acme | grep -q "replayed 0 of 1" || fail "a second replay stored again"

# An interrupted replay: the event was stored but its dead letter is still there.
MARK=$("$RAMPART" search --data "$D" --tenant acme --json 'url.path:/fixed | fields event.replayed_from' \
  | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["event.replayed_from"])')
ROW=${MARK%@*}; ROW=${ROW##*/}; RECEIVED=${MARK##*@}
sqlite3 "$FILE" "INSERT INTO dead_letters(id, received_ns, tenant, source, format, reason, raw) VALUES($ROW, $RECEIVED, 'acme', 'file:/old.log', 'access', 'old parser: bad', CAST('10.0.0.7 - - [21/Nov/2026:11:00:00 +0000] \"GET /fixed HTTP/1.1\" 200 5 \"-\" \"curl\"' AS BLOB))"
"$RAMPART" deadletters replay --data "$D" --tenant acme > "$TMP/replay2"
grep -q "1 were stored by an interrupted replay" "$TMP/replay2" || fail "replay2: $(cat "$TMP/replay2")"
found=$("$RAMPART" search --data "$D" --tenant acme --csv 'url.path:/fixed | count' | tr -d '\r' | tail -1)
[ "$found" = 1 ] || fail "an interrupted replay stored the event twice ($found)"
echo "ok: dead letters listed, shown and replayed once each"
