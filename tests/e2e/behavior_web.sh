# Behaviour scenarios over generated Body Log traffic (tests/data/behavior/gen_web.py):
# distributed credential stuffing, a stolen API key and a DDoS flood are each detected, with
# their numbers; the same traffic without the attack gives no behaviour detection at all;
# hunting twice, and with one or two threads, gives identical detections.
source "$(dirname "$0")/lib.sh"
GEN="$SRC/tests/data/behavior/gen_web.py"
hunt() {  # hunt FILE OUT [threads]
  "$RAMPART" hunt --json --threads "${3:-2}" --behavior "$SRC/rules/behavior" "$1" > "$2" 2> "$2.err" ||
    { cat "$2.err"; fail "hunt failed on $1"; }
}
for kind in stuffing apikey ddos; do
  python3 "$GEN" "$kind" > "$TMP/$kind.jsonl" 2> "$TMP/$kind.facts"
  python3 "$GEN" "$kind" --benign > "$TMP/$kind-benign.jsonl" 2> /dev/null
  hunt "$TMP/$kind.jsonl" "$TMP/$kind.out"
  hunt "$TMP/$kind-benign.jsonl" "$TMP/$kind-benign.out"
  [ ! -s "$TMP/$kind-benign.out" ] || { head -3 "$TMP/$kind-benign.out"; fail "$kind: detections on benign traffic alone"; }
done
python3 - "$TMP" <<'PY'
import json, sys
from datetime import datetime
tmp = sys.argv[1]
def load(kind):
    facts = json.load(open(f"{tmp}/{kind}.facts"))
    dets = [json.loads(l) for l in open(f"{tmp}/{kind}.out")]
    return facts, dets
def t(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))

facts, dets = load("stuffing")
stuff = [d for d in dets if d["rule"]["id"] == "web-credential-stuffing"]
assert len(stuff) == 1, f"one stuffing detection expected, got {len(stuff)}"
e = stuff[0]["explanation"]
assert "url.path /login" in e and "distinct source.ip" in e and "distinct user.name" in e, e
ips = int([x for x in stuff[0]["evidence"] if x["field"] == "behavior.distinct.source.ip"][0]["value"])
assert ips >= 100, ips
assert "event.outcome:success" in e, e
per_ip = [d for d in dets if d["rule"]["id"] in ("web-bruteforce-ip",)]
print("ok: stuffing:", e[:200])

facts, dets = load("apikey")
key = [d for d in dets if d["rule"]["id"].startswith("api-key")]
assert key, "stolen key not detected"
start = t(facts["start"])
assert all(x["entities"][0]["value"] == facts["key"] for x in key), key
first = min(t(d["time"]) for d in key)
assert 0 <= (first - start).total_seconds() <= 300, (first, start)
rules = {d["rule"]["id"] for d in key}
want = {"api-key-rate-spike", "api-key-new-endpoint", "api-key-new-country", "api-key-distant-places"}
assert want <= rules, rules
country = [d for d in key if d["rule"]["id"] == "api-key-new-country"][0]["explanation"]
assert "NL" in country and "first seen with KR" in country, country
print("ok: api key:", sorted(rules), "first after", (first - start).total_seconds(), "s")

facts, dets = load("ddos")
flood = [d for d in dets if d["rule"]["id"].startswith("ddos-")]
assert flood, "flood not detected"
start = t(facts["start"])
first = min(t(d["time"]) for d in flood)
assert 0 <= (first - start).total_seconds() <= 30, (first, start)
tenant = [d for d in flood if d["rule"]["id"] == "ddos-tenant-rate"][0]
tops = [x["value"] for x in tenant["evidence"] if x["field"] == "behavior.top.source.ip"]
assert len(tops) == 10 and sum(ip.startswith("100.64.") for ip in tops) >= 8, tops
assert sum(1 for x in tenant["entities"] if x["type"] == "ip") == 10
print("ok: ddos detected", (first - start).total_seconds(), "s after it began; top sources", tops[:3])
PY
# Determinism: the same input twice, and with one thread, gives the same detections.
hunt "$TMP/apikey.jsonl" "$TMP/again.out" 2
hunt "$TMP/apikey.jsonl" "$TMP/one.out" 1
cmp -s "$TMP/apikey.out" "$TMP/again.out" || fail "a second hunt differs"
cmp -s "$TMP/apikey.out" "$TMP/one.out" || fail "one thread differs from two"
echo "ok: behaviour detections identical across runs and thread counts"
