# Hostile input at the server, each a regression of a defect found by review:
#   - a gzip bomb and an oversized chunked upload get 413, memory stays bounded, intake goes on
#   - a tenant whose storage fails is isolated: the others are stored, health says why
#   - a second server on the same data directory refuses to start
#   - slow HTTP clients do not block /v1/ingest or /v1/health
#   - a syslog TCP message over 1 MiB is one marked dead letter, memory is given back
#   - hundreds of idle syslog TCP connections do not lock out a legitimate sender
#   - one tenant's forged future timestamp does not switch off another's correlations
#   - `ioc reload` never signals a stale pid; `--check-config` refuses unbindable addresses
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl missing (scripts/install-deps installs it)"
command -v logger >/dev/null || skip "logger (bsdutils) missing"
HTTP=$(free_port); TCP=$(free_port)
D=$TMP/data
cat > "$TMP/rampart.yaml" <<YAML
data_dir: $D
inputs:
  syslog: {udp: "", tcp: "127.0.0.1:$TCP", tcp_max_connections: 256, tcp_max_per_source: 300,
           tcp_idle_timeout_seconds: 60}
  http: {listen: "127.0.0.1:$HTTP", max_body_bytes: 1048576, header_timeout_ms: 2000}
queue: {flush_interval_ms: 50}
detection: {rules: [$SRC/rules/sigma]}
YAML
start_serve "$TMP/rampart.yaml" "http://127.0.0.1:$HTTP/v1/health"
AUTH="Authorization: Bearer $ADMIN_TOKEN"
rss_mb() { echo $(( $(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status") / 1024 )); }
post() {  # post PATH [curl args]: prints the status code
  local path=$1; shift
  curl -s -o "$TMP/body" -w '%{http_code}' -X POST -H "$AUTH" "$@" "http://127.0.0.1:$HTTP$path"
}
count() { "$RAMPART" search --data "$D" --csv "$@" | tr -d '\r' | tail -1; }
counted() { local want=$1; shift; [ "$(count "$@")" = "$want" ]; }  # for wait_for

# --- size limits after decompression and for chunked bodies --------------------------------
head -c 200000000 /dev/zero | gzip -1 > "$TMP/bomb.gz"   # 200 MB of zeros in ~200 KB
[ "$(post /v1/ingest -H 'Content-Encoding: gzip' --data-binary @"$TMP/bomb.gz")" = 413 ] \
  || fail "gzip bomb: $(cat "$TMP/body")"
grep -q body_too_large "$TMP/body" || fail "gzip bomb error: $(cat "$TMP/body")"
[ "$(rss_mb)" -lt 300 ] || fail "RSS $(rss_mb) MB after a gzip bomb"
head -c 3000000 /dev/zero | tr '\0' 'a' > "$TMP/big"
[ "$(post /v1/ingest -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/big")" = 413 ] \
  || fail "chunked upload over the limit: $(cat "$TMP/body")"
[ "$(post /v1/ingest --data-binary '{"m":"after the bomb"}')" = 202 ] || fail "intake stopped after the bomb"

# --- a tenant whose storage fails is isolated -----------------------------------------------
mkdir -p "$D/tenants" && echo "not a directory" > "$D/tenants/broken"
[ "$(post '/v1/ingest?tenant=broken' --data-binary '{"m":"broken tenant record"}')" = 202 ]
[ "$(post '/v1/ingest?tenant=fine' --data-binary '{"m":"fine tenant record"}')" = 202 ]
wait_for 10 bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$HTTP/v1/health)\" = 503 ]" \
  || fail "health still ok after a storage error"
curl -s -H "$AUTH" "http://127.0.0.1:$HTTP/v1/health" > "$TMP/health"
grep -q 'storage errors' "$TMP/health" || fail "health gives no reason: $(cat "$TMP/health")"
wait_for 10 counted 1 --tenant fine 'fine | count' || fail "the other tenant was not stored"
grep -q 'broken tenant record' "$D/spool/unstored.ndjson" || fail "the failing tenant's record is not spooled"
[ "$(post /v1/ingest --data-binary '{"m":"still taking records"}')" = 202 ] || fail "intake stopped after a storage error"

# --- one server per data directory ------------------------------------------------------------
cat > "$TMP/second.yaml" <<YAML
data_dir: $D
inputs: {syslog: {udp: "", tcp: ""}, http: {listen: "127.0.0.1:$(free_port)"}}
YAML
if timeout 10 "$RAMPART" serve --config "$TMP/second.yaml" 2> "$TMP/second.log"; then
  fail "a second server started on the same data directory"
fi
grep -q "in use by another rampart serve (pid $SERVER_PID)" "$TMP/second.log" || fail "second server: $(cat "$TMP/second.log")"

# --- slow HTTP clients --------------------------------------------------------------------------
python3 - "$HTTP" > "$TMP/slow.out" 2>&1 <<'PY' &
import socket, sys, time
socks = []
for i in range(30):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.send(b"GET /v1/health HTTP/1.1\r\nX-Slow: ")
    socks.append(s)
time.sleep(6)
PY
SLOW=$!
sleep 0.5
start=$(date +%s%N)
[ "$(post /v1/ingest --data-binary '{"m":"beside slow clients"}')" = 202 ] || fail "ingest blocked by slow clients"
curl -sf -m 2 "http://127.0.0.1:$HTTP/v1/health" >/dev/null || true
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -lt 1500 ] || fail "requests took $elapsed_ms ms beside 30 slow clients"
wait "$SLOW" || true

# --- syslog TCP: oversized messages and idle connections ---------------------------------------
before=$(rss_mb)
python3 - "$TCP" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"<13>Dec  1 10:00:00 host app: " + b"x" * (50 << 20) + b"\n")
s.sendall(b"<13>Dec  1 10:00:01 host app: after-the-giant\n")
s.close()
PY
wait_for 20 counted 1 'after-the-giant | count' || fail "the line after a 50 MB message was lost"
# Octet-counted framing (RFC 6587), which has no newlines: exactly the oversized message is
# skipped, and the one after it is framed as usual.
python3 - "$TCP" <<'PY'
import socket, sys
big = b"<13>Dec  1 10:00:02 host app: " + b"y" * (3 << 20)
small = b"<13>Dec  1 10:00:03 host app: after-the-octets"
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(str(len(big)).encode() + b" " + big + str(len(small)).encode() + b" " + small)
s.close()
PY
wait_for 20 counted 1 'after-the-octets | count' || fail "the message after an oversized octet-counted one was lost"
dl=$(sqlite3 "$D"/tenants/default/events-"$(date -u +%F)".db \
  "SELECT count(*), max(length(raw)), max(reason) FROM dead_letters WHERE source LIKE 'syslog-tcp%'")
case "$dl" in
  "2|1048576|message of "*"over the 1048576-byte limit"*) ;;
  *) fail "oversized syslog message not one marked dead letter: $dl" ;;
