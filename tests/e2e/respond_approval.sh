# A ladder stage with `approval: operator` waits as pending; an analyst cannot approve it
# (403), an operator can; the decision API enforces it only once approved; both attempts
# are in the audit log. Events arrive over the HTTP API (no nginx needed here).
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl missing"
D=$TMP/data
PORT=$(free_port)
API=http://127.0.0.1:$PORT
ATTACKER=198.51.100.7
mkdir -p "$TMP/policies"
cat > "$TMP/policies/approve.yml" <<'POLICY'
id: block-after-approval
match:
  rules: [0dc2bf45-dc35-458d-acfb-ae85462883ac]   # rampart_web_auth_denied_burst
target: ip
ladder:
  - action: block
    ttl: 1h
    approval: operator
POLICY
cat > "$TMP/rampart.yaml" <<CONF
data_dir: $D
inputs:
  syslog: { udp: "", tcp: "" }   # the default ports may be taken by another test
  http: { listen: 127.0.0.1:$PORT }
detection:
  rules: [$SRC/rules/sigma/web]
response:
  policies: [$TMP/policies]
CONF
start_serve "$TMP/rampart.yaml" "$API/v1/health"
ANALYST=$("$RAMPART" tokens create ann --role analyst --tenant default --data "$D" 2>/dev/null)
OPERATOR=$("$RAMPART" tokens create otto --role operator --tenant default --data "$D" 2>/dev/null)
ENFORCER=$("$RAMPART" tokens create edge --role enforcer --tenant default --data "$D" 2>/dev/null)
for t in "$ANALYST" "$OPERATOR" "$ENFORCER"; do wait_for 5 token_ready "$t" "$API" || fail "token not taken up"; done
check() {  # the decision API's answer for the attacker
  curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ENFORCER" \
    -H "X-Real-IP: $ATTACKER" "$API/v1/decisions/check"
}
failed_logins $ATTACKER 25 | curl -sf -H "Authorization: Bearer $ANALYST" --data-binary @- "$API/v1/ingest?format=bodylog" \
  >/dev/null && fail "an analyst token may ingest"
failed_logins $ATTACKER 25 | curl -sf -H "Authorization: Bearer $ADMIN_TOKEN" --data-binary @- \
  "$API/v1/ingest?format=bodylog" >/dev/null || fail "ingest failed"
pending() {
  curl -sf -H "Authorization: Bearer $ANALYST" "$API/v1/decisions?state=pending" > "$TMP/pending.json" &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["decisions"]; sys.exit(0 if d else 1)' "$TMP/pending.json"
}
wait_for 15 pending || fail "no pending decision: $(cat "$TMP/pending.json")"
DEC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["decisions"][0]["id"])' "$TMP/pending.json")
[ "$(check)" = 204 ] || fail "a pending decision is enforced"

# An analyst may not approve.
code=$(curl -s -o "$TMP/analyst.json" -w '%{http_code}' -H "Authorization: Bearer $ANALYST" \
  -d "{\"id\":\"$DEC\"}" "$API/v1/decisions/approve")
[ "$code" = 403 ] || fail "analyst approve answered $code: $(cat "$TMP/analyst.json")"
[ "$(check)" = 204 ] || fail "enforced after the analyst's attempt"
# An operator may.
code=$(curl -s -o "$TMP/operator.json" -w '%{http_code}' -H "Authorization: Bearer $OPERATOR" \
  -d "{\"id\":\"$DEC\"}" "$API/v1/decisions/approve")
[ "$code" = 200 ] || fail "operator approve answered $code: $(cat "$TMP/operator.json")"
grep -q '"state":"active"' "$TMP/operator.json" || fail "approved decision not active: $(cat "$TMP/operator.json")"
[ "$(check)" = 403 ] || fail "the approved block is not enforced: $(check)"
# An enforcer of this tenant cannot ask about another one, and a wrong token is never an
# answer about the client (nginx would pass a 401/403 on to it): both are 500.
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ENFORCER" -H "X-Real-IP: $ATTACKER" \
  "$API/v1/decisions/check?tenant=other")
[ "$code" = 500 ] || fail "a check for another tenant answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer rpt_wrong" -H "X-Real-IP: $ATTACKER" \
  "$API/v1/decisions/check")
[ "$code" = 500 ] || fail "a check with a wrong token answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ANALYST" "$API/v1/decisions/check")
[ "$code" = 500 ] || fail "a check with an analyst token answered $code"
# Approving again changes nothing and says why.
code=$(curl -s -o "$TMP/again.json" -w '%{http_code}' -H "Authorization: Bearer $OPERATOR" \
  -d "{\"id\":\"$DEC\"}" "$API/v1/decisions/approve")
[ "$code" = 400 ] || fail "second approve answered $code"

