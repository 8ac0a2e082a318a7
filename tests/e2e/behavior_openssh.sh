# Behaviour scenarios over the loghub OpenSSH sample: the addresses flagged for brute force
# include every address fail2ban's stock sshd jail (maxretry 5 in 10 min) and CrowdSec's sshd
# scenarios ban on the same file (../shared/tools/behavior/run_peers.sh, their figures in
# bench/RESULTS.md), and hunting twice gives identical detections.
source "$(dirname "$0")/lib.sh"
need_corpus loghub/OpenSSH/OpenSSH_2k.log
LOG=$CORPUS/loghub/OpenSSH/OpenSSH_2k.log
"$RAMPART" hunt --json --behavior "$SRC/rules/behavior" "$LOG" > "$TMP/a.json" 2> "$TMP/a.err"
"$RAMPART" hunt --json --behavior "$SRC/rules/behavior" --threads 1 "$LOG" > "$TMP/b.json" 2> /dev/null
cmp -s "$TMP/a.json" "$TMP/b.json" || fail "a second hunt (one thread) differs"
python3 - "$TMP/a.json" <<'PY'
import json, sys
fail2ban = set("""103.99.0.122 112.95.230.3 119.4.203.64 123.235.32.19 183.62.140.253
185.190.58.151 187.141.143.180 195.154.37.122 5.188.10.180 60.2.12.12 103.207.39.16
103.207.39.212""".split())
crowdsec = set("""103.99.0.122 112.95.230.3 119.4.203.64 123.235.32.19 183.62.140.253
185.190.58.151 187.141.143.180 5.188.10.180 60.2.12.12 103.207.39.16 103.207.39.212""".split())
flagged = set()
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["rule"]["id"] in ("ssh-bruteforce-ip", "ssh-password-spraying"):
        flagged |= {e["value"] for e in d["entities"] if e["type"] == "ip"}
assert fail2ban <= flagged, ("fail2ban bans we miss", fail2ban - flagged)
assert crowdsec <= flagged, ("CrowdSec bans we miss", crowdsec - flagged)
print("ok: %d addresses flagged; all %d of fail2ban's and %d of CrowdSec's bans among them; "
      "beyond them: %s" % (len(flagged), len(fail2ban), len(crowdsec),
                           " ".join(sorted(flagged - fail2ban))))
PY
