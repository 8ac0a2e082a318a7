# Failed authentications per source IP, as `rampart search` counts them, must equal an
# independent count over the raw OpenSSH log done here with awk.
source "$(dirname "$0")/lib.sh"
need_corpus loghub/OpenSSH/OpenSSH_2k.log
LOG=$CORPUS/loghub/OpenSSH/OpenSSH_2k.log

"$RAMPART" ingest --quiet --data "$TMP/data" "$LOG"
"$RAMPART" search --data "$TMP/data" --csv \
  'event.category:authentication AND event.outcome:failure | count by source.ip' \
  | tail -n +2 | tr -d '"\r' | awk -F, '{ ip = ($1 == "" ? "(none)" : $1); print ip, $2 }' \
  | sort > "$TMP/ours.txt"

# Independent classification of sshd/pam failure lines, written from the message texts.
awk '
  / sshd\[[0-9]+\]: / {
    msg = $0; sub(/^.* sshd\[[0-9]+\]: /, "", msg); ip = "";
    # rsyslog folds repeats: "message repeated N times: [ MSG]" is one event of MSG.
    if (msg ~ /^message repeated [0-9]+ times: \[ ?/) { sub(/^message repeated [0-9]+ times: \[ ?/, "", msg); sub(/\]$/, "", msg); }
    if (msg ~ /^Failed [^ ]+ for / || msg ~ /^Invalid user / ||
        msg ~ /^error: maximum authentication attempts exceeded for / ||
        msg ~ /^(error: )?Received disconnect from .*: Auth fail/) {
      if (match(msg, / from [0-9a-fA-F:.]+/)) { ip = substr(msg, RSTART + 6, RLENGTH - 6); sub(/:$/, "", ip); }
    } else if (msg ~ /^input_userauth_request: invalid user / || msg ~ /check pass; user unknown/ ||
               msg ~ /^Disconnecting: Too many authentication failures/) {
      ip = "(none)";
    } else if (msg ~ /authentication failure;/ || msg ~ /more authentication failures;/) {
      ip = "(none)";
      if (match(msg, /rhost=[0-9.]+( |$)/)) { ip = substr(msg, RSTART + 6, RLENGTH - 6); sub(/ $/, "", ip); }
    } else next;
    n[ip]++;
  }
  END { for (ip in n) print ip, n[ip] }' "$LOG" | sort > "$TMP/expected.txt"

if ! diff -u "$TMP/expected.txt" "$TMP/ours.txt"; then
  fail "failed-authentication counts per source.ip differ from the raw file"
fi
echo "ok: $(wc -l < "$TMP/expected.txt") source IPs, $(awk '{s+=$2} END {print s}' "$TMP/expected.txt") failures agree"
