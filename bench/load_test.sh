#!/usr/bin/env bash
# Bounded load test (loopback only): bench/load_test.sh BUILD_DIR [SECONDS]
#
# Two tenants, four senders each, at full rate for SECONDS (default 60):
#   alpha: 2 × HTTP (POST /v1/ingest, 200 Body Log records a request), 1 × syslog TCP,
#          1 × syslog UDP (the syslog listeners write to the server's tenant, alpha)
#   beta:  4 × HTTP with beta's ingest token
# The queue is kept small (queue.max_bytes 16 MiB) so that backpressure happens. Checks:
#   - every record is stored or counted as refused, exactly, per sender: HTTP accepted
#     (202) = stored, 429s counted by the sender; TCP sent = stored (flow control, no loss);
#     UDP sent = stored + dropped by the server (rampart_udp_dropped_total) + dropped by the
#     kernel (the socket's drops in /proc/net/udp);
#   - peak RSS (VmHWM) stays bounded by the queue: the growth over the idle server is
#     printed with its ratio to queue.max_bytes.
# Prints a markdown report on stdout; exits non-zero when a check fails.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bench/load_test.sh BUILD_DIR [SECONDS]" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RAMPART=$(cd "$1" && pwd)/rampart
SECONDS_RUN=${2:-60}
QUEUE=${LOAD_QUEUE_BYTES:-$((16 << 20))}
TMP=$(mktemp -d /tmp/rampart-load.XXXXXX)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill -9 "$SERVER" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP=$(port); TCP=$(port); UDP=$(port)
cat > "$TMP/rampart.yaml" <<YAML
data_dir: $TMP/data
tenant: alpha
inputs:
  syslog: {udp: "127.0.0.1:$UDP", tcp: "127.0.0.1:$TCP"}
  http: {listen: "127.0.0.1:$HTTP"}
queue: {max_bytes: $QUEUE}
detection: {rules: [$ROOT/rules/sigma]}
YAML
"$RAMPART" serve --config "$TMP/rampart.yaml" 2> "$TMP/serve.log" &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HTTP/v1/health" >/dev/null && break; sleep 0.1; done
for _ in $(seq 50); do [ -s "$TMP/data/admin.token" ] && break; sleep 0.1; done
ADMIN=$(cat "$TMP/data/admin.token")
ALPHA=$("$RAMPART" tokens create load-alpha --role ingest --tenant alpha --data "$TMP/data" 2>/dev/null)
BETA=$("$RAMPART" tokens create load-beta --role ingest --tenant beta --data "$TMP/data" 2>/dev/null)
idle_kb=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")

GEN="python3 $ROOT/bench/load_gen.py"
pids=()
$GEN http 127.0.0.1 "$HTTP" "$ALPHA" a1 "$SECONDS_RUN" "$TMP/a1.json" & pids+=($!)
$GEN http 127.0.0.1 "$HTTP" "$ALPHA" a2 "$SECONDS_RUN" "$TMP/a2.json" & pids+=($!)
$GEN tcp 127.0.0.1 "$TCP" - a3 "$SECONDS_RUN" "$TMP/a3.json" & pids+=($!)
$GEN udp 127.0.0.1 "$UDP" - a4 "$SECONDS_RUN" "$TMP/a4.json" & pids+=($!)
for i in 1 2 3 4; do
  $GEN http 127.0.0.1 "$HTTP" "$BETA" "b$i" "$SECONDS_RUN" "$TMP/b$i.json" & pids+=($!)
done
peak_queue=0
end=$((SECONDS + SECONDS_RUN + 30))
while kill -0 "${pids[@]}" 2>/dev/null && [ $SECONDS -lt $end ]; do
  q=$(curl -s -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$HTTP/metrics" \
      | awk '/^rampart_queue_bytes / {print $2}')
  [ -n "$q" ] && [ "${q%.*}" -gt "$peak_queue" ] && peak_queue=${q%.*}
  sleep 1
done
for p in "${pids[@]}"; do wait "$p"; done
# UDP datagrams the kernel dropped at the server's socket (last column of /proc/net/udp).
UDP_HEX=$(printf '%04X' "$UDP")
kernel_drops=$(awk -v p=":$UDP_HEX" '$2 ~ p"$" {print $NF}' /proc/net/udp | head -1)
kernel_drops=${kernel_drops:-0}
curl -s -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$HTTP/metrics" > "$TMP/metrics"
app_drops=$(awk '/^rampart_udp_dropped_total / {print $2}' "$TMP/metrics")
peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
kill -TERM "$SERVER"; wait "$SERVER"; SERVER=

stored() {  # stored TENANT MARKER: events of that sender
  "$RAMPART" search --data "$TMP/data" --tenant "$1" --csv "ld${2}n | count" | tr -d '\r' | tail -1
}
status=0
total_attempted=0; total_stored=0; total_refused=0
echo "## Load test: 2 tenants x 4 senders, ${SECONDS_RUN} s, queue.max_bytes $QUEUE"
echo
echo "Command: \`bench/load_test.sh build $SECONDS_RUN\` (commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores)"
echo
echo "| sender | tenant | kind | attempted | accepted by input | refused (429 / dropped) | stored | reconciled |"
echo "|---|---|---|---:|---:|---:|---:|---|"
for s in a1 a2 a3 a4 b1 b2 b3 b4; do
  tenant=$([ "${s:0:1}" = a ] && echo alpha || echo beta)
  read -r kind attempted accepted rejected < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["kind"], d["attempted"], d["accepted"], d["rejected"])' "$TMP/$s.json")
  got=$(stored "$tenant" "$s")
  refused=$rejected
  if [ "$kind" = udp ]; then
    refused=$(( ${app_drops%.*} + kernel_drops ))
  fi
  ok=yes
  if [ "$kind" = udp ]; then
    [ "$accepted" -eq $((got + refused)) ] || ok=NO
  else
    [ "$accepted" -eq "$got" ] && [ "$attempted" -eq $((accepted + rejected)) ] || ok=NO
  fi
  [ "$ok" = yes ] || status=1
  total_attempted=$((total_attempted + attempted)); total_stored=$((total_stored + got))
  total_refused=$((total_refused + refused))
  echo "| $s | $tenant | $kind | $attempted | $accepted | $refused | $got | $ok |"
done
growth_mb=$(( (peak_kb - idle_kb) / 1024 ))
echo
echo "Totals: $total_attempted records attempted, $total_stored stored ($(( total_stored / SECONDS_RUN )) events/s), $total_refused refused and counted."
echo "UDP: $app_drops dropped by the server (queue full), $kernel_drops by the kernel (socket buffer)."
echo "Peak queue seen: $((peak_queue >> 20)) MiB of $((QUEUE >> 20)) MiB. Peak RSS $((peak_kb / 1024)) MiB; idle $((idle_kb / 1024)) MiB; growth $growth_mb MiB = $(python3 -c "print(round($growth_mb * 1048576 / $QUEUE, 2))") x queue.max_bytes."
# Bounded: the queue, one batch in the pipeline, the HTTP bodies in flight (8 senders x
# ~40 KB), SQLite page caches (32 MiB per open day file, a few open) and detection state.
if [ "$growth_mb" -gt $(( (QUEUE >> 20) * 4 + 160 )) ]; then
  echo "FAIL: RSS grew $growth_mb MiB, more than 4 x the queue + 160 MiB"; status=1
fi
[ "$status" = 0 ] && echo "All senders reconciled exactly." || echo "FAIL: see the rows marked NO."
exit $status
