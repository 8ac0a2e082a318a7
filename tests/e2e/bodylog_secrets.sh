# After ingesting the Body Log sample, no secret from sample.secrets, raw or URL-encoded,
# occurs in any file under the data directory (databases, WAL and key files included).
source "$(dirname "$0")/lib.sh"
need_corpus bodylog/sample.jsonl
"$RAMPART" ingest --quiet --data "$TMP/data" "$CORPUS/bodylog/sample.jsonl"
# Make sure the WAL is on disk as well as the main file: search reads while WAL exists.
"$RAMPART" search --data "$TMP/data" --csv '* | count' | tr -d '\r' | tail -1 | grep -qx 200 \
  || fail "expected 200 events"

python3 - "$CORPUS/bodylog/sample.secrets" "$TMP/data" <<'PY'
import os, sys, urllib.parse
secrets = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
forms = set()
for s in secrets:
    forms.add(s)
    forms.add(urllib.parse.quote(s, safe=""))
    forms.add(urllib.parse.quote_plus(s, safe=""))
    forms.add(urllib.parse.quote(s, safe="").lower())
    forms.add(urllib.parse.quote(s))
blobs = []
for root, _, files in os.walk(sys.argv[2]):
    for f in files:
        p = os.path.join(root, f)
        blobs.append((p, open(p, "rb").read()))
found = []
for form in sorted(forms):
    b = form.encode("utf-8")
    for p, data in blobs:
        if b in data:
            found.append((form, p))
if found:
    for form, p in found[:20]:
        print("LEAK:", repr(form), "in", p)
    sys.exit(1)
print("ok: %d secrets (%d forms) absent from %d files" % (len(secrets), len(forms), len(blobs)))
PY
