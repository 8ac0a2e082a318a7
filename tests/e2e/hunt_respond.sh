# `rampart hunt --respond`: the decisions the response policies would have taken over a
# log, on event time, so the same log gives the same decisions every time; a bad policy is
# refused naming file:line.
source "$(dirname "$0")/lib.sh"
python3 - "$TMP/body.log" <<'PY'
import json, sys
out = open(sys.argv[1], "w")
def line(t, ip, status, uri="/login", method="POST"):
    out.write(json.dumps({"time": "2026-11-30T10:%02d:%02d+00:00" % (t // 60, t % 60), "remote_addr": ip,
                          "method": method, "uri": uri, "protocol": "HTTP/1.1", "status": status,
                          "user_agent": "python-requests/2.31"}) + "\n")
t = 0
for i in range(25):            # a burst of failed logins: rate limit
    line(t + i // 5, "203.0.113.5", 401)
for i in range(25):            # throttled, it goes on: the client ignores 429 -> block 1h
    line(10 + i // 5, "203.0.113.5", 429)
for i in range(40):            # a benign client, now and then
    line(i, "198.51.100.20", 200, "/", "GET")
for i in range(22):            # another address, one burst
    line(30 + i // 5, "203.0.113.9", 403, "/admin", "GET")
PY
"$RAMPART" hunt -q --rules "$SRC/rules/sigma/web" --respond "$SRC/rules/response" --json "$TMP/body.log" > "$TMP/run1.json"
"$RAMPART" hunt -q --rules "$SRC/rules/sigma/web" --respond "$SRC/rules/response" --json --threads 1 "$TMP/body.log" > "$TMP/run2.json"
cmp "$TMP/run1.json" "$TMP/run2.json" || fail "two replays of the same log gave different decisions: $(diff "$TMP/run1.json" "$TMP/run2.json")"
python3 - "$TMP/run1.json" <<'PY' || fail "decisions"
import json, sys
ds = [json.loads(l) for l in open(sys.argv[1])]
by_ip = {}
for d in ds:
    by_ip.setdefault(d["value"], []).append((d["action"], d["stage"]))
assert by_ip.get("203.0.113.5") == [("rate_limit", 0), ("block", 1)], by_ip
assert by_ip.get("203.0.113.9") == [("rate_limit", 0)], by_ip
assert "198.51.100.20" not in by_ip, by_ip
for d in ds:
    assert d["id"].startswith("dec-") and d["reason"] and d["evidence"] and d["incident_id"], d
    assert d["created"].startswith("2026-11-30T10:"), d  # event time, not the clock
print("decisions:", by_ip)
PY
# The table form says the same.
"$RAMPART" hunt -q --rules "$SRC/rules/sigma/web" --respond "$SRC/rules/response" "$TMP/body.log" | grep -q 'block.*203.0.113.5' \
  || fail "the table lacks the block"
# A bad policy: file:line and the reason, exit 2.
mkdir -p "$TMP/bad"
printf 'id: x\nmatch: { level: high }\nladder:\n  - action: block\n' > "$TMP/bad/p.yml"
set +e
"$RAMPART" hunt -q --rules "$SRC/rules/sigma/web" --respond "$TMP/bad" "$TMP/body.log" 2> "$TMP/err.txt" >/dev/null
rc=$?
set -e
[ $rc = 2 ] || fail "a bad policy exits $rc"
grep -q "p.yml:4: a block stage needs a ttl" "$TMP/err.txt" || fail "the error does not name file:line: $(cat "$TMP/err.txt")"
echo PASS
