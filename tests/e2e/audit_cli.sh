# `rampart audit` over a sample log written by the library (tests/data/audit/sample: 11
# records and checkpoints at seq 5 and 10, signed head at 13; the key's seed is public, so the
# sample is data, not a secret). Tampering is done here with sed/head, independently of the
# code under test, and each case must name the record it touched.
source "$(dirname "$0")/lib.sh"
D=$TMP/data
cp -r "$SRC/tests/data/audit/sample" "$D"
expect_exit() {  # expect_exit CODE CMD...
  local want=$1; shift
  set +e
  "$@" > "$TMP/out.txt" 2> "$TMP/err.txt"
  local code=$?
  set -e
  [ "$code" = "$want" ] || { cat "$TMP/out.txt" "$TMP/err.txt"; fail "exit $code, expected $want: $*"; }
}

expect_exit 0 "$RAMPART" audit verify --data "$D"
grep -qx "audit log intact: 13 records, 2 checkpoints, head seq 13" "$TMP/out.txt" \
  || fail "intact log: $(cat "$TMP/out.txt")"
cp "$D/audit/signing.pub" "$TMP/pub"
expect_exit 0 "$RAMPART" audit verify --data "$D" --pubkey "$TMP/pub"

# The story of decision dec-1: its two records, oldest first.
expect_exit 0 "$RAMPART" audit story dec-1 --data "$D"
[ "$(awk '{print $2}' "$TMP/out.txt" | tr '\n' ' ')" = "#3 #4 " ] \
  || fail "story dec-1: $(cat "$TMP/out.txt")"
# The incident's story: every record but the two checkpoints.
expect_exit 0 "$RAMPART" audit story inc-7 --data "$D" --json
[ "$(wc -l < "$TMP/out.txt")" = 11 ] || fail "story inc-7 has $(wc -l < "$TMP/out.txt") records"
grep -q '"action":"checkpoint"' "$TMP/out.txt" && fail "a checkpoint in the incident's story"

# Export: the two checkpoint heads and the head file, as JSON lines appended to a file.
expect_exit 0 "$RAMPART" audit export --data "$D" --out "$TMP/anchors.jsonl"
[ "$(grep -c '"signature":"' "$TMP/anchors.jsonl")" = 3 ] || fail "export: $(cat "$TMP/anchors.jsonl")"
grep -q '"seq":13,.*"source":"head"' "$TMP/anchors.jsonl" || fail "export lacks the head"

# One changed letter in record 3's reason.
cp "$D/audit/audit.log" "$TMP/good.log"
sed -i '3s/ladder stage 2/ladder stage X/' "$D/audit/audit.log"
expect_exit 1 "$RAMPART" audit verify --data "$D"
grep -q "^audit log TAMPERED: first bad record seq 3 (line 3): hash does not match" "$TMP/out.txt" \
  || fail "edit: $(cat "$TMP/out.txt")"

# Record 6 deleted.
sed '6d' "$TMP/good.log" > "$D/audit/audit.log"
expect_exit 1 "$RAMPART" audit verify --data "$D"
grep -q "^audit log TAMPERED: first bad record seq 6 (line 6): seq 7 where 6 belongs" "$TMP/out.txt" \
  || fail "deletion: $(cat "$TMP/out.txt")"

# The last record cut off at a record boundary: the signed head names it.
head -n 12 "$TMP/good.log" > "$D/audit/audit.log"
expect_exit 1 "$RAMPART" audit verify --data "$D"
grep -q "^audit log TAMPERED: first bad record seq 13 (line 13): .*truncated" "$TMP/out.txt" \
  || fail "truncation: $(cat "$TMP/out.txt")"

# Another key.
cp "$TMP/good.log" "$D/audit/audit.log"
echo 0000000000000000000000000000000000000000000000000000000000000001 > "$TMP/other.pub"
expect_exit 1 "$RAMPART" audit verify --data "$D" --pubkey "$TMP/other.pub"
grep -q "^audit log TAMPERED: first bad record seq 1 (line 1): checkpoint seq 5" "$TMP/out.txt" \
  || fail "wrong key: $(cat "$TMP/out.txt")"
echo "audit_cli: ok"
