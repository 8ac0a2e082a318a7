# Rampart's own Sigma rule pack (rules/sigma) against small hand-written logs in
# tests/data/sigma_pack: the attack files must give exactly the detections in the tables
# below (per rule id), the benign files none at all. Every rule of the pack must appear in
# a table, so a new rule cannot be added without a test.
#
#   auth.log            sshd and sudo (RFC 3339 timestamps, 2026-11-27 09:00-09:50 UTC)
#   access.log          nginx combined log (10:00-10:09)
#   bodylog.jsonl       Body Log JSON lines (10:30-10:35; docs/formats/body_log.md)
#   benign_*            ordinary traffic, including near misses of the rules' patterns
#
# Correlation thresholds are tested at their edges: 10 failed logins spanning exactly 5 m
# fire, 10 spanning 5 m 1 s do not; 20 x 401 in 57 s fire, 20 x 403 over 61 s do not (and
# the same for 429);
# value_count is case-insensitive (admin/ADMIN, kim01/KIM01 count once); a success before
# the brute force is not "brute force followed by success".
source "$(dirname "$0")/lib.sh"
"$RAMPART" --help 2>/dev/null | grep -qE '^ +hunt( |$)' || skip "$RAMPART has no 'hunt' command yet"
DATA=$SRC/tests/data/sigma_pack
RULES=$SRC/rules/sigma

# The pack loads completely: no refusal, no warning.
"$RAMPART" rules check --json "$RULES" > "$TMP/check.json" || true
python3 - "$TMP/check.json" <<'PY' || { "$RAMPART" rules check -W "$RULES" || true; fail "the rule pack does not load cleanly"; }
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if r["refused"] == 0 and r["not_compiled"] == 0 and r["warnings"] == 0 and r["loaded"] > 0 else 1)
PY

# Attack files (hunt orders detections by event time, whatever the file order).
"$RAMPART" hunt --rules "$RULES" --json "$DATA/auth.log" "$DATA/access.log" "$DATA/bodylog.jsonl" \
  > "$TMP/attack.jsonl" || fail "rampart hunt (attack files) exited with status $?"
"$RAMPART" hunt --rules "$RULES" --json "$DATA/benign_auth.log" "$DATA/benign_access.log" \
  "$DATA/benign_bodylog.jsonl" > "$TMP/benign.jsonl" \
  || fail "rampart hunt (benign files) exited with status $?"

python3 - "$TMP/attack.jsonl" "$TMP/benign.jsonl" "$RULES" <<'PY'
import collections, json, os, re, sys

attack_path, benign_path, rules_dir = sys.argv[1:4]

# Detection rules: id -> (name, expected standalone detections in the attack files).
# 0 = the rule only feeds correlations (they leave `generate` false), so it must not alert.
SIGMA = {
    # linux/ (auth.log)
    "83b7b850-7009-4776-ad12-bb5045bfbc94": ("rampart_sshd_failed_login", 0),
    "cb96f4f9-2453-415f-9dee-2c1b456e5955": ("rampart_sshd_failure_signal", 0),
    "9e4f8f36-3735-4f7d-9e30-77e97b99881e": ("rampart_sshd_invalid_user", 15),
    "ece81671-130c-4401-b068-9b55db72f1c0": ("rampart_sshd_successful_login", 4),
    "6b39a5c6-cd11-4176-aa3c-77227afbf020": ("rampart_sshd_root_login", 2),
    "6146c841-0ee3-4c15-8f1b-0a6938390b84": ("rampart_sudo_auth_failure", 2),
    "e5502286-fdb8-4d43-b2c2-5fa567aa7799": ("rampart_sudo_denied", 2),
    "fcb40148-d732-4527-9ddf-e098387c0525": ("rampart_sudo_root_suspicious_command", 5),
    # web/ (access.log; bodylog.jsonl is a webserver log source too and must add nothing)
    "bb08d318-8668-49b2-830b-6803cbd36c62": ("rampart_web_sqli_uri", 4),
    "03e44988-ef00-4aed-9db2-9bcc5f88031c": ("rampart_web_xss_uri", 3),
    "5ce7f7c8-9d7e-41c6-9af8-b7723f517aea": ("rampart_web_path_traversal", 4),
    "ee51d82d-3b0a-438a-aead-05255a790941": ("rampart_web_scanner_user_agent", 9),
    "ee88b785-2104-4176-8c0f-06797e096612": ("rampart_web_sensitive_file_access", 6),
    "d6effd1d-6d78-4be2-9cd3-b1f9bc8a9c39": ("rampart_web_sensitive_file_served", 2),
    "9cd42682-0faa-42ba-83cc-1ad1496e9f89": ("rampart_web_log4shell_jndi", 4),
    "a3f59ccc-aa14-48e9-8565-cf517ca132b5": ("rampart_web_webshell_command", 4),
    "d5e323d9-1742-47d9-8a0f-c10c3f9b0d9b": ("rampart_web_auth_denied", 0),
    "5b0f6f8e-3c1d-4f0a-9a57-2f4b8de0c6a1": ("rampart_web_rate_limited", 0),
    # bodylog/ (bodylog.jsonl)
    "03b6024c-98e4-4052-9c89-ebf8e10a8719": ("rampart_bodylog_sqli", 3),
    "5b287785-ad51-4b6e-bd34-e0b89a87b327": ("rampart_bodylog_command_injection", 3),
    "495f5bac-9666-41ac-947c-3f12a9406ac1": ("rampart_bodylog_jndi", 2),
    "2faeeea4-56ab-4f97-9b75-7e980023e2ff": ("rampart_bodylog_credential_submission", 0),
}
# Correlation rules: id -> (name, source.ip values of its detections: a set when each fires
# once, a list when an address fires more than once).
CORRELATION = {
    "8e3282d1-c51e-4acd-9d6e-039d58219106": ("rampart_sshd_brute_force",
                                             {"198.51.100.10", "198.51.100.50"}),
    "d915ed04-5327-40c5-9e87-613734dfc4eb": ("rampart_sshd_password_spraying", {"198.51.100.30"}),
    # fail2ban's threshold (5 in 10 min); a firing clears the window, so 10 failures fire twice.
    "8e13e670-beae-496d-986a-f68539cfdb5b": ("rampart_sshd_repeated_failures",
                                             ["198.51.100.10", "198.51.100.10",
                                              "198.51.100.20", "198.51.100.20",
                                              "198.51.100.30", "198.51.100.30",
                                              "198.51.100.40", "198.51.100.40",
                                              "198.51.100.41", "198.51.100.41",
                                              "198.51.100.50", "198.51.100.50"]),
    "5aabfffa-319b-48a4-a695-b5b2e5f29864": ("rampart_sshd_brute_force_then_success",
                                             {"198.51.100.10"}),
    "0dc2bf45-dc35-458d-acfb-ae85462883ac": ("rampart_web_auth_denied_burst", {"203.0.113.66"}),
    "8d7e2c41-95a3-4b8e-b1f6-0c2d9e7a4f53": ("rampart_web_rate_limit_ignored", {"203.0.113.68"}),
    "9a59102b-23e3-4331-bf0f-89a0260cbb84": ("rampart_bodylog_credential_stuffing_username",
                                             {"203.0.113.80"}),
    "43e5682f-97e5-4a43-ba80-f976d4a68967": ("rampart_bodylog_credential_stuffing_user",
                                             {"203.0.113.81"}),
}

