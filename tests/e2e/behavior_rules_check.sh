# `rampart rules check --behavior`: the shipped scenarios load with nothing refused; a file of
# bad scenarios is refused scenario by scenario with file:line and reason, exit 3.
source "$(dirname "$0")/lib.sh"
"$RAMPART" rules check --behavior "$SRC/rules/behavior" > "$TMP/out.txt" || { cat "$TMP/out.txt"; fail "the shipped scenarios do not check clean"; }
grep -q "; 0 refused" "$TMP/out.txt" || fail "refusals in the shipped scenarios"
cat > "$TMP/bad.yml" <<'YAML'
scenarios:
  - {id: good, window: 10m, count: 5, group_by: [source.ip]}
  - {id: typo, window: 10m, cuont: 5}
  - {id: badfilter, window: 10m, count: 5, filter: 'source.ip:(1.2.3.4'}
  - {id: nowindow, count: 5}
YAML
set +e
"$RAMPART" rules check --behavior "$TMP/bad.yml" > "$TMP/bad.txt"
rc=$?
set -e
[ "$rc" = 3 ] || { cat "$TMP/bad.txt"; fail "expected exit 3 for bad scenarios, got $rc"; }
grep -q "bad.yml:3: unknown key 'cuont'" "$TMP/bad.txt" || { cat "$TMP/bad.txt"; fail "typo not named with its line"; }
grep -q "bad.yml:4: filter: " "$TMP/bad.txt" || { cat "$TMP/bad.txt"; fail "bad filter not named"; }
grep -q "bad.yml:5: scenario 'nowindow' needs a 'window'" "$TMP/bad.txt" || { cat "$TMP/bad.txt"; fail "missing window not named"; }
grep -q "^1 behaviour scenario(s) loaded" "$TMP/bad.txt" || fail "the good scenario did not load"
"$RAMPART" rules check --behavior --json "$TMP/bad.yml" > "$TMP/bad.json" || true
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["loaded"]==1 and d["refused"]==3, d' < "$TMP/bad.json"
echo "ok: behaviour scenarios check: shipped set clean; bad scenarios refused with file:line"
