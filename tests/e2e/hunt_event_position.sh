# Issue 13, defect 16: a hunted detection says where its event starts. event.line is the
# record's line and event.first_byte its first byte, so a user jumping there lands on the
# record itself (event.offset, the byte just past it, is where the next one starts). Blank
# lines, CRLF line ends and a last line without an end of line must not shift either.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || fail "python3 missing (scripts/install-deps installs it)"
rec() {
  printf '{"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "TimeCreated": "2024-01-01T00:00:0%sZ", "Image": "C:\\\\x\\\\%s.exe"}' "$1" "$2"
}
{
  rec 1 other; printf '\n'
  printf '\n   \n'                 # blank lines (lines 2 and 3) carry no record
  rec 2 whoami; printf '\r\n'       # line 4, CRLF
  rec 3 other; printf '\n'
  rec 4 whoami                      # line 6, no end of line
} >"$TMP/in.jsonl"
mkdir -p "$TMP/rules"
cat >"$TMP/rules/whoami.yml" <<'YAML'
{title: Whoami, logsource: {product: windows, category: process_creation},
 detection: {sel: {Image|endswith: '\whoami.exe'}, condition: sel}}
YAML
"$RAMPART" hunt -q --format windows --json --rules "$TMP/rules" "$TMP/in.jsonl" >"$TMP/out.jsonl" \
  2>"$TMP/err" || fail "hunt failed: $(cat "$TMP/err")"
python3 - "$TMP/in.jsonl" "$TMP/out.jsonl" <<'PY' || exit 1
import json, sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")
hits = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
if len(hits) != 2:
    sys.exit("FAIL: expected 2 detections, got %d" % len(hits))
expected = [(4, b"02Z"), (6, b"04Z")]
for d, (line, stamp) in zip(hits, expected):
    ev = d["event"]
    if ev.get("line") != line:
        sys.exit("FAIL: line %r, expected %d: %r" % (ev.get("line"), line, ev))
    first = ev.get("first_byte")
    record = data[first:].split(b"\n")[0].rstrip(b"\r")
    if record != lines[line - 1].rstrip(b"\r") or stamp not in record:
        sys.exit("FAIL: first_byte %r does not start the record: %r" % (first, record[:80]))
    if first > 0 and data[first - 1:first] != b"\n":
        sys.exit("FAIL: first_byte %r is not at the start of a line" % first)
    end = ev.get("offset")
    if data[first:end].rstrip(b"\r\n") != record:
        sys.exit("FAIL: offset %r is not just past the record" % end)
print("ok: detections at lines 4 and 6 point at their records")
PY
