# Shared by the end-to-end tests: bash tests/e2e/<name>.sh RAMPART_BINARY SOURCE_DIR
set -euo pipefail
RAMPART=${1:?usage: $0 RAMPART_BINARY SOURCE_DIR}
SRC=${2:?usage: $0 RAMPART_BINARY SOURCE_DIR}
CORPUS=${RAMPART_CORPUS:-$SRC/../shared/corpora}
TMP=$(mktemp -d /tmp/rampart-e2e.XXXXXX)
cleanup() {
  if [ -n "${SERVER_PID:-}" ]; then kill -9 "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

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
  wait_for 20 curl -sf "$@" "$url" || { cat "$TMP/serve.log"; fail "server did not start"; }
  wait_for 10 test -s "$D/admin.token" || fail "no admin token written on first start"
  ADMIN_TOKEN=$(cat "$D/admin.token")
}
