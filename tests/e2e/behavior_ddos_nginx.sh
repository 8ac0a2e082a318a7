# A request flood through Debian's nginx on loopback is detected by `serve` from the Body Log:
# a day of ordinary history (generated, ending a minute ago) teaches the tenant's seasonal
# baseline; then wrk floods `GET /` with 2,000 forged client addresses (X-Forwarded-For, which
# this nginx trusts from loopback as a load balancer's). Within 30 s of event time a DDoS
# detection names the flood's top sources as entities a response policy could rate-limit;
# the history alone gave no detection.
source "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || fail "nginx missing (scripts/install-deps installs nginx-light)"
command -v wrk >/dev/null || fail "wrk missing (scripts/install-deps installs it)"
command -v sqlite3 >/dev/null || fail "sqlite3 missing (scripts/install-deps installs it)"
D=$TMP/data
LOG=$TMP/body.log
PORT=$(free_port)
HTTP=$(free_port)

# History: 26 hours up to a minute ago, about one request every 5 s (busier by day).
python3 - "$LOG" <<'PY'
import json, random, sys, time
rng = random.Random(7)
end = int(time.time()) - 60
with open(sys.argv[1], "w") as out:
    t = end - 26 * 3600
    while t < end:
        hour = time.gmtime(t).tm_hour
        t += rng.expovariate(0.3 if 8 <= hour < 20 else 0.1)
        out.write(json.dumps({
            "time": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t)),
            "remote_addr": "198.18.%d.%d" % (rng.randint(0, 3), rng.randint(1, 250)),
            "remote_port": "40000", "x_forwarded_for": "", "host": "127.0.0.1",
            "method": "GET", "uri": rng.choice(["/", "/products", "/cart", "/search?q=x"]),
            "protocol": "HTTP/1.1", "status": 200, "body_bytes_sent": 512,
            "request_length": 200, "request_time": 0.001, "user_agent": "Mozilla/5.0",
            "referer": "", "content_type": "", "authorization": "", "cookie": "",
            "x_api_key": "", "request_body": ""}) + "\n")
PY
HISTORY=$(wc -l < "$LOG")
cat > "$TMP/rampart.yaml" <<YAML
data_dir: $D
retention: {days: 0}
inputs:
  files:
    - {path: $LOG, format: bodylog}
  syslog: {udp: "", tcp: ""}
  http: {listen: "127.0.0.1:$HTTP"}
queue: {flush_interval_ms: 50}
web: {enabled: false}
behavior: {scenarios: [$SRC/rules/behavior]}
YAML
start_serve "$TMP/rampart.yaml" "http://127.0.0.1:$HTTP/v1/health"
wait_for 60 stored_at_least "$D" "$HISTORY" || fail "serve did not store the history"
ddos() { "$RAMPART" detections --data "$D" --kind behavior --since 30h --json | grep '"ddos-' || true; }
[ -z "$(ddos)" ] || fail "the history alone raised a DDoS detection"

mkdir -p "$TMP/nginx"
sed -n '/^log_format bodylog/,/;$/p' "$SRC/docs/formats/body_log.md" > "$TMP/nginx/bodylog.conf"
cat > "$TMP/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 512; }
http {
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  include $TMP/nginx/bodylog.conf;
  access_log $LOG bodylog;
  set_real_ip_from 127.0.0.1;    # a load balancer's X-Forwarded-For names the client
  real_ip_header X-Forwarded-For;
  server {
    listen 127.0.0.1:$PORT;
    location / { return 200 "ok\n"; }
  }
}
NGINX
nginx -t -q -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" 2> "$TMP/nginx/test.log" || { cat "$TMP/nginx/test.log"; fail "nginx refuses the configuration"; }
nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" -g 'daemon off;' &
NGINX_PID=$!
wait_for 10 curl -sf "http://127.0.0.1:$PORT/" || fail "nginx did not start"

cat > "$TMP/flood.lua" <<'LUA'
-- Each request from one of 2,000 addresses of 100.64.0.0/16.
local n = 0
request = function()
  n = n + 1
  local k = (n * 7919) % 2000
  wrk.headers["X-Forwarded-For"] = "100.64." .. math.floor(k / 250) .. "." .. (k % 250 + 1)
  return wrk.format("GET", "/")
end
LUA
START=$(date +%s)
wrk -t1 -c8 -d6s -s "$TMP/flood.lua" "http://127.0.0.1:$PORT/" > "$TMP/wrk.txt"
grep -E "Requests/sec|requests in" "$TMP/wrk.txt"
found() { [ -n "$(ddos)" ]; }
wait_for 90 found || { tail -5 "$TMP/serve.log"; fail "the flood was not detected"; }
ddos > "$TMP/ddos.json"
python3 - "$TMP/ddos.json" "$START" <<'PY'
import json, sys
from datetime import datetime
start = int(sys.argv[2])
dets = [json.loads(l) for l in open(sys.argv[1])]
first = min(dets, key=lambda d: d["time"])
t = datetime.fromisoformat(first["time"].replace("Z", "+00:00")).timestamp()
assert t - start <= 30, ("detected %.1f s after the flood began" % (t - start))
tops = [e["value"] for e in first["evidence"] if e["field"] == "behavior.top.source.ip"]
ips = [e["value"] for e in first["entities"] if e["type"] == "ip"]
assert len(tops) >= 5 and all(ip.startswith("100.64.") for ip in tops), tops
assert set(tops) <= set(ips), (tops, ips)
print("ok: %s %.1f s after the flood began (event time): %s" % (first["rule"]["id"], t - start, first["explanation"][:220]))
PY
