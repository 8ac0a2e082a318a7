# The loop closed with real servers: Debian's nginx on 127.0.0.1 proxies a small login
# backend, writes a Body Log and asks Rampart's decision API (the shipped snippet,
# config/nginx/rampart-enforce.conf) about every request; `rampart serve` tails the log.
#
#   1. A brute-force login loop from 127.0.0.2 gets 401s, then 429 (rate limit), then 403
#      (block, 8 s in this test's policy); a benign client on 127.0.0.3 gets 200 throughout.
#   2. After the block's TTL the attacker gets 200 again; a new burst climbs one stage (a
#      re-offence), and `rampart decisions revoke` brings 200 back.
#   3. One incident for 127.0.0.2 holds the detections and the decisions.
#   4. `rampart audit verify` passes; after one flipped byte it fails naming the record.
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl missing"
D=$TMP/data
API_PORT=$(free_port)
NGINX_PORT=$(free_port)
BACKEND_PORT=$(free_port)
URL=http://127.0.0.1:$NGINX_PORT
ATTACKER=127.0.0.2
BENIGN=127.0.0.3

mkdir -p "$TMP/policies"
cat > "$TMP/policies/ladder.yml" <<'EOF'
id: e2e-credential-ladder
match:
  tags: [attack.credential-access]
  kinds: [correlation]
  level: medium
target: ip
ladder:
  - action: rate_limit
    rate: 5/min
    ttl: 10m
  - action: block
    ttl: 8s
    climb: { detections: 2 }
  - action: block
    ttl: 1h
    climb: { detections: 3 }   # a stray burst while blocked (old 401s + a 403) does not climb
EOF
: > "$TMP/body.log"
cat > "$TMP/rampart.yaml" <<EOF
data_dir: $D
inputs:
  syslog: { udp: "", tcp: "" }   # the default ports may be taken by another test
  files:
    - { path: $TMP/body.log, format: bodylog }
  http: { listen: 127.0.0.1:$API_PORT }
detection:
  rules: [$SRC/rules/sigma/web]
response:
  policies: [$TMP/policies]
  allowlist_loopback: false   # this test attacks from 127.0.0.2
EOF
start_serve "$TMP/rampart.yaml" "http://127.0.0.1:$API_PORT/v1/health"
ENFORCER=$("$RAMPART" tokens create nginx --role enforcer --tenant default --data "$D" 2>/dev/null)
wait_for 5 token_ready "$ENFORCER" "http://127.0.0.1:$API_PORT" || fail "the enforcer token is not taken up"
[ -n "$ENFORCER" ] || fail "no enforcer token"
start_login_backend "$BACKEND_PORT"
start_nginx "$NGINX_PORT" "$BACKEND_PORT" "127.0.0.1:$API_PORT" "$ENFORCER"

code() { curl -s -o /dev/null -w '%{http_code}' --interface "$1" "${@:2}"; }
answers() { [ "$(code "$1" "$URL/")" = "$2" ]; }  # answers CLIENT CODE
[ "$(code $BENIGN "$URL/")" = 200 ] || fail "benign client not served before the attack"
[ "$(code $ATTACKER "$URL/")" = 200 ] || fail "attacker not served before the attack"

# The benign client, every 0.2 s, for as long as the test runs.
( while true; do code $BENIGN "$URL/" >> "$TMP/benign.codes"; echo >> "$TMP/benign.codes"; sleep 0.2; done ) &
EXTRA_PIDS=$!

# attack N: wrong passwords from the attacker until a 403 (or N attempts); codes in order.
attack() {
  local n=$1 out=$2 c
  : > "$out"
  for _ in $(seq "$n"); do
    c=$(code $ATTACKER -X POST -d 'username=admin&password=guess' "$URL/login")
    echo "$c" >> "$out"
    [ "$c" = 403 ] && return 0
    sleep 0.02
  done
  return 1
}

# 1. 401s, then 429, then 403.
START=$SECONDS
attack 1500 "$TMP/attack1.codes" || fail "no 403 after $(wc -l < "$TMP/attack1.codes") attempts: $(sort "$TMP/attack1.codes" | uniq -c | tr '\n' ' ')"
echo "attack 1: $(sort "$TMP/attack1.codes" | uniq -c | tr '\n' ' ') in $((SECONDS - START)) s"
first429=$(grep -n '^429$' "$TMP/attack1.codes" | head -1 | cut -d: -f1)
first403=$(grep -n '^403$' "$TMP/attack1.codes" | head -1 | cut -d: -f1)
[ -n "$first429" ] || fail "the attacker never got 429 before the block"
[ "$first429" -lt "$first403" ] || fail "429 did not come before 403"
[ "$(head -1 "$TMP/attack1.codes")" = 401 ] || fail "the first attempt was not passed to the backend"
[ "$(code $ATTACKER "$URL/")" = 403 ] || fail "the blocked attacker is served"
# Headers of its own change nothing: not the address, not the tenant.
[ "$(code $ATTACKER -H 'X-Real-IP: 198.51.100.99' -H 'X-Forwarded-For: 198.51.100.99' \
      -H 'X-Rampart-Tenant: nobody' "$URL/?tenant=nobody")" = 403 ] || fail "forged headers let the blocked attacker through"

