# `rampart rules check --web`: the shipped pack loads and compiles with nothing refused; a
# file of bad rules is refused rule by rule with file:line and reason, exit 3.
source "$(dirname "$0")/lib.sh"
"$RAMPART" rules check --web "$SRC/rules/web" > "$TMP/out.txt" || { cat "$TMP/out.txt"; fail "the shipped web pack does not check clean"; }
grep -q " 0 refused" "$TMP/out.txt" || fail "refusals in the shipped pack"
cat > "$TMP/bad.yml" <<'YAML'
rules:
  - {id: good, title: fine, class: sqli, targets: [args], patterns: ['union\s+select']}
  - {id: backref, title: t, class: sqli, targets: [args], patterns: ['(a)\1']}
  - {id: typo, title: t, class: sqli, targets: [args], paterns: [x]}
YAML
set +e
"$RAMPART" rules check --web "$TMP/bad.yml" > "$TMP/bad.txt"
rc=$?
set -e
[ "$rc" = 3 ] || fail "expected exit 3 for bad rules, got $rc"
grep -q "bad.yml:4: unknown key 'paterns'" "$TMP/bad.txt" || { cat "$TMP/bad.txt"; fail "typo not named with its line"; }
grep -q "bad.yml:3: rule backref: pattern '(a)\\\\1' refused" "$TMP/bad.txt" || { cat "$TMP/bad.txt"; fail "refused pattern not named"; }
grep -q "^2 web rule(s) loaded" "$TMP/bad.txt" || fail "the good rules did not load"
"$RAMPART" rules check --web --json "$TMP/bad.yml" > "$TMP/bad.json" || true
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["loaded"]==2 and d["refused"]==2, d' < "$TMP/bad.json"
echo "ok: web rules check: shipped pack clean; bad rules refused with file:line"