"$RAMPART" audit story "$DEC" --data "$D" > "$TMP/story.txt"
cat "$TMP/story.txt"
grep -q 'decision.approve.denied' "$TMP/story.txt" || fail "the analyst's attempt is not in the audit log"
grep 'decision.approve.denied' "$TMP/story.txt" | grep -q 'ann' || fail "the refused attempt does not name the analyst"
grep -q 'decision.approve ' "$TMP/story.txt" || grep -q 'decision.approve$' "$TMP/story.txt" \
  || grep -E -q 'decision\.approve([^.]|$)' "$TMP/story.txt" || fail "the approval is not in the audit log"
grep -E 'decision\.approve([^.]|$)' "$TMP/story.txt" | grep -q 'otto' || fail "the approval does not name the operator"

# The incident through the API: an analyst lists and acknowledges it; an enforcer may only
# check; another tenant's token sees none of it.
curl -sf -H "Authorization: Bearer $ANALYST" "$API/v1/incidents" > "$TMP/incidents.json" || fail "incident list"
INC=$(python3 -c 'import json,sys; i=json.load(open(sys.argv[1]))["incidents"]; print(i[0]["id"] if i else "")' "$TMP/incidents.json")
[ -n "$INC" ] || fail "no incident: $(cat "$TMP/incidents.json")"
code=$(curl -s -o "$TMP/ack.json" -w '%{http_code}' -H "Authorization: Bearer $ANALYST" -d "{\"id\":\"$INC\"}" "$API/v1/incidents/ack")
[ "$code" = 200 ] && grep -q '"status":"acknowledged"' "$TMP/ack.json" || fail "ack answered $code: $(cat "$TMP/ack.json")"
curl -sf -H "Authorization: Bearer $ANALYST" "$API/v1/incidents?id=$INC" > "$TMP/incident.json" || fail "incident show"
python3 - "$TMP/incident.json" "$DEC" <<'PY' || fail "incident content: $(head -c 600 "$TMP/incident.json")"
import json, sys
i = json.load(open(sys.argv[1]))
assert i["status"] == "acknowledged" and i["timeline"] and i["tactics"], i
assert [d["id"] for d in i["decisions"]] == [sys.argv[2]], i["decisions"]
PY
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ENFORCER" "$API/v1/incidents")" = 403 ] \
  || fail "an enforcer token may read incidents"
OTHER_ANALYST=$("$RAMPART" tokens create olga --role analyst --tenant other --data "$D" 2>/dev/null)
wait_for 5 token_ready "$OTHER_ANALYST" "$API" || fail "token not taken up"
curl -sf -H "Authorization: Bearer $OTHER_ANALYST" "$API/v1/incidents" | grep -q '"incidents":\[\]' \
  || fail "another tenant's analyst sees incidents: $(curl -s -H "Authorization: Bearer $OTHER_ANALYST" "$API/v1/incidents")"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $OTHER_ANALYST" "$API/v1/incidents?tenant=default")" = 403 ] \
  || fail "another tenant's analyst may ask for tenant default"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $OTHER_ANALYST" -d "{\"id\":\"$INC\"}" "$API/v1/incidents/ack?tenant=default")" = 403 ] \
  || fail "another tenant's analyst may work tenant default's incident"
# The stream for pull bouncers: everything from 0, then nothing new from the cursor.
curl -sf -H "Authorization: Bearer $ENFORCER" "$API/v1/decisions/stream?since=0" > "$TMP/stream.json" || fail "stream"
CURSOR=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["decisions"][-1]["enforce"] is True, s; print(s["cursor"])' "$TMP/stream.json") \
  || fail "stream content: $(cat "$TMP/stream.json")"
curl -sf -H "Authorization: Bearer $ENFORCER" "$API/v1/decisions/stream?since=$CURSOR" | grep -q '"decisions":\[\]' \
  || fail "the stream repeats decisions after its cursor"
# Who read what: the stream read that handed out decisions (not the empty poll), the
# incident reads and the acknowledgement, each with its token.
"$RAMPART" audit log --data "$D" > "$TMP/log.txt"
[ "$(grep -c 'api:/v1/decisions/stream' "$TMP/log.txt")" = 1 ] || fail "stream reads audited: $(grep stream "$TMP/log.txt")"
grep 'api:/v1/decisions/stream' "$TMP/log.txt" | grep -q 'edge (enforcer)' || fail "the stream read does not name the enforcer"
grep "incident:$INC" "$TMP/log.txt" | grep 'api.read' | grep -q 'ann (analyst)' || fail "the incident read is not audited"
grep "incident:$INC" "$TMP/log.txt" | grep 'incident.transition' | grep -q 'ann (analyst)' || fail "the ack is not audited"
echo PASS
