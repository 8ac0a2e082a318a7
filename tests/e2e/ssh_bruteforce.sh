# The source addresses `rampart hunt` reports for the SSH brute-force correlation of the
# rule pack (rules/sigma/linux/sshd_failed_login.yml: >= 10 failed logins from one
# source.ip within 5 minutes) must equal the set computed here, independently, from the raw
# OpenSSH log. Same check for the password-spraying correlation of that file (>= 5 distinct
# user names from one source.ip within 10 minutes).
#
# A failed login is what the rule counts: one sshd line "Failed <method> for [invalid user]
# <user> from <ip> port <port> ssh2" per attempt. The PAM lines of the same attempt
# ("authentication failure; ... rhost=", "PAM N more authentication failures") and the
# "Invalid user" lines are not attempts of their own. Windows are sliding and inclusive:
# [t - 5m, t] (Sigma correlation semantics).
source "$(dirname "$0")/lib.sh"
need_corpus loghub/OpenSSH/OpenSSH_2k.log
"$RAMPART" --help 2>/dev/null | grep -qE '^ +hunt( |$)' || skip "$RAMPART has no 'hunt' command yet"
LOG=$CORPUS/loghub/OpenSSH/OpenSSH_2k.log
BRUTE_FORCE_ID=8e3282d1-c51e-4acd-9d6e-039d58219106  # rampart_sshd_brute_force
SPRAYING_ID=d915ed04-5327-40c5-9e87-613734dfc4eb     # rampart_sshd_password_spraying

"$RAMPART" hunt --rules "$SRC/rules/sigma" --json "$LOG" > "$TMP/hunt.jsonl" \
  || fail "rampart hunt exited with status $?"

python3 - "$LOG" "$TMP/hunt.jsonl" "$BRUTE_FORCE_ID" "$SPRAYING_ID" <<'PY'
import collections, ipaddress, json, re, sys
from datetime import datetime

log_path, hunt_path, brute_force_id, spraying_id = sys.argv[1:5]

# --- Independent computation over the raw file -------------------------------------------
MONTHS = {m: i + 1 for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
LINE = re.compile(r"^(\w{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) \S+ sshd\[\d+\]: (.*)$")
FAILED = re.compile(r"^Failed \S+ for (?:invalid user )?(.*) from (\S+) port \d+")

attempts = collections.defaultdict(list)  # ip -> [(seconds, user)]
year, last_month = 2000, 0  # the file has no year; only differences matter
for line in open(log_path, encoding="utf-8", errors="replace"):
    m = LINE.match(line.rstrip("\n"))
    if not m:
        continue
    f = FAILED.match(m.group(6))
    if not f:
        continue
    month = MONTHS[m.group(1)]
    if month < last_month:  # December -> January: the next year
        year += 1
    last_month = month
    t = datetime(year, month, int(m.group(2)), int(m.group(3)), int(m.group(4)),
                 int(m.group(5))).timestamp()
    user, ip = f.group(1), f.group(2)
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        continue  # a host name (UseDNS yes) is not a source.ip: such events never correlate
    attempts[ip].append((t, user))


def fires(events, window, enough):
    """True if some inclusive window [t - window, t] holds `enough` (count or distinct users)."""
    events.sort()
    for t, _ in events:
        # Every event at time <= t (ties included) that is not older than t - window.
        inside = [e for e in events if t - window <= e[0] <= t]
        if enough(inside):
            return True
    return False


expected_bf = {ip for ip, ev in attempts.items() if fires(ev, 300, lambda w: len(w) >= 10)}
expected_sp = {ip for ip, ev in attempts.items()
               if fires(ev, 600, lambda w: len({u.lower() for _, u in w if u}) >= 5)}

# --- What hunt reported ---------------------------------------------------------------------
got = {brute_force_id: set(), spraying_id: set()}
for n, line in enumerate(open(hunt_path, encoding="utf-8"), 1):
    if not line.strip():
        continue
    try:
        d = json.loads(line)
    except ValueError:
        sys.exit("FAIL: hunt --json line %d is not JSON: %r" % (n, line[:200]))
    rule_id = d.get("rule", {}).get("id")
    if rule_id not in got:
        continue
    if d.get("kind") != "correlation":
        sys.exit("FAIL: detection of %s has kind %r, expected correlation" % (rule_id, d.get("kind")))
    ips = [e.get("value") for e in d.get("evidence", []) if e.get("field") == "source.ip"]
    if len(ips) != 1:
        sys.exit("FAIL: correlation detection without exactly one source.ip evidence: %s" % line)
    got[rule_id].add(ips[0])

ok = True
for name, rule_id, expected in (("brute force", brute_force_id, expected_bf),
                                ("password spraying", spraying_id, expected_sp)):
    if not expected:
        sys.exit("FAIL: the independent %s computation found no source IP" % name)
    if got[rule_id] != expected:
        ok = False
        print("FAIL: %s source IPs differ" % name)
        print("  only in the raw-file computation: %s" % sorted(expected - got[rule_id]))
        print("  only in hunt's output:            %s" % sorted(got[rule_id] - expected))
if not ok:
    sys.exit(1)
print("ok: %d source IPs agree (%s)" % (len(expected_bf), ", ".join(sorted(expected_bf))))
print("ok: %d password-spraying source IPs agree (%s)" % (len(expected_sp), ", ".join(sorted(expected_sp))))
PY
