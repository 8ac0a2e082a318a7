# The README's tour of the running server, verbatim: the commands of the first console
# block under "A short tour" run as written (after `make run`'s `rampart serve --data data`
# on the default ports), and every JSON line the README shows is what they print.
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl missing (scripts/install-deps installs it)"
command -v logger >/dev/null || skip "logger (bsdutils) missing"
need_corpus bodylog/sample.jsonl
for p in 5514 8514; do
  if python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1',$p))" 2>/dev/null; then :; else
    skip "port $p is in use (the tour uses the default ports)"
  fi
done
mkdir -p "$TMP/bin" "$TMP/main"
ln -s "$(cd "$(dirname "$RAMPART")" && pwd)/$(basename "$RAMPART")" "$TMP/bin/rampart"
ln -s "$(cd "$CORPUS/.." && pwd)" "$TMP/shared"
export PATH="$TMP/bin:$PATH"
cd "$TMP/main"
rampart serve --data data --rules "$SRC/rules/sigma" 2> serve.log &
SERVER_PID=$!
wait_for 60 curl -sf http://127.0.0.1:8514/v1/health || { cat serve.log; fail "server did not start"; }
wait_for 10 test -s data/admin.token || fail "no data/admin.token"
# The tour's first console block: commands ("$ ..." with "\" continuations) and the JSON
# lines printed after each.
python3 - "$SRC/README.md" > "$TMP/tour.tsv" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
block = text.split("## A short tour", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
cmd, cont = None, False
for line in block.splitlines():
    if cont:
        cmd += " " + line.strip().rstrip("\\").strip(); cont = line.endswith("\\"); continue
    if line.startswith("$ "):
        if cmd: print("CMD\t" + cmd)
        cmd = line[2:].rstrip("\\").strip(); cont = line.endswith("\\")
    elif line.startswith("{"):
        print("CMD\t" + cmd); cmd = None
        print("OUT\t" + line)
if cmd: print("CMD\t" + cmd)
PY
[ -s "$TMP/tour.tsv" ] || fail "no tour commands found in README.md"
last=""
while IFS=$'\t' read -r kind text; do
  if [ "$kind" = CMD ]; then
    [ "$text" = "$last" ] && continue
    last=$text
    sleep 0.5  # the server stores within its flush interval
    bash -c "$text" > "$TMP/out" 2> "$TMP/err" || fail "tour command failed: $text: $(cat "$TMP/err")"
  else
    grep -qxF "$text" "$TMP/out" || fail "tour command '$last' printed $(cat "$TMP/out"), README shows $text"
  fi
done < "$TMP/tour.tsv"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || fail "serve did not stop cleanly"
SERVER_PID=
echo "ok: the README tour runs verbatim"
