# Shared by the end-to-end tests: bash tests/e2e/<name>.sh RAMPART_BINARY SOURCE_DIR
set -euo pipefail
RAMPART=${1:?usage: $0 RAMPART_BINARY SOURCE_DIR}
SRC=${2:?usage: $0 RAMPART_BINARY SOURCE_DIR}
CORPUS=${RAMPART_CORPUS:-$SRC/../shared/corpora}
TMP=$(mktemp -d /tmp/rampart-e2e.XXXXXX)
cleanup() {
  if [ -n "${SERVER_PID:-}" ]; then kill -9 "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "${NGINX_PID:-}" ]; then kill "$NGINX_PID" 2>/dev/null || true; fi
  if [ -n "${BACKEND_PID:-}" ]; then kill "$BACKEND_PID" 2>/dev/null || true; fi
  if [ -n "${EXTRA_PIDS:-}" ]; then kill $EXTRA_PIDS 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# stored_at_least DATA_DIR N: the default tenant's day files hold N events or more.
stored_at_least() {
  local n=0 f
  for f in "$1"/tenants/default/events-*.db; do
    [ -e "$f" ] || continue
    n=$((n + $(sqlite3 "$f" 'SELECT count(*) FROM events' 2>/dev/null || echo 0)))
  done
  [ "$n" -ge "$2" ]
}

# Exit code 77 tells ctest the test was skipped.
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
need_corpus() { [ -e "$CORPUS/$1" ] || skip "corpus file $CORPUS/$1 absent"; }

# A free TCP/UDP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until `cmd` succeeds, up to $1 seconds.
wait_for() {
  local secs=$1; shift
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.2
  done
}

# start_serve CONFIG URL: starts `rampart serve --config CONFIG` (stderr in $TMP/serve.log),
# waits for URL (its /v1/health) and for the first-start admin token, which it puts in
# $ADMIN_TOKEN (the data directory is $D). Extra curl options for URL may follow.
start_serve() {
  local config=$1 url=$2; shift 2
  "$RAMPART" serve --config "$config" 2> "$TMP/serve.log" &
  SERVER_PID=$!
  # A cold start compiles the web rule pack (about 13 CPU-seconds): give it time on a busy machine.
  wait_for 60 curl -sf "$@" "$url" || { cat "$TMP/serve.log"; fail "server did not start"; }
  wait_for 10 test -s "$D/admin.token" || fail "no admin token written on first start"
  ADMIN_TOKEN=$(cat "$D/admin.token")
}

# start_login_backend PORT: a small HTTP backend on 127.0.0.1:PORT. POST /login answers 200
# for password=secret and 401 otherwise; every other request 200 "hello".
start_login_backend() {
  local port=$1
  cat > "$TMP/backend.py" <<'PY'
import http.server, sys, urllib.parse
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self, code, text):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self): self.answer(200, "hello\n")
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode(errors="replace"))
        ok = form.get("password", [""])[0] == "secret"
        self.answer(200 if ok else 401, "welcome\n" if ok else "wrong password\n")
http.server.ThreadingHTTPServer.daemon_threads = True
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
  python3 "$TMP/backend.py" "$port" &
  BACKEND_PID=$!
  wait_for 10 curl -sf "http://127.0.0.1:$port/" || fail "backend did not start"
}

# start_nginx PORT BACKEND_PORT API_ADDRESS ENFORCER_TOKEN: Debian's nginx on 127.0.0.1:PORT,
# proxying the backend, writing a Body Log to $TMP/body.log, with the shipped enforcement
# snippet (config/nginx/rampart-enforce.conf) asking Rampart's decision API.
start_nginx() {
  local port=$1 backend=$2 api=$3 token=$4
  command -v nginx >/dev/null || fail "nginx missing (scripts/install-deps installs nginx-light)"
  mkdir -p "$TMP/nginx"
  sed -e "s|RAMPART_API|$api|" -e "s|RAMPART_TOKEN|$token|" \
    "$SRC/config/nginx/rampart-enforce.conf" > "$TMP/nginx/rampart-enforce.conf"
  # The Body Log format of docs/formats/body_log.md, as shipped.
  sed -n '/^log_format bodylog/,/;$/p' "$SRC/docs/formats/body_log.md" > "$TMP/nginx/bodylog.conf"
  cat > "$TMP/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 256; }
http {
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  include $TMP/nginx/bodylog.conf;
  access_log $TMP/body.log bodylog;
  server {
    listen 127.0.0.1:$port;
    client_body_buffer_size 64k;
    client_body_in_single_buffer on;
    include $TMP/nginx/rampart-enforce.conf;
    location / { proxy_pass http://127.0.0.1:$backend; }
  }
}
NGINX
  nginx -t -q -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" 2>"$TMP/nginx/test.log" \
    || { cat "$TMP/nginx/test.log"; fail "nginx refuses the configuration"; }
  nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" -g 'daemon off;' &
  NGINX_PID=$!
  wait_for 10 test -s "$TMP/nginx/nginx.pid" || fail "nginx did not start"
}

# failed_logins IP N: N Body Log lines of failed form logins (401) from IP, timed now.
failed_logins() {
  python3 - "$1" "$2" <<'PY'
import json, sys, time
ip, n = sys.argv[1], int(sys.argv[2])
now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
for i in range(n):
    print(json.dumps({"time": now, "remote_addr": ip, "remote_port": str(40000 + i), "host": "shop.example",
                      "method": "POST", "uri": "/login", "protocol": "HTTP/1.1", "status": 401,
                      "body_bytes_sent": 15, "request_length": 300, "request_time": "0.002",
                      "user_agent": "python-requests/2.31", "content_type": "application/x-www-form-urlencoded",
                      "request_body": "username=admin&password=guess%d" % i}))
PY
}

# token_ready TOKEN API_URL: whether a running server accepts TOKEN yet (a token made by the
# CLI is taken up within a second); use as `wait_for 5 token_ready "$T" "$API"`.
token_ready() { curl -sf -H "Authorization: Bearer $1" "$2/v1/whoami" >/dev/null; }
