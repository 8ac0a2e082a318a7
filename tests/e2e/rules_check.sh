# `rampart rules check` compiles what it loads: a rule the compiler refuses (an invalid
# regex, a placeholder without values) is reported with its reason and makes the exit code
# 3; regexes PCRE2 runs (Vectorscan cannot) are listed as notes. --placeholders supplies
# |expand values to `rules check` and `hunt` alike.
source "$(dirname "$0")/lib.sh"
R=$TMP/rules
mkdir -p "$R"
rule() {  # rule FILE TITLE ID DETECTION-LINES
  printf 'title: %s\nid: %s\nlogsource: {product: windows, category: process_creation}\ndetection:\n%s\nlevel: high\n' \
    "$2" "$3" "$4" > "$R/$1"
}
rule good.yml "Good" 11111111-0000-4000-8000-000000000001 "  sel: {Image|endswith: '\\\\evil.exe'}
  condition: sel"
rule backref.yml "Backref" 11111111-0000-4000-8000-000000000002 "  sel: {CommandLine|re: '(ab)\\1'}
  condition: sel"
rule admins.yml "Admins" 11111111-0000-4000-8000-000000000003 "  sel: {User|expand: '%admins%'}
  condition: sel"
rule broken.yml "Broken" 11111111-0000-4000-8000-000000000004 "  sel: {CommandLine|re: 'a(b'}
  condition: sel"

# Without placeholder values: the invalid regex and the placeholder rule are not compiled.
set +e
"$RAMPART" rules check --warnings "$R" > "$TMP/out.txt"
code=$?
set -e
cat "$TMP/out.txt"
[ "$code" = 3 ] || fail "exit code $code, expected 3"
# Reported at the selection that cannot be compiled (line 5, column 3), named in the reason.
grep -q "broken.yml:5:3: not-compiled: selection 'sel': 'a(b': invalid regular expression" \
  "$TMP/out.txt" || fail "the invalid regex is not reported at its selection"
grep -q "admins.yml:5:3: not-compiled: selection 'sel': no value configured for placeholder %admins%" \
  "$TMP/out.txt" || fail "the placeholder rule is not reported at its selection"
grep -q "backref.yml:.*note: pcre-regex: '(ab)\\\\1' runs on PCRE2" "$TMP/out.txt" \
  || fail "the PCRE2 regex is not listed"
grep -q "^4 rule(s) and 0 correlation(s) loaded .* 0 refused; 2 not compiled" "$TMP/out.txt" \
  || fail "wrong summary line"

# JSON: the same counts.
set +e
"$RAMPART" rules check --json "$R" > "$TMP/out.json"
set -e
python3 - "$TMP/out.json" <<'PY' || fail "wrong JSON report"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["loaded"] == 4 and r["refused"] == 0 and r["not_compiled"] == 2, r
assert r["by_reason"] == {"not-compiled": 2}, r["by_reason"]
assert r["pcre_regexes"] == 1 and r["pcre_list"][0]["file"].endswith("backref.yml"), r["pcre_list"]
assert sorted(i["file"].rsplit("/", 1)[1] for i in r["not_compiled_list"]) == ["admins.yml", "broken.yml"]
PY

# With values: the placeholder rule compiles, and hunt matches with the same file.
printf 'admins: [root, "adm*"]\n' > "$TMP/placeholders.yml"
rm "$R/broken.yml"
"$RAMPART" rules check --placeholders "$TMP/placeholders.yml" "$R" > "$TMP/out2.txt" \
  || fail "rules check with placeholders exited with $?"
grep -q "0 refused; 0 not compiled" "$TMP/out2.txt" || fail "placeholders not applied"
cat > "$TMP/events.jsonl" <<'JSON'
{"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "Provider_Name": "Microsoft-Windows-Sysmon", "TimeCreated": "2026-11-27T10:00:00Z", "Image": "C:\\Windows\\cmd.exe", "User": "admin7", "CommandLine": "cmd"}
{"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "Provider_Name": "Microsoft-Windows-Sysmon", "TimeCreated": "2026-11-27T10:00:01Z", "Image": "C:\\Windows\\cmd.exe", "User": "guest", "CommandLine": "cmd"}
JSON
"$RAMPART" hunt -q --json --placeholders "$TMP/placeholders.yml" --rules "$R" "$TMP/events.jsonl" \
  > "$TMP/hits.jsonl" || fail "hunt exited with $?"
python3 - "$TMP/hits.jsonl" <<'PY' || fail "hunt with placeholders: wrong detections"
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ids = [h["rule"]["id"] for h in hits]
assert ids == ["11111111-0000-4000-8000-000000000003"], ids
PY
# A missing placeholder file is a usage error, not a silent "no values".
set +e
"$RAMPART" hunt -q --placeholders "$TMP/none.yml" --rules "$R" "$TMP/events.jsonl" >/dev/null 2>&1
code=$?
set -e
[ "$code" = 2 ] || fail "hunt with a missing placeholder file exited with $code, expected 2"
# Unreadable option files are usage errors, not silent defaults.
for opt in --placeholders --logsources; do
  set +e
  "$RAMPART" rules check "$opt" "$TMP/none.yml" "$R" >/dev/null 2>"$TMP/err.txt"
  code=$?
  set -e
  [ "$code" = 2 ] || fail "rules check $opt with a missing file exited with $code, expected 2"
  grep -q "none.yml: cannot read" "$TMP/err.txt" || fail "rules check $opt: unclear error: $(cat "$TMP/err.txt")"
done
echo "ok: rules check reports uncompiled rules and PCRE2 regexes; placeholders apply to check and hunt"
