#!/usr/bin/env bash
# Decision API latency at a constant rate, with its ceiling measured in the same run
# (loopback only): bench/decision_api_bench.sh BUILD_DIR [SECONDS=20] [RATE=10000]
#
#   1. 100,000 active block decisions (10.0.0.0 .. 10.1.134.159, tenant default, expiring in
#      a day) are written into a fresh data directory's control.db (bench/seed_decisions.py)
#      before `rampart serve` starts, which loads them into its decision index.
#   2. bench/rate_gen.cc (open loop: requests at exact intervals, latency from the scheduled
#      send time, so queueing behind a slow answer is counted) sends RATE req/s for SECONDS
#      over 64 keep-alive connections: GET /v1/decisions/check with an enforcer token,
#      X-Real-IP alternating between seeded addresses (403) and others (204). Then the same
#      against /v1/health (no token, no lookup) for comparison.
#   3. The ceiling, same run, same machine: Debian's nginx (2 workers, as many as Rampart's
#      2 I/O threads; access log off) serving a 22-byte static file, at the same rate with
#      the same generator; then the maximum rates of both with `wrk -t2 -c64 -d10s` (Lua
#      script setting the headers for the decision API) and rate_gen in closed loop.
#
# Target (issue 14): p99 < 1 ms at 10,000 req/s with 100,000 active decisions.
# Prints a markdown report on stdout; raw outputs are kept in the temp dir printed at the end
# when BENCH_KEEP=1.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bench/decision_api_bench.sh BUILD_DIR [SECONDS] [RATE]" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(cd "$1" && pwd)
SECS=${2:-20}
RATE=${3:-10000}
N_DECISIONS=${BENCH_DECISIONS:-100000}
CONNS=64
MAX_SECS=${BENCH_MAX_SECONDS:-10}
TMP=$(mktemp -d /tmp/rampart-decision-bench.XXXXXX)
SERVER=; NGINX=
cleanup() {
  set +e  # every step runs, whatever the one before returned
  if [ -n "${MON:-}" ]; then kill "$MON" 2>/dev/null; wait "$MON" 2>/dev/null; fi
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; fi
  if [ -n "$NGINX" ]; then kill "$NGINX" 2>/dev/null; wait "$NGINX" 2>/dev/null; fi
  [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$TMP"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
command -v nginx >/dev/null || { echo "nginx missing (apt-get install nginx-light)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing (apt-get install wrk)" >&2; exit 2; }

# The binary is copied: a rebuild under a running benchmark must not change what is measured.
cp "$BUILD/rampart" "$TMP/rampart"
RAMPART=$TMP/rampart
g++ -O2 -std=c++20 "$ROOT/bench/rate_gen.cc" -o "$TMP/rate_gen"
GEN=$TMP/rate_gen
# Other work on the machine skews every figure: count compilers once a second while we run.
( while sleep 1; do pgrep -xc cc1plus || true; done > "$TMP/busy.txt" ) &
MON=$!
busy() { awk '$1 > 0 {b++} END {printf "%d of %d one-second samples", b, NR}' "$TMP/busy.txt"; }

# 1. Seed, then start the server.
seed_start=$(date +%s.%N)
python3 "$ROOT/bench/seed_decisions.py" "$TMP/data" "$N_DECISIONS"
seed_s=$(python3 -c "import time; print(round(time.time() - $seed_start, 1))")
# X-Real-IP values: even lines seeded (403), odd lines not (10.200.x.y: 204), random order.
python3 - "$TMP/ips.txt" "$N_DECISIONS" <<'PY'
import random, sys
random.seed(14)
n = int(sys.argv[2])
def ip(v): return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)
with open(sys.argv[1], "w") as f:
    for j in range(100000):
        i = random.randrange(n)
        f.write(ip((10 << 24) + i if j % 2 == 0 else (10 << 24) + (200 << 16) + i) + "\n")
PY
API=$(port)
cat > "$TMP/rampart.yaml" <<YAML
data_dir: $TMP/data
inputs:
  syslog: {udp: "", tcp: ""}
  http: {listen: "127.0.0.1:$API", max_connections_per_ip: 256}
detection: {rules: []}
YAML
start_ns=$(date +%s%N)
(cd "$TMP" && exec "$RAMPART" serve --config "$TMP/rampart.yaml" 2> "$TMP/serve.log") &
SERVER=$!
up=no
for _ in $(seq 1200); do curl -sf "http://127.0.0.1:$API/v1/health" >/dev/null && { up=yes; break; }; sleep 0.05; done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
if [ "$up" != yes ]; then
  echo "FAIL: rampart serve did not answer /v1/health within $ready_ms ms of its start with $N_DECISIONS decisions" >&2
  cat "$TMP/serve.log" >&2; exit 1
fi
for _ in $(seq 50); do [ -s "$TMP/data/admin.token" ] && break; sleep 0.1; done
ADMIN=$(cat "$TMP/data/admin.token")
TOKEN=$("$RAMPART" tokens create bench --role enforcer --tenant default --data "$TMP/data" 2>/dev/null)
check() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H "X-Real-IP: $1" \
            "http://127.0.0.1:$API/v1/decisions/check"; }