esac
[ "$(rss_mb)" -lt $((before + 120)) ] || fail "RSS grew from $before to $(rss_mb) MB after a 50 MB line"

python3 - "$TCP" > "$TMP/idle.out" 2>&1 <<'PY' &
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(300)]
time.sleep(8)
PY
IDLE=$!
sleep 2
logger --server 127.0.0.1 --port "$TCP" --tcp -t sshd "legit sender line e2eidle"
wait_for 10 counted 1 'e2eidle | count' || fail "a legitimate sender was locked out by idle connections"
wait "$IDLE" || true

# --- a forged future timestamp in one tenant does not stop another's correlations --------------
NOWB=$(date -u '+%b %e %H:%M:%S')
[ "$(post '/v1/ingest?tenant=evil&format=syslog' --data-binary \
  "<38>1 2099-01-01T00:00:00Z evilhost sshd 1 - - Failed password for root from 192.0.2.66 port 1 ssh2")" = 202 ]
printf '{"time":"2099-06-01T00:00:00Z","remote_addr":"192.0.2.66","method":"GET","uri":"/f","status":200}\n' > "$TMP/forged"
[ "$(post '/v1/ingest?tenant=evil' --data-binary @"$TMP/forged")" = 202 ]
sleep 0.5
lines=""
for i in $(seq 1 12); do
  lines+="<38>$NOWB victimhost sshd[2$i]: Failed password for invalid user u$i from 198.51.100.99 port 4$i ssh2"$'\n'
done
[ "$(post '/v1/ingest?tenant=victim&format=syslog' --data-binary "$lines")" = 202 ]
wait_for 10 bash -c "'$RAMPART' detections --data '$D' --tenant victim --kind correlation --json | grep -q 'SSH Brute Force'" \
  || fail "victim's brute-force correlation did not fire after evil's forged timestamp"
wait_for 5 bash -c "curl -s -H '$AUTH' http://127.0.0.1:$HTTP/metrics | grep -q 'rampart_event_time_flagged_total{reason=\"future\"} [1-9]'" \
  || fail "the future event was not counted"

# --- clean stop ----------------------------------------------------------------------------------
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || fail "serve did not stop cleanly"
SERVER_PID=

# --- ioc reload never signals a stale pid; config checks -----------------------------------------
sleep 300 & STALE=$!
echo "$STALE" > "$D/rampart.pid"
if "$RAMPART" ioc reload --data "$D" 2> "$TMP/reload.err"; then fail "ioc reload succeeded with no server running"; fi
kill -0 "$STALE" 2>/dev/null || fail "ioc reload signalled an unrelated process"
kill "$STALE"
grep -q "no rampart serve is running" "$TMP/reload.err" || fail "reload: $(cat "$TMP/reload.err")"
printf 'inputs: {http: {listen: ":18904"}}\n' > "$TMP/bad.yaml"
if "$RAMPART" serve --config "$TMP/bad.yaml" --check-config 2> "$TMP/check.err"; then fail "--check-config accepted :18904"; fi
grep -q "is not IP:PORT" "$TMP/check.err" || fail "check-config: $(cat "$TMP/check.err")"
printf 'inputs: {http: {listen: "0.0.0.0:18904"}}\n' > "$TMP/open.yaml"
if "$RAMPART" serve --config "$TMP/open.yaml" --check-config 2> "$TMP/check.err"; then fail "plain HTTP on 0.0.0.0 accepted"; fi
grep -q "refusing to serve plain HTTP" "$TMP/check.err" || fail "check-config: $(cat "$TMP/check.err")"
printf 'inputs: {http: {listen: "0.0.0.0:18904", insecure_plaintext: true}}\n' > "$TMP/open.yaml"
"$RAMPART" serve --config "$TMP/open.yaml" --check-config > /dev/null || fail "insecure_plaintext: true not honoured"
printf 'inputs: {http: {max_body_bytes: 8589934592}}\n' > "$TMP/huge.yaml"
if "$RAMPART" serve --config "$TMP/huge.yaml" --check-config 2>/dev/null; then fail "max_body_bytes of 8 GiB accepted"; fi
echo "ok: bombs, storage failures, a second server, slow and idle clients, giant lines, forged times"
