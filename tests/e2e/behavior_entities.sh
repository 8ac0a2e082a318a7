# What Rampart knows about an entity, live and offline: `serve` tails generated API traffic
# ending in a stolen-key episode (gen_web.py apikey). GET /v1/entities ranks the stolen key
# first; GET /v1/entities/show (given the raw key, pseudonymised as stored) returns the live
# engine's numbers (rate, seasonal baseline) and its detections with their explanations;
# `rampart entities top|show` say the same from the store and the snapshot; other tenants'
# tokens see nothing of it.
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl missing (scripts/install-deps installs it)"
python3 "$SRC/tests/data/behavior/gen_web.py" apikey > "$TMP/api.jsonl" 2> "$TMP/facts.json"
KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["key"])' "$TMP/facts.json")
TOTAL=$(wc -l < "$TMP/api.jsonl")
D=$TMP/data
HTTP=$(free_port)
cat > "$TMP/rampart.yaml" <<YAML
data_dir: $D
retention: {days: 0}
inputs:
  files:
    - {path: $TMP/api.jsonl, format: bodylog}
  syslog: {udp: "", tcp: ""}
  http: {listen: "127.0.0.1:$HTTP"}
queue: {flush_interval_ms: 50, batch_size: 2000}
web: {enabled: false}
behavior: {scenarios: [$SRC/rules/behavior], snapshot_interval: 1s}
YAML
start_serve "$TMP/rampart.yaml" "http://127.0.0.1:$HTTP/v1/health"
API="http://127.0.0.1:$HTTP"
wait_for 120 stored_at_least "$D" "$TOTAL" || fail "serve did not store the traffic"
sleep 1.5  # the detections of the last batch, and a snapshot
curl -sf -H "Authorization: Bearer $ADMIN_TOKEN" "$API/v1/entities?type=api_key&since=2026-01-01" > "$TMP/top.ndjson"
curl -sf -G -H "Authorization: Bearer $ADMIN_TOKEN" "$API/v1/entities/show" \
  --data-urlencode type=api_key --data-urlencode "value=$KEY" --data-urlencode since=2026-01-01 > "$TMP/show.json"
"$RAMPART" tokens create other --role analyst --tenant other --data "$D" > "$TMP/other.token"
OTHER=$(tail -1 "$TMP/other.token" | awk '{print $NF}')
wait_for 5 token_ready "$OTHER" "$API"
curl -s -H "Authorization: Bearer $OTHER" "$API/v1/entities?since=2026-01-01" > "$TMP/other.ndjson"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $OTHER" "$API/v1/entities?tenant=default")
[ "$code" = 403 ] || fail "another tenant's token read default's entities (HTTP $code)"
curl -s -o /dev/null -w '%{http_code}' "$API/v1/entities" | grep -q 401 || fail "entities without a token"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || fail "serve did not stop cleanly"
SERVER_PID=
"$RAMPART" entities top --data "$D" --since 2026-01-01 --json > "$TMP/cli-top.ndjson"
"$RAMPART" entities show api_key "$KEY" --data "$D" --since 2026-01-01 --behavior "$SRC/rules/behavior" --json > "$TMP/cli-show.json"
"$RAMPART" entities show api_key "$KEY" --data "$D" --since 2026-01-01 --behavior "$SRC/rules/behavior" > "$TMP/cli-show.txt"
python3 - "$TMP" <<'PY'
import json, sys
tmp = sys.argv[1]
top = [json.loads(l) for l in open(f"{tmp}/top.ndjson")]
assert top and top[0]["type"] == "api_key" and top[0]["value"].startswith("hmac:"), top[:1]
assert top[0]["detections"] >= 4 and top[0]["kinds"] == {"behavior": top[0]["detections"]}, top[0]
show = json.load(open(f"{tmp}/show.json"))
assert show["value"] == top[0]["value"], "the raw key was not looked up as its pseudonym"
spike = [v for v in show["behavior"] if v["scenario"] == "api-key-rate-spike"]
assert spike and spike[0]["baseline"]["mean"] > 0 and spike[0]["last_detection"], show["behavior"]
rules = {d["rule"]["id"] for d in show["detections"]}
assert {"api-key-rate-spike", "api-key-new-country"} <= rules, rules
assert all(d["explanation"] for d in show["detections"])
assert open(f"{tmp}/other.ndjson").read() == "", "another tenant's token saw entities"
cli_top = [json.loads(l) for l in open(f"{tmp}/cli-top.ndjson")]
assert cli_top[0]["value"] == top[0]["value"] and cli_top[0]["detections"] == top[0]["detections"]
cli = json.load(open(f"{tmp}/cli-show.json"))
cli_spike = [v for v in cli["behavior"] if v["scenario"] == "api-key-rate-spike"]
assert cli_spike and cli_spike[0]["baseline"] == spike[0]["baseline"], (cli_spike, spike)
print("ok: stolen key ranked first with %d detections; live and snapshot state agree "
      "(baseline %.1f per 5 min)" % (top[0]["detections"], spike[0]["baseline"]["mean"]))
PY
grep -q "api-key-rate-spike" "$TMP/cli-show.txt" || { cat "$TMP/cli-show.txt"; fail "entities show text"; }
