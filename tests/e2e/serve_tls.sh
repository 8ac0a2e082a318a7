# The API over HTTPS: a certificate and key in the config make every endpoint TLS-only;
# tokens work the same; a plain-HTTP client gets nothing.
source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || fail "openssl missing (scripts/install-deps installs it)"
command -v curl >/dev/null || fail "curl missing (scripts/install-deps installs it)"
HTTP=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null || fail "openssl could not make a certificate"
D=$TMP/data
cat > "$TMP/rampart.yaml" <<YAML
data_dir: $D
inputs:
  syslog: {udp: "", tcp: ""}
  http: {listen: "127.0.0.1:$HTTP", tls_cert: "$TMP/cert.pem", tls_key: "$TMP/key.pem"}
queue: {flush_interval_ms: 50}
detection: {rules: []}
YAML
URL=https://127.0.0.1:$HTTP
start_serve "$TMP/rampart.yaml" "$URL/v1/health" --cacert "$TMP/cert.pem"
grep -q "https://127.0.0.1:$HTTP" "$TMP/serve.log" || fail "serve does not say https: $(cat "$TMP/serve.log")"
AUTH="Authorization: Bearer $ADMIN_TOKEN"
code=$(curl -s --cacert "$TMP/cert.pem" -o "$TMP/body" -w '%{http_code}' -X POST -H "$AUTH" \
  --data-binary '{"m":"over tls"}' "$URL/v1/ingest")
[ "$code" = 202 ] || fail "HTTPS ingest answered $code: $(cat "$TMP/body")"
if curl -s -m 3 "http://127.0.0.1:$HTTP/v1/health" | grep -q status; then fail "plain HTTP answered on the TLS port"; fi
curl -sf --cacert "$TMP/cert.pem" "$URL/v1/health" > /dev/null || fail "a plain-HTTP attempt broke the server"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || fail "serve did not stop cleanly"
SERVER_PID=
echo "ok: HTTPS with tokens; plain HTTP refused on the TLS port"