live=$(curl -s -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$API/metrics" |
       awk '/^rampart_decisions_enforced[ {]/ {s += $NF} END {print s + 0}')
c_in=$(check 10.1.134.159); c_out=$(check 10.200.0.5)
if [ "$c_in" != 403 ] || [ "$c_out" != 204 ]; then
  echo "FAIL: check answers $c_in for a seeded address, $c_out for another (want 403, 204)" >&2
  cat "$TMP/serve.log" >&2; exit 1
fi
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime of a process
HZ=$(getconf CLK_TCK)

# 2. Constant rate against the decision API (after a 3 s warm-up), then /v1/health.
"$GEN" --port "$API" --path /v1/decisions/check --header "Authorization: Bearer $TOKEN" \
  --ips "$TMP/ips.txt" --rate "$RATE" --seconds 3 --conns $CONNS > /dev/null
t0=$(cpu_ticks "$SERVER")
CMD_CHECK="rate_gen --port API --path /v1/decisions/check --header 'Authorization: Bearer TOKEN' --ips ips.txt --rate $RATE --seconds $SECS --conns $CONNS"
"$GEN" --port "$API" --path /v1/decisions/check --header "Authorization: Bearer $TOKEN" \
  --ips "$TMP/ips.txt" --rate "$RATE" --seconds "$SECS" --conns $CONNS > "$TMP/check.json"
server_cpu=$(python3 -c "print(round(($(cpu_ticks "$SERVER") - $t0) / $HZ / $SECS, 2))")
"$GEN" --port "$API" --path /v1/health --rate "$RATE" --seconds "$SECS" --conns $CONNS > "$TMP/health.json"

# 3. nginx serving a static file: the ceiling.
NGX=$(port)
mkdir -p "$TMP/nginx/www"
chmod 711 "$TMP"; chmod 755 "$TMP/nginx" "$TMP/nginx/www"  # nginx's workers run as www-data
printf 'rampart bench: static\n' > "$TMP/nginx/www/index.html"
cat > "$TMP/nginx/nginx.conf" <<NGINX
worker_processes 2;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  access_log off;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$NGX;
    root $TMP/nginx/www;
  }
}
NGINX
nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" -g 'daemon off;' &
NGINX=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$NGX/index.html" >/dev/null && break; sleep 0.05; done
"$GEN" --port "$NGX" --path /index.html --rate "$RATE" --seconds 3 --conns $CONNS > /dev/null
"$GEN" --port "$NGX" --path /index.html --rate "$RATE" --seconds "$SECS" --conns $CONNS > "$TMP/nginx.json"

# Maximum rates: wrk (the Lua script sets the token and cycles X-Real-IP like ips.txt:
# odd requests a seeded address, even ones 10.200.x.y), then rate_gen in closed loop.
cat > "$TMP/check.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
local i = 0
request = function()
  i = i + 1
  local n = (i * 7919) % $N_DECISIONS
  local base = 0
  if i % 2 == 0 then base = 200 end
  wrk.headers["X-Real-IP"] = string.format("10.%d.%d.%d", base + math.floor(n / 65536),
                                           math.floor(n / 256) % 256, n % 256)
  return wrk.format("GET", "/v1/decisions/check")
end
LUA
chmod 600 "$TMP/check.lua"
wrk -t2 -c$CONNS -d${MAX_SECS}s -s "$TMP/check.lua" "http://127.0.0.1:$API/v1/decisions/check" > "$TMP/wrk-check.txt"
wrk -t2 -c$CONNS -d${MAX_SECS}s "http://127.0.0.1:$NGX/index.html" > "$TMP/wrk-nginx.txt"
"$GEN" --port "$API" --path /v1/decisions/check --header "Authorization: Bearer $TOKEN" \
  --ips "$TMP/ips.txt" --rate 0 --seconds $MAX_SECS --conns $CONNS > "$TMP/check-max.json"
"$GEN" --port "$NGX" --path /index.html --rate 0 --seconds $MAX_SECS --conns $CONNS > "$TMP/nginx-max.json"

