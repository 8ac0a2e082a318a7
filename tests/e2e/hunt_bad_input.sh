# rampart hunt and bad input: malformed records are counted and named (file, line, bytes)
# and the good ones still matched; a file of unknown format is skipped with exit 3; a
# broken or refused rule is reported at file:line:column while the others run; bad paths,
# formats, mappings and lists are clear errors with exit 2 (or 1 for an unreadable list).
source "$(dirname "$0")/lib.sh"
printf '%s\n' 'not a record' \
  '{"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "TimeCreated": "2024-01-01T00:00:00Z", "Image": "C:\\x\\whoami.exe"}' \
  '{broken' >"$TMP/mixed.jsonl"
mkdir -p "$TMP/rules"
cat >"$TMP/rules/whoami.yml" <<'YAML'
title: Whoami
id: 3a9f5cbb-2f7b-4f1e-9d36-0d4f1c2b7e11
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\whoami.exe'}
  condition: sel
YAML
cat >"$TMP/rules/broken.yml" <<'YAML'
title: Broken
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|re: 'a(b'}
  condition: sel
YAML
cat >"$TMP/rules/old.yml" <<'YAML'
title: Old
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image: x}
  condition: sel | count() > 5
YAML

"$RAMPART" hunt --format windows --json --rules "$TMP/rules" "$TMP/mixed.jsonl" >"$TMP/out" 2>"$TMP/err" ||
  fail "hunt over malformed records failed: $(cat "$TMP/err")"
grep -q '"rule":{"id":"3a9f5cbb-2f7b-4f1e-9d36-0d4f1c2b7e11"' "$TMP/out" || fail "the good record was not matched"
grep -q '^unparsed records: 2' "$TMP/err" || fail "unparsed records not counted: $(cat "$TMP/err")"
grep -q 'mixed.jsonl:1 (bytes 0-13): windows: not a JSON object' "$TMP/err" ||
  fail "the first bad record is not named"
grep -q 'broken.yml:4:3: not compiled: selection .sel.: .*invalid regular expression' "$TMP/err" ||
  fail "broken rule not reported at its selection"
grep -q 'old.yml:5:[0-9]*: refused (v1-aggregation): ' "$TMP/err" || fail "refused rule not reported"
grep -q '1 not compiled' "$TMP/err" || fail "summary does not count the broken rule"

printf '\x00\x01\x02 binary\n' >"$TMP/unknown.bin"
rc=0
# Every argument after the one path of --rules is an input (once the input after --rules
# was taken as a rule and "refused", and only the last input was hunted).
"$RAMPART" hunt --rules "$TMP/rules" "$TMP/unknown.bin" "$TMP/mixed.jsonl" >/dev/null 2>"$TMP/err" ||
  rc=$?
[ "$rc" = 3 ] || fail "a skipped input should exit 3, got $rc"
grep -q 'skipped: .*unknown.bin: cannot detect the format' "$TMP/err" ||
  fail "the input after --rules PATH was not read as an input: $(cat "$TMP/err")"
grep -q 'unknown.bin.*refused' "$TMP/err" && fail "an input was loaded as a rule file"
cp "$TMP/mixed.jsonl" "$TMP/mixed2.jsonl"
"$RAMPART" hunt -f windows -r "$TMP/rules" -r "$TMP/rules/old.yml" "$TMP/mixed.jsonl" "$TMP/mixed2.jsonl" \
  >/dev/null 2>"$TMP/err" || true
grep -q 'from 2 file(s)' "$TMP/err" || fail "two inputs after -r A -r B: $(grep hunted "$TMP/err")"
"$RAMPART" hunt --rules "$TMP/rules" "$TMP/unknown.bin" >/dev/null 2>"$TMP/err" || true
grep -q 'skipped: .*unknown.bin: cannot detect the format' "$TMP/err" || fail "skipped input not named"

expect() {  # expect CODE MESSAGE-REGEX ARGS...
  local code=$1 pattern=$2 rc=0
  shift 2
  "$RAMPART" hunt "$@" >/dev/null 2>"$TMP/err" || rc=$?
  [ "$rc" = "$code" ] || fail "hunt $*: exit $rc, want $code ($(cat "$TMP/err"))"
  grep -qE "$pattern" "$TMP/err" || fail "hunt $*: message '$(cat "$TMP/err")' does not match '$pattern'"
}
expect 2 'rule path not found' --rules "$TMP/nope" "$TMP/mixed.jsonl"
expect 2 'no such file or directory' --rules "$TMP/rules" "$TMP/nope.log"
expect 2 "unknown --format 'nope'" --format nope --rules "$TMP/rules" "$TMP/mixed.jsonl"
printf 'logsources: 3\n' >"$TMP/ls.yaml"
expect 2 'ls.yaml:1: expected a map' --logsources "$TMP/ls.yaml" --rules "$TMP/rules" "$TMP/mixed.jsonl"
expect 1 'cannot open .*nope.txt' --ioc "$TMP/nope.txt" --rules "$TMP/rules" "$TMP/mixed.jsonl"
expect 2 'no rules' "$TMP/mixed.jsonl"
expect 2 "invalid --min-level 'loud'" --min-level loud --rules "$TMP/rules" "$TMP/mixed.jsonl"
echo "ok: malformed records counted and named, skipped inputs exit 3, bad options are clear errors"