# 2. The block's TTL (8 s) ends: 200 again. (Asked rarely: a client polling a block at
# 5 requests/s is itself a burst of 403s, which would climb the ladder.)
sleep 7
wait_for 15 answers $ATTACKER 200 || fail "the attacker is still refused after the block's TTL: $("$RAMPART" decisions list --data "$D")"
echo "block expired after its TTL"
# A re-offence climbs to the next stage (block 1 h) ...
attack 1500 "$TMP/attack2.codes" || fail "no 403 for the re-offence: $(sort "$TMP/attack2.codes" | uniq -c | tr '\n' ' ')"
BLOCK=$("$RAMPART" decisions list --state active --json --data "$D" | python3 -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    if d["action"] == "block" and d["value"] == "127.0.0.2":
        print(d["id"]); break')
[ -n "$BLOCK" ] || fail "no active block decision for the attacker"
"$RAMPART" decisions show "$BLOCK" --data "$D" | grep -q 'stage 3' || fail "the re-offence did not climb to stage 3: $("$RAMPART" decisions show "$BLOCK" --data "$D")"
# ... which an operator rolls back.
"$RAMPART" decisions revoke "$BLOCK" --data "$D" | grep -q revoked || fail "revoke failed"
wait_for 5 answers $ATTACKER 200 || fail "the attacker is still refused after the revoke"
echo "revoke brought 200 back"

# The benign client never saw anything but 200.
kill $EXTRA_PIDS; EXTRA_PIDS=
sed -i '/^$/d' "$TMP/benign.codes"
total=$(wc -l < "$TMP/benign.codes")
[ "$total" -gt 20 ] || fail "the benign client made only $total requests"
grep -qv '^200$' "$TMP/benign.codes" && fail "the benign client got: $(sort "$TMP/benign.codes" | uniq -c | tr '\n' ' ')"
echo "benign client: $total x 200"

# 3. The incident: the detections on the timeline and the decisions.
"$RAMPART" incidents list --json --data "$D" > "$TMP/incidents.json"
INCIDENT=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    i = json.loads(line)
    if {"type": "ip", "value": "127.0.0.2"} in i["entities"]:
        print(i["id"]); break' "$TMP/incidents.json")
[ -n "$INCIDENT" ] || fail "no incident for the attacker: $(cat "$TMP/incidents.json")"
"$RAMPART" incidents show "$INCIDENT" --json --data "$D" > "$TMP/incident.json"
python3 - "$TMP/incident.json" <<'PY' || fail "incident content"
import json, sys
i = json.load(open(sys.argv[1]))
rules = {d["rule"]["title"] for d in i["timeline"]}
actions = [d["action"] for d in i["decisions"]]
states = {d["state"] for d in i["decisions"]}
assert "credential-access" in i["tactics"], i["tactics"]
assert i["detection_count"] >= 2, i["detection_count"]
assert any("401" in r or "Rate" in r for r in rules), rules
assert actions.count("block") >= 2 and "rate_limit" in actions, actions
assert "revoked" in states and "expired" in states and "superseded" in states, states
for d in i["decisions"]:
    assert d["reason"] and d["evidence"] and d["incident_id"] == i["id"], d
for d in i["timeline"]:
    assert d["event"]["location"], d
print("incident %s: %d detections, decisions %s" % (i["id"], i["detection_count"], actions))
PY
"$RAMPART" incidents show "$INCIDENT" --events --data "$D" > "$TMP/show.txt"
cut -c1-160 "$TMP/show.txt"
grep -q 'credential-access' "$TMP/show.txt" || fail "show draws no kill chain"
grep -q '"remote_addr":"127.0.0.2"' "$TMP/show.txt" || fail "show does not link the stored events"

# 4. The audit log: the story, then verify, then tamper.
"$RAMPART" audit story "$INCIDENT" --data "$D" > "$TMP/story.txt"
for what in incident.create decision.create decision.supersede decision.expire decision.revoke enforce.apply; do
  grep -q "$what" "$TMP/story.txt" || { cat "$TMP/story.txt"; fail "the story lacks $what"; }
done
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
"$RAMPART" audit verify --data "$D" || fail "audit verify fails on an untouched log"
python3 - "$D/audit/audit.log" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
lines = b.split(b"\n")
# Flip one byte inside the reason of the 5th record.
offset = sum(len(l) + 1 for l in lines[:4]) + lines[4].index(b'"reason":"') + 11
b[offset] ^= 0x01
open(p, "wb").write(bytes(b))
PY
if "$RAMPART" audit verify --data "$D" > "$TMP/verify.txt" 2>&1; then
  fail "audit verify passes a tampered log"
fi
grep -q 'seq 5' "$TMP/verify.txt" || fail "audit verify does not name record 5: $(cat "$TMP/verify.txt")"
echo "audit verify: $(cat "$TMP/verify.txt")"
echo PASS
