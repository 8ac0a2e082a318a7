# One malformed record in each format is dead-lettered with a reason, counted in the
# summary, and the good records around it are stored.
source "$(dirname "$0")/lib.sh"
D=$TMP/in; mkdir -p "$D"
cat > "$D/access.log" <<'X'
10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl"
10.0.0.2 - - [20/Nov/2026:10:00:01 +0000] "GET / HTTP/1.1" twohundred 5 "-" "curl"
10.0.0.3 - - [20/Nov/2026:10:00:02 +0000] "GET /x HTTP/1.1" 404 5 "-" "curl"
X
cat > "$D/body.jsonl" <<'X'
{"time":"2026-11-20T10:00:00Z","remote_addr":"10.0.0.1","method":"POST","uri":"/login","status":200,"request_body":"user=a&password=hunter2hunter2"}
{"time":"2026-11-20T10:00:01Z","remote_addr":"10.0.0.1","method":"POST","uri":"/login","status":200,"request_body":"user=b&password=letmein-please
{"time":"2026-11-20T10:00:02Z","remote_addr":"10.0.0.2","method":"GET","uri":"/","status":200}
X
cat > "$D/auth.log" <<'X'
Nov 20 10:00:00 host sshd[1]: Failed password for root from 10.0.0.9 port 22 ssh2
<34>this is not a syslog header at all
Nov 20 10:00:02 host sshd[1]: Accepted password for bob from 10.0.0.8 port 22 ssh2
X
cat > "$D/app.jsonl" <<'X'
{"ts":"2026-11-20T10:00:00Z","msg":"ok"}
[1,2,3
{"ts":"2026-11-20T10:00:02Z","msg":"ok too"}
X
cat > "$D/win.jsonl" <<'X'
{"EventID":4625,"Channel":"Security","Provider_Name":"Microsoft-Windows-Security-Auditing","Computer":"WS1","TimeCreated":"2026-11-20T10:00:00Z","TargetUserName":"admin"}
{"Channel":"Security","Computer":"WS1","TimeCreated":"2026-11-20T10:00:01Z"}
{"EventID":4624,"Channel":"Security","Provider_Name":"Microsoft-Windows-Security-Auditing","Computer":"WS1","TimeCreated":"2026-11-20T10:00:02Z","TargetUserName":"admin"}
X
for spec in access:access.log bodylog:body.jsonl syslog:auth.log json:app.jsonl windows:win.jsonl; do
  fmt=${spec%%:*}; file=${spec#*:}
  "$RAMPART" ingest --data "$TMP/data" --format "$fmt" "$D/$file" 2> "$TMP/$fmt.txt" \
    || fail "$fmt: ingest failed: $(cat "$TMP/$fmt.txt")"
  grep -q '^ingested 2 events' "$TMP/$fmt.txt" || fail "$fmt: $(cat "$TMP/$fmt.txt")"
  grep -q '^dead-lettered: 1$' "$TMP/$fmt.txt" || fail "$fmt: $(cat "$TMP/$fmt.txt")"
done
rows=$(for db in "$TMP"/data/tenants/default/*.db; do
  sqlite3 -separator ' | ' "$db" 'SELECT format, reason FROM dead_letters'; done | sort)
echo "$rows"
[ "$(echo "$rows" | wc -l)" = 5 ] || fail "expected 5 dead letters"
for fmt in access bodylog syslog json windows; do
  echo "$rows" | grep -q "^$fmt | ." || fail "no dead letter with a reason for $fmt"
done
# The dead-lettered body's password is masked too.
if grep -rqa 'letmein-please' "$TMP/data"; then fail "dead letter kept a password"; fi
echo "ok: each format dead-letters its malformed record with a reason"
