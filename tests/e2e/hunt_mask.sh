# hunt --mask applies the masking policy before matching: the same detections, and no
# secret of the input in the output (without --mask the password is in the evidence).
source "$(dirname "$0")/lib.sh"
INPUT=$SRC/tests/data/sigma_pack/bodylog.jsonl
grep -q 'password=hunter2' "$INPUT" || fail "test input changed: no password=hunter2"
"$RAMPART" hunt -q --json --rules "$SRC/rules/sigma" "$INPUT" >"$TMP/plain.jsonl" || fail "hunt failed"
"$RAMPART" hunt -q --json --mask --rules "$SRC/rules/sigma" "$INPUT" >"$TMP/masked.jsonl" ||
  fail "hunt --mask failed"
grep -q 'hunter2' "$TMP/plain.jsonl" || fail "without --mask the evidence should show the value"
! grep -q 'hunter2' "$TMP/masked.jsonl" || fail "--mask output still holds the password"
grep -q 'password=\[REDACTED\]' "$TMP/masked.jsonl" || fail "--mask did not redact the password"
ids() { grep -o '"rule":{"id":"[^"]*"' "$1" | sort; }
[ "$(ids "$TMP/plain.jsonl")" = "$(ids "$TMP/masked.jsonl")" ] || fail "--mask changed which rules fired"
"$RAMPART" hunt -q --masking /nonexistent.yaml --rules "$SRC/rules/sigma" "$INPUT" 2>"$TMP/err" &&
  fail "a missing masking policy must be an error"
echo "ok: $(wc -l <"$TMP/masked.jsonl") detections with and without --mask; no secret in the masked output"
