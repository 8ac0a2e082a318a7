# The nftables connector for real, in a network namespace this test creates: a blocked
# address lands in Rampart's own set with its timeout, the set is rebuilt from the stored
# decisions after `kill -9` and a restart (also when the table was lost, as after a reboot),
# and neither another table in the namespace nor the host's own ruleset is touched.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root for ip netns and nft"
command -v ip >/dev/null && command -v nft >/dev/null || fail "ip or nft missing (scripts/install-deps installs iproute2 and nftables)"
NS=rampart-e2e-$$
ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace here"
trap 'cleanup; ip netns del "$NS" 2>/dev/null || true' EXIT
ip -n "$NS" link set lo up
inns() { ip netns exec "$NS" "$@"; }
HOST_BEFORE=$(nft list ruleset | sha256sum)
inns nft -f - <<'NFT'
table inet other {
  set keep { type ipv4_addr; elements = { 192.0.2.1 } }
  chain input { type filter hook input priority 0; policy accept; }
}
NFT
OTHER_BEFORE=$(inns nft list table inet other | sha256sum)

D=$TMP/data
PORT=$(free_port)
API=http://127.0.0.1:$PORT
mkdir -p "$TMP/policies"
cat > "$TMP/policies/block.yml" <<'POLICY'
id: block-bursts
match:
  rules: [0dc2bf45-dc35-458d-acfb-ae85462883ac]   # rampart_web_auth_denied_burst
target: ip
ladder:
  - action: block
    ttl: 1h
POLICY
cat > "$TMP/rampart.yaml" <<CONF
data_dir: $D
inputs:
  syslog: { udp: "", tcp: "" }   # the default ports may be taken by another test
  http: { listen: 127.0.0.1:$PORT }
detection:
  rules: [$SRC/rules/sigma/web]
response:
  policies: [$TMP/policies]
  connectors:
    nftables: { enabled: true }
CONF
serve_in_ns() {
  ip netns exec "$NS" "$RAMPART" serve --config "$TMP/rampart.yaml" 2>> "$TMP/serve.log" &
  SERVER_PID=$!
  wait_for 20 inns curl -sf "$API/v1/health" || { cat "$TMP/serve.log"; fail "server did not start"; }
}
serve_in_ns
wait_for 10 test -s "$D/admin.token" || fail "no admin token"
ADMIN_TOKEN=$(cat "$D/admin.token")
for ip in 198.51.100.7 2001:db8::7; do
  failed_logins $ip 25 | inns curl -sf -H "Authorization: Bearer $ADMIN_TOKEN" --data-binary @- \
    "$API/v1/ingest?format=bodylog" >/dev/null || fail "ingest failed"
done
in_set() { inns nft list set inet rampart "$1" 2>/dev/null | grep -q "$2"; }
wait_for 15 in_set block_v4 198.51.100.7 || { cat "$TMP/serve.log"; fail "198.51.100.7 not in the set: $(inns nft list ruleset)"; }
wait_for 15 in_set block_v6 2001:db8::7 || fail "2001:db8::7 not in the set: $(inns nft list ruleset)"
inns nft list set inet rampart block_v4 | grep '198.51.100.7' | grep -q 'timeout 1h\|expires' \
  || fail "the element has no timeout: $(inns nft list set inet rampart block_v4)"
echo "set after the attack:"; inns nft list set inet rampart block_v4 | grep 198.51

# kill -9 and restart: the set still holds it; then a lost table (reboot) is rebuilt.
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
inns nft delete table inet rampart
serve_in_ns
wait_for 15 in_set block_v4 198.51.100.7 || fail "the set was not rebuilt after the restart: $(inns nft list ruleset)"
in_set block_v6 2001:db8::7 || fail "the v6 set was not rebuilt"
echo "rebuilt after kill -9 and a lost table"

# Revoke through the CLI: the element goes.
DEC=$("$RAMPART" decisions list --state active --json --data "$D" | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if d["value"] == "198.51.100.7": print(d["id"])')
"$RAMPART" decisions revoke "$DEC" --data "$D" >/dev/null || fail "revoke failed"
# (A listing made while the syncer replaces its table can fail: only a listing that
# succeeded counts.)
not_in_set() { local out; out=$(inns nft list set inet rampart "$1") && ! grep -q "$2" <<< "$out"; }
wait_for 10 not_in_set block_v4 198.51.100.7 || fail "the revoked address is still in the set"
wait_for 5 in_set block_v6 2001:db8::7 || fail "revoking one decision removed another"

[ "$(inns nft list table inet other | sha256sum)" = "$OTHER_BEFORE" ] || fail "another table in the namespace was changed"
[ "$(nft list ruleset | sha256sum)" = "$HOST_BEFORE" ] || fail "the host's ruleset was changed"
"$RAMPART" decisions show "$DEC" --data "$D" | grep -q 'nftables' || fail "decisions show lacks the nftables result"
echo PASS