# Every rule of the pack is in a table (top-level `id:` of each YAML document).
ids = set()
for root, _, files in os.walk(rules_dir):
    for f in files:
        if f.endswith((".yml", ".yaml")):
            for line in open(os.path.join(root, f), encoding="utf-8"):
                m = re.match(r"id:\s*([0-9a-fA-F-]{36})\s*$", line)
                if m:
                    ids.add(m.group(1).lower())
missing = ids - set(SIGMA) - set(CORRELATION)
stale = (set(SIGMA) | set(CORRELATION)) - ids
if missing or stale:
    sys.exit("FAIL: rule ids not in this test's tables: %s; ids in the tables but not in the "
             "pack: %s" % (sorted(missing), sorted(stale)))


def load(path):
    out = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError:
                sys.exit("FAIL: %s line %d is not JSON: %r" % (path, n, line[:200]))
    return out


def where(d):
    """file:line of the triggering event."""
    ev = d.get("event") or {}
    path, line = ev.get("location"), ev.get("line")
    if not path or not isinstance(line, int):
        return "?"
    return "%s:%d" % (os.path.basename(path), line)


def describe(d):
    ev = ", ".join("%s=%s" % (e.get("field"), e.get("value")) for e in d.get("evidence", []))
    return "    %s %s [%s] %s" % (d.get("kind"), d.get("rule", {}).get("title"), where(d), ev[:160])


errors = []
attack = load(attack_path)
by_rule = collections.defaultdict(list)
for d in attack:
    by_rule[(d.get("rule") or {}).get("id")].append(d)

for rule_id in sorted(set(by_rule) - set(SIGMA) - set(CORRELATION), key=str):
    errors.append("detections of a rule outside the pack (%s):\n%s" % (
        rule_id, "\n".join(describe(d) for d in by_rule[rule_id][:10])))

for rule_id, (name, want) in sorted(SIGMA.items(), key=lambda x: x[1][0]):
    got = by_rule.get(rule_id, [])
    wrong_kind = [d for d in got if d.get("kind") != "sigma"]
    if len(got) != want or wrong_kind:
        errors.append("%s (%s): %d detections, expected %d%s\n%s" % (
            name, rule_id, len(got), want, " (some not of kind sigma)" if wrong_kind else "",
            "\n".join(describe(d) for d in got)))

for rule_id, (name, want_ips) in sorted(CORRELATION.items(), key=lambda x: x[1][0]):
    got = by_rule.get(rule_id, [])
    ips = []
    for d in got:
        ips += [e.get("value") for e in d.get("evidence", []) if e.get("field") == "source.ip"]
    if (any(d.get("kind") != "correlation" for d in got) or len(got) != len(want_ips)
            or sorted(ips) != sorted(want_ips)):
        errors.append("%s (%s): source.ip %s in %d detections, expected %s\n%s" % (
            name, rule_id, sorted(ips), len(got), sorted(want_ips),
            "\n".join(describe(d) for d in got)))

benign = load(benign_path)
if benign:
    errors.append("the benign files raised %d detections:\n%s" % (
        len(benign), "\n".join(describe(d) for d in benign)))

if errors:
    for e in errors:
        print("FAIL: " + e)
    sys.exit(1)
print("ok: %d detections from %d rules and %d correlations as expected; benign files raise "
      "nothing" % (len(attack), len(SIGMA), len(CORRELATION)))
PY