# 4. The report.
python3 - "$TMP" "$RATE" "$SECS" "$N_DECISIONS" "$live" "$ready_ms" "$seed_s" "$((rss_kb / 1024))" \
  "$server_cpu" "$(git -C "$ROOT" rev-parse --short HEAD)" "$CMD_CHECK" "$(busy)" <<'PY'
import json, os, re, sys
tmp, rate, secs, n, live, ready_ms, seed_s, rss_mb, server_cpu, commit, cmd, busy = sys.argv[1:]
def load(name): return json.load(open(os.path.join(tmp, name)))
def wrk(name):
    t = open(os.path.join(tmp, name)).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
    total = int(re.search(r"(\d+) requests in", t).group(1))
    errs = re.search(r"Socket errors:.*", t)
    return rps, total, int(non2xx.group(1)) if non2xx else 0, errs.group(0) if errs else "no socket errors"
check, health, ngx = load("check.json"), load("health.json"), load("nginx.json")
cmax, nmax = load("check-max.json"), load("nginx-max.json")
wc, wn = wrk("wrk-check.txt"), wrk("wrk-nginx.txt")
def lat(r): l = r["latency_us"]; return "p50 %.0f µs, p90 %.0f, p99 %.0f, p99.9 %.0f, max %.0f" % (l["p50"], l["p90"], l["p99"], l["p99.9"], l["max"])
def row(name, r): return "| %s | %d | %d | %d | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |" % (
    name, r["sent"], r["completed"], r["errors"], " ".join("%s×%s" % (k, v) for k, v in r["status"].items()),
    r["achieved_rps"], r["latency_us"]["p50"], r["latency_us"]["p90"], r["latency_us"]["p99"],
    r["latency_us"]["p99.9"], r["latency_us"]["max"], r["send_lag_us"]["p99"])
print("## Decision API: %s req/s for %s s, %s active decisions" % (rate, secs, n))
print()
print("Command: `bench/decision_api_bench.sh BUILD %s %s` (commit %s, %d cores, load average %s)" % (
    secs, rate, commit, os.cpu_count(), open("/proc/loadavg").read().split()[0]))
print()
print("Compilers (cc1plus) running during the run: in %s." % busy)
print()
print("Seeded %s decisions in %s s; the server answered /v1/health %s ms after start, with %s "
      "decisions enforced (/metrics), RSS %s MiB." % (n, seed_s, ready_ms, live, rss_mb))
print()
print("Open loop, 64 keep-alive connections, latency from the scheduled send (`%s`):" % cmd)
print()
print("| target | sent | completed | errors | status | achieved req/s | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | generator's send lag p99 µs |")
print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
print(row("rampart /v1/decisions/check", check))
print(row("rampart /v1/health (no token)", health))
print(row("nginx static file", ngx))
print()
print("Server CPU during the decision API run: %s cores." % server_cpu)
print()
print("Maximum rates, 64 connections, %s s each:" % 10)
print()
print("| target | wrk -t2 -c64 req/s | (non-2xx) | rate_gen closed loop req/s | its p99 µs |")
print("|---|---:|---:|---:|---:|")
print("| rampart /v1/decisions/check | %.0f | %d of %d | %.0f | %.0f |" % (wc[0], wc[2], wc[1], cmax["achieved_rps"], cmax["latency_us"]["p99"]))
print("| nginx static file | %.0f | %d of %d | %.0f | %.0f |" % (wn[0], wn[2], wn[1], nmax["achieved_rps"], nmax["latency_us"]["p99"]))
print()
ok = check["latency_us"]["p99"] < 1000 and check["errors"] == 0 and check["achieved_rps"] >= 0.99 * float(rate)
print("**Summary**: decision API at %s req/s with %s active decisions: %s; achieved %.0f req/s, %d errors "
      "(target p99 < 1 ms: %s). nginx static file at the same rate in the same run: %s. "
      "Maximum rate (wrk): decision API %.0f req/s, nginx static %.0f req/s, ratio **%.2f** "
      "(rate_gen closed loop: %.0f / %.0f = %.2f)." % (
    rate, n, lat(check), check["achieved_rps"], check["errors"], "met" if ok else "NOT met",
    lat(ngx), wc[0], wn[0], wc[0] / wn[0], cmax["achieved_rps"], nmax["achieved_rps"],
    cmax["achieved_rps"] / nmax["achieved_rps"]))
PY
if [ "${BENCH_KEEP:-0}" = 1 ]; then echo; echo "raw outputs: $TMP"; fi
