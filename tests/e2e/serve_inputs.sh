# serve receives a syslog line from `logger` over UDP and TCP and an NDJSON POST from curl
# (plain and gzip); `rampart search` then finds them.
source "$(dirname "$0")/lib.sh"
command -v logger >/dev/null || skip "logger (bsdutils) missing"
command -v curl >/dev/null || fail "curl missing (scripts/install-deps installs it)"
UDP=$(free_port); TCP=$(free_port); HTTP=$(free_port)
cat > "$TMP/rampart.yaml" <<YAML
data_dir: $TMP/data
inputs:
  syslog: {udp: "127.0.0.1:$UDP", tcp: "127.0.0.1:$TCP"}
  http: {listen: "127.0.0.1:$HTTP"}
queue: {flush_interval_ms: 50}
YAML
"$RAMPART" serve --config "$TMP/rampart.yaml" 2> "$TMP/serve.log" &
SERVER_PID=$!
wait_for 60 curl -sf "http://127.0.0.1:$HTTP/v1/health" || { cat "$TMP/serve.log"; fail "server did not start"; }
wait_for 10 test -s "$TMP/data/admin.token" || fail "no admin token written on first start"
AUTH="Authorization: Bearer $(cat "$TMP/data/admin.token")"

logger --server 127.0.0.1 --port "$UDP" --udp -t sshd -p authpriv.info \
  "Failed password for invalid user e2eudp from 198.51.100.77 port 4242 ssh2"
logger --server 127.0.0.1 --port "$TCP" --tcp -t sshd -p authpriv.info \
  "Accepted publickey for e2etcp from 198.51.100.78 port 4243 ssh2"
logger --server 127.0.0.1 --port "$TCP" --tcp --octet-count --rfc3164 -t myapp "plain message e2eoctet"
code=$(curl -s -o "$TMP/resp" -w '%{http_code}' -X POST -H "$AUTH" --data-binary \
  $'{"time":"2026-11-20T01:02:03Z","remote_addr":"203.0.113.5","method":"GET","uri":"/e2e-http?q=1","status":200}\n' \
  "http://127.0.0.1:$HTTP/v1/ingest")
[ "$code" = 202 ] || fail "POST answered $code: $(cat "$TMP/resp")"
printf '{"app":"e2e-gzip","level":"warn"}\n' | gzip | curl -sf -X POST -H "$AUTH" -H 'Content-Encoding: gzip' \
  --data-binary @- "http://127.0.0.1:$HTTP/v1/ingest?tenant=acme" > "$TMP/resp" || fail "gzip POST failed"
grep -q '"accepted":1' "$TMP/resp" || fail "gzip POST: $(cat "$TMP/resp")"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "$AUTH" --data-binary 'x' "http://127.0.0.1:$HTTP/v1/ingest?tenant=../x")
[ "$code" = 400 ] || fail "bad tenant answered $code"

found() { [ "$("$RAMPART" search --data "$TMP/data" "$@" --csv "${QUERY}" | tr -d '\r' | tail -1)" = 1 ]; }
QUERY='user.name:e2eudp AND event.outcome:failure AND source.ip:198.51.100.77 | count'
wait_for 10 found || fail "UDP syslog line not found"
QUERY='user.name:e2etcp AND event.outcome:success | count'
wait_for 10 found || fail "TCP syslog line not found"
QUERY='e2eoctet | count'
wait_for 10 found || fail "octet-counted syslog line not found"
QUERY='url.path:"/e2e-http" AND source.ip:203.0.113.5 | count'
wait_for 10 found || fail "NDJSON POST not found"
QUERY='app:e2e-gzip | count'
wait_for 10 found --tenant acme || fail "gzip NDJSON POST not found in tenant acme"
"$RAMPART" search --data "$TMP/data" 'source.ip:198.51.100.0/24'
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || fail "serve did not stop cleanly"
SERVER_PID=
echo "ok: syslog UDP, TCP (newline and octet counting), NDJSON and gzip NDJSON all searchable"
