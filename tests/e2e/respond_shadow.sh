# Shadow mode: the same attack as respond_nginx.sh with `response.shadow: true` yields
# decisions marked shadow (stored, counted, audited) and nginx keeps serving the attacker.
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl missing"
D=$TMP/data
API_PORT=$(free_port)
NGINX_PORT=$(free_port)
BACKEND_PORT=$(free_port)
URL=http://127.0.0.1:$NGINX_PORT
ATTACKER=127.0.0.2
: > "$TMP/body.log"
cat > "$TMP/rampart.yaml" <<CONF
data_dir: $D
inputs:
  syslog: { udp: "", tcp: "" }   # the default ports may be taken by another test
  files:
    - { path: $TMP/body.log, format: bodylog }
  http: { listen: 127.0.0.1:$API_PORT }
detection:
  rules: [$SRC/rules/sigma/web]
response:
  policies: [$SRC/rules/response]
  shadow: true
  allowlist_loopback: false
CONF
start_serve "$TMP/rampart.yaml" "http://127.0.0.1:$API_PORT/v1/health"
ENFORCER=$("$RAMPART" tokens create nginx --role enforcer --tenant default --data "$D" 2>/dev/null)
wait_for 5 token_ready "$ENFORCER" "http://127.0.0.1:$API_PORT" || fail "the enforcer token is not taken up"
start_login_backend "$BACKEND_PORT"
start_nginx "$NGINX_PORT" "$BACKEND_PORT" "127.0.0.1:$API_PORT" "$ENFORCER"
code() { curl -s -o /dev/null -w '%{http_code}' --interface "$1" "${@:2}"; }
decisions() { "$RAMPART" decisions list --json --data "$D" > "$TMP/decisions.json" && [ "$(wc -l < "$TMP/decisions.json")" -ge "$1" ]; }

: > "$TMP/attack.codes"
for i in $(seq 400); do
  code $ATTACKER -X POST -d 'username=admin&password=guess' "$URL/login" >> "$TMP/attack.codes"
  echo >> "$TMP/attack.codes"
  if [ $((i % 20)) = 0 ] && decisions 2; then break; fi
  sleep 0.02
done
wait_for 10 decisions 2 || fail "no decisions in shadow mode"
sed -i '/^$/d' "$TMP/attack.codes"
echo "attack: $(sort "$TMP/attack.codes" | uniq -c | tr '\n' ' ')"
grep -qv '^401$' "$TMP/attack.codes" && fail "shadow mode enforced something: $(sort "$TMP/attack.codes" | uniq -c | tr '\n' ' ')"
[ "$(code $ATTACKER "$URL/")" = 200 ] || fail "the attacker is refused in shadow mode"
python3 - "$TMP/decisions.json" <<'PY' || fail "decisions not marked shadow"
import json, sys
ds = [json.loads(l) for l in open(sys.argv[1])]
assert ds and all(d["shadow"] for d in ds), ds
assert any(d["action"] == "block" for d in ds), [d["action"] for d in ds]
print("shadow decisions:", [(d["action"], d["state"]) for d in ds])
PY
curl -sf -H "Authorization: Bearer $ADMIN_TOKEN" "http://127.0.0.1:$API_PORT/metrics" > "$TMP/metrics.txt"
grep -q 'rampart_decisions_total{.*shadow="true"} [1-9]' "$TMP/metrics.txt" \
  || fail "shadow decisions not counted: $(grep rampart_decisions "$TMP/metrics.txt")"
echo PASS
