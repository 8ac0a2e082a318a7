#!/usr/bin/env bash
# Web-attack detection, speed and memory (issue 15):
#   bench/web_bench.sh RAMPART [OUT_DIR]
# RAMPART: the rampart binary (or a build directory holding one). OUT_DIR (optional): where
# the report (web-bench.md) and the saved endpoint models are kept; by default they live in
# the temporary directory and go with it.
#
# Inputs (all deterministic):
# - the OWASP CRS regression corpus (../shared/corpora/web/crs-regression.jsonl, 2,396
#   requests) as Body Log lines (../shared/tools/web/corpus_to_bodylog.py), repeated
#   WEB_BENCH_CRS_REPEAT (20) times for Rampart so that matching, not the rule-pack compile,
#   dominates its time;
# - WEB_BENCH_BENIGN_N (20,000) generated benign requests (tests/data/web/gen_benign.py);
# - for the endpoint model: tests/data/web/gen_api.py --mode learn (20,000 requests, a
#   13-endpoint API), and a synthetic API of WEB_BENCH_ENDPOINTS (2,000) endpoints with
#   WEB_BENCH_PER_ENDPOINT (220) clean requests each (2xx, browser user agent, 3-6 typed
#   parameters), generated below.
#
# Rampart: `taskset -c 0 rampart hunt -j1 --json --web-rules rules/web -q FILE > /dev/null`
# under `/usr/bin/time -f '%U %S %M'`: user + sys CPU seconds and peak RSS, best (least CPU)
# of WEB_BENCH_RUNS (3) runs. Every start compiles the rule pack (~3.4 s); that is measured on
# an empty input and subtracted: requests per CPU-second = requests / (cpu - cpu_compile).
# ModSecurity 3 + CRS 3.3.4 at PL1 (../shared/tools/web/modsec/run.sh CORPUS 1, one core,
# only the transaction loop timed) on the original CRS corpus and on the same benign set
# converted to the corpus format, in the same run. Target (issue 15): Rampart >= 20x
# ModSecurity in requests per CPU-second.
#
# Memory of the endpoint model: peak RSS of the same hunt with and without `--web-model`
# (learning from an empty model), and of loading the saved model over an empty input
# against the compile-only run. Both differences divided by the endpoint count are
# estimates (RSS is counted in pages, and the allocator keeps what it freed), not the
# model's own byte count.
#
# Exit 77 (skipped) when ../shared is absent. Markdown on stdout (and OUT_DIR/web-bench.md).
set -euo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: bench/web_bench.sh RAMPART [OUT_DIR]" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=$ROOT/../shared
CRS_CORPUS=$SHARED/corpora/web/crs-regression.jsonl
if [ ! -f "$CRS_CORPUS" ] || [ ! -x "$SHARED/tools/web/modsec/run.sh" ]; then
  echo "web_bench: skipped: $SHARED (the CRS corpus and the ModSecurity baseline) is absent" >&2
  exit 77
fi
BIN=$1
[ -d "$BIN" ] && BIN=$BIN/rampart
[ -x "$BIN" ] || { echo "web_bench: $BIN is not an executable rampart" >&2; exit 2; }
RUNS=${WEB_BENCH_RUNS:-3}
CRS_REPEAT=${WEB_BENCH_CRS_REPEAT:-20}
BENIGN_N=${WEB_BENCH_BENIGN_N:-20000}
ENDPOINTS=${WEB_BENCH_ENDPOINTS:-2000}
PER_ENDPOINT=${WEB_BENCH_PER_ENDPOINT:-220}
for tool in /usr/bin/time taskset python3; do
  command -v "$tool" >/dev/null || { echo "web_bench: $tool missing (Debian: time, util-linux, python3)" >&2; exit 2; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rampart-web-bench.XXXXXX")
MON=
cleanup() {
  set +e
  if [ -n "$MON" ]; then kill "$MON" 2>/dev/null; wait "$MON" 2>/dev/null; fi
  [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$TMP"
}
trap cleanup EXIT
if [ $# -ge 2 ]; then
  mkdir -p "$2"
  OUT=$(cd "$2" && pwd)
else
  OUT=$TMP/out
  mkdir -p "$OUT"
fi
cp "$BIN" "$TMP/rampart"  # a rebuild under a running benchmark changes nothing
RAMPART=$TMP/rampart
cd "$ROOT"  # the commands name rules/web relative to the repository
# Other work on the machine skews every figure: count compilers once a second while we run.
( while sleep 1; do pgrep -xc cc1plus || true; done > "$TMP/busy.txt" ) &
MON=$!
busy() { awk '$1 > 0 {b++} END {printf "%d of %d one-second samples", b, NR}' "$TMP/busy.txt"; }
log() { echo "web_bench: $*" >&2; }

# ---------------------------------------------------------------- inputs
log "generating inputs in $TMP"
python3 "$SHARED/tools/web/corpus_to_bodylog.py" "$CRS_CORPUS" > "$TMP/crs.jsonl"
for _ in $(seq "$CRS_REPEAT"); do cat "$TMP/crs.jsonl"; done > "$TMP/crs-x$CRS_REPEAT.jsonl"
python3 tests/data/web/gen_benign.py --n "$BENIGN_N" > "$TMP/benign.jsonl"
python3 tests/data/web/gen_api.py --mode learn > "$TMP/api-learn.jsonl"
: > "$TMP/empty.jsonl"

# The benign Body Log lines in the corpus format modsec_replay reads.
cat > "$TMP/bodylog_to_corpus.py" <<'PY'
"""Body Log lines -> corpus lines {id, method, uri, version, headers{}, body, label, class}.
Headers: the Body Log's named header keys and every http_<name> key (http_accept_language ->
Accept-Language); empty values are headers nginx did not see. Content-Length is added for a
non-empty body (the client sent it; nginx does not log it as a header)."""
import json, sys
NAMED = {"host": "Host", "user_agent": "User-Agent", "referer": "Referer",
         "content_type": "Content-Type", "cookie": "Cookie", "authorization": "Authorization",
         "x_api_key": "X-Api-Key", "x_forwarded_for": "X-Forwarded-For"}
for i, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    r = json.loads(line)
    headers = {}
    for k, v in r.items():
        name = NAMED.get(k) or ("-".join(w.capitalize() for w in k[5:].split("_"))
                                if k.startswith("http_") else None)
        if name and v not in ("", None):
            headers[name] = str(v)
    body = r.get("request_body") or ""
    if body:
        headers["Content-Length"] = str(len(body.encode("utf-8")))
    print(json.dumps({"id": r.get("request_id") or f"line-{i + 1}", "method": r.get("method") or "GET",
                      "uri": r.get("uri") or "/", "version": r.get("protocol") or "HTTP/1.1",
                      "headers": headers, "body": body, "label": "benign", "class": "none"},
                     ensure_ascii=False))
PY
BENIGN_CORPUS=$TMP/web-bench-benign-$BENIGN_N.jsonl
python3 "$TMP/bodylog_to_corpus.py" "$TMP/benign.jsonl" > "$BENIGN_CORPUS"

# A synthetic API: ENDPOINTS endpoints (one host; GET /api/<name>/items/{num} with a query,
# or POST /api/<name>/items with a JSON body; <name> is letters only, so it stays literal in
# the template), each with its own 3-6 typed parameters, PER_ENDPOINT requests each, round
# robin, all 200/201 from browser clients (a request with any rule hit is not learned).
cat > "$TMP/gen_endpoints.py" <<'PY'
import json, random, sys, datetime
sys.path.insert(0, sys.argv[1])
import _bodylog as bl
n_ep, per = int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(20261207)
pool = bl.ClientPool(rng, 300, "browser")
WORDS = ["red", "blue", "green", "small", "large", "cotton", "winter", "summer", "classic", "basic"]
SORTS = ["newest", "price_asc", "price_desc", "popular"]
def letters(i):
    s = ""
    for _ in range(4):
        s = chr(97 + i % 26) + s
        i //= 26
    return s
TYPES = {
    "int": lambda r: r.randrange(1, 999999), "small": lambda r: r.randrange(1, 50),
    "uuid": lambda r: bl.uuid4(r), "date": lambda r: f"2026-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}",
    "bool": lambda r: r.random() < 0.5, "hex": lambda r: bl.hexstr(r, 16),
    "email": lambda r: f"user{r.randrange(1, 9999)}@example.com", "word": lambda r: r.choice(WORDS),
    "enum": lambda r: r.choice(SORTS),
}
NAMES = ["page", "limit", "id", "ref", "since", "until", "active", "code", "email", "name", "sort",
         "color", "qty", "owner", "region", "flag", "token_hex", "updated", "count", "label"]
eps = []
for i in range(n_ep):
    er = random.Random(i)
    params = [(n, er.choice(list(TYPES))) for n in er.sample(NAMES, 3 + i % 4)]
    eps.append((letters(i), "GET" if i % 2 == 0 else "POST", params))
clock = bl.Clock(rng, bl.start_time(), mean_gap=0.01)
out = sys.stdout
k = 0
for _ in range(per):
    for name, method, params in eps:
        k += 1
        c = pool.pick()
        values = [(n, TYPES[t](rng)) for n, t in params]
        if method == "GET":
            uri = bl.with_query(f"/api/{name}/items/{rng.randrange(1, 99999)}",
                                [(n, str(v).lower() if isinstance(v, bool) else v) for n, v in values])
            rec = bl.make_line(rng, time=clock.tick(), client=c, host="api.bench.test", method="GET",
                               uri=uri, status=200, accept="application/json",
                               cookie=c.cookie(rng, full=False), request_id=f"ep-{k}")
        else:
            rec = bl.make_line(rng, time=clock.tick(), client=c, host="api.bench.test", method="POST",
                               uri=f"/api/{name}/items", status=201, accept="application/json",
                               content_type="application/json", body=json.dumps(dict(values)),
                               cookie=c.cookie(rng, full=False), request_id=f"ep-{k}")
        out.write(bl.dumps(rec) + "\n")
PY
EP_SET=$TMP/endpoints-$ENDPOINTS.jsonl
python3 "$TMP/gen_endpoints.py" "$ROOT/tests/data/web" "$ENDPOINTS" "$PER_ENDPOINT" > "$EP_SET"

lines() { wc -l < "$1" | tr -d ' '; }
N_CRS=$(lines "$TMP/crs.jsonl")
N_CRSX=$(lines "$TMP/crs-x$CRS_REPEAT.jsonl")
N_BENIGN=$(lines "$TMP/benign.jsonl")
N_API=$(lines "$TMP/api-learn.jsonl")
N_EP=$(lines "$EP_SET")
mb() { python3 -c "import os, sys; print(f'{os.path.getsize(sys.argv[1]) / 1e6:.1f} MB')" "$1"; }

# ---------------------------------------------------------------- Rampart
HUNT=(taskset -c 0 "$RAMPART" hunt -j1 --json --web-rules rules/web)
# timed NAME CMD...: one run; appends "cpu rss" to $TMP/NAME.runs (stdout discarded,
# stderr to $TMP/NAME.stderr).
timed() {
  local name=$1; shift
  /usr/bin/time -f '%U %S %M' -o "$TMP/time.txt" "$@" > /dev/null 2> "$TMP/$name.stderr" || {
    echo "web_bench: failed: $*" >&2; cat "$TMP/$name.stderr" >&2; exit 1; }
  awk '{printf "%.2f %d\n", $1 + $2, $3}' "$TMP/time.txt" >> "$TMP/$name.runs"
}
# Alternate the inputs so that a slow spell of the machine does not hit one of them only.
for r in $(seq "$RUNS"); do
  log "rampart, run $r of $RUNS"
  timed compile "${HUNT[@]}" -q "$TMP/empty.jsonl"
  timed crs "${HUNT[@]}" -q "$TMP/crs-x$CRS_REPEAT.jsonl"
  timed benign "${HUNT[@]}" -q "$TMP/benign.jsonl"
done
timed crs-once "${HUNT[@]}" -q "$TMP/crs.jsonl"  # peak RSS only

# ---------------------------------------------------------------- ModSecurity
MODSEC_W=${TMPDIR:-/tmp}/modsec-baseline  # where run.sh keeps its results
modsec() {  # modsec NAME CORPUS: run.sh's output in $TMP/modsec-NAME.txt
  log "ModSecurity + CRS PL1 on $(basename "$2")"
  "$SHARED/tools/web/modsec/run.sh" "$2" 1 > "$TMP/modsec-$1.txt" 2>&1 || {
    cat "$TMP/modsec-$1.txt" >&2; echo "web_bench: the ModSecurity baseline failed" >&2; exit 1; }
  cp "$MODSEC_W/$(basename "$2" .jsonl).pl1.summary.json" "$TMP/modsec-$1.summary.json"
}
modsec crs "$CRS_CORPUS"
modsec benign "$BENIGN_CORPUS"
modsec_rate() { sed -n 's/.* \([0-9][0-9]*\) requests\/CPU-s$/\1/p' "$TMP/modsec-$1.txt" | head -1; }
modsec_hwm() { python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['vmhwm_kb'].split()[0])" "$TMP/modsec-$1.summary.json"; }
modsec_line() { grep '^ModSecurity+CRS:' "$TMP/modsec-$1.txt" | sed 's/^ModSecurity+CRS: //'; }

# ---------------------------------------------------------------- endpoint model
# model NAME INPUT: learn a fresh model on INPUT (OUT/model-NAME.txt), the same hunt without
# the model, then load the saved model over an empty input (saved back: compared bytewise).
model() {
  local name=$1 input=$2 file=$OUT/model-$1.txt
  log "endpoint model on $(basename "$input")"
  rm -f "$file"
  timed "$name-plain" "${HUNT[@]}" -q "$input"
  timed "$name-model" "${HUNT[@]}" --web-model "$file" "$input"
  cp "$file" "$TMP/$name-saved.txt"
  timed "$name-load" "${HUNT[@]}" --web-model "$file" "$TMP/empty.jsonl"
}
model api "$TMP/api-learn.jsonl"
model synthetic "$EP_SET"

# ---------------------------------------------------------------- report
report() {
python3 - "$TMP" "$OUT" <<PY
import os, sys
tmp, out = sys.argv[1], sys.argv[2]
def runs(name):
    return [tuple(float(x) for x in l.split()) for l in open(f"{tmp}/{name}.runs")]
def best(name): return min(c for c, _ in runs(name))
def peak(name): return int(max(r for _, r in runs(name)))
def all_(name): return " / ".join(f"{c:.2f}" for c, _ in runs(name))
def mib(kb): return f"{kb / 1024:.0f} MiB"
g = lambda n: f"{n:,.0f}"
compile_s = best("compile")
print("## Web detection: speed and memory")
print()
print("Command: \`bench/web_bench.sh RAMPART\` (commit $(git -C "$ROOT" rev-parse --short HEAD), "
      "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores, "
      f"load average {open('/proc/loadavg').read().split()[0]} at the end)")
print()
print("Compilers (cc1plus) running during the run: in $(busy).")
print()
print("Inputs (deterministic), in the run's temporary directory:")
print()
print("\`\`\`sh")
print("python3 ../shared/tools/web/corpus_to_bodylog.py ../shared/corpora/web/crs-regression.jsonl > crs.jsonl   # $N_CRS requests")
print("for i in \$(seq $CRS_REPEAT); do cat crs.jsonl; done > crs-x$CRS_REPEAT.jsonl   # $N_CRSX requests, $(mb "$TMP/crs-x$CRS_REPEAT.jsonl")")
print("python3 tests/data/web/gen_benign.py --n $BENIGN_N > benign.jsonl   # $N_BENIGN requests, $(mb "$TMP/benign.jsonl")")
print("bodylog_to_corpus.py benign.jsonl > web-bench-benign-$BENIGN_N.jsonl   # for ModSecurity (in bench/web_bench.sh)")
print("python3 tests/data/web/gen_api.py --mode learn > api-learn.jsonl   # $N_API requests")
print("gen_endpoints.py tests/data/web $ENDPOINTS $PER_ENDPOINT > endpoints-$ENDPOINTS.jsonl   # $N_EP requests, $(mb "$EP_SET") (in bench/web_bench.sh)")
print(": > empty.jsonl")
print("\`\`\`")
print()
print("### Requests per CPU-second, one core")
print()
print("Rampart (rule pack rules/web, default paranoia 2, threshold 5): "
      "\`taskset -c 0 rampart hunt -j1 --json --web-rules rules/web -q FILE > /dev/null\` under "
      "\`/usr/bin/time -f '%U %S %M'\`, user + sys CPU, best of $RUNS (all runs in brackets), minus "
      "the same on empty.jsonl (the compile of the pack, paid once per start). ModSecurity 3.0.9 + "
      "CRS 3.3.4 at PL1: \`../shared/tools/web/modsec/run.sh CORPUS 1\` (one core, rules loaded "
      "before the timed loop; CORPUS: crs-regression.jsonl, web-bench-benign-$BENIGN_N.jsonl).")
print()
print(f"Rule-pack compile (empty.jsonl): **{compile_s:.2f} CPU-s** ({all_('compile')}), "
      f"peak RSS {mib(peak('compile'))}.")
print()
print("| input | Rampart requests | Rampart CPU-s (runs) | Rampart − compile | **Rampart req/CPU-s** | "
      "ModSecurity requests | **ModSecurity req/CPU-s** | **ratio** (target ≥ 20) | Rampart peak RSS | ModSecurity peak RSS |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
rows = [("CRS regression", "crs", $N_CRSX, " (×$CRS_REPEAT)", $N_CRS, "$(modsec_rate crs)", $(modsec_hwm crs)),
        ("generated benign", "benign", $N_BENIGN, "", $N_BENIGN, "$(modsec_rate benign)", $(modsec_hwm benign))]
for label, name, n, rep, n_ms, ms_rate, ms_hwm in rows:
    net = best(name) - compile_s
    rate = n / net if net > 0 else float("nan")
    ms = float(ms_rate)
    ratio = rate / ms if ms > 0 else float("nan")
    print(f"| {label} | {g(n)}{rep} | {best(name):.2f} ({all_(name)}) | {net:.2f} | **{g(rate)}** | "
          f"{g(n_ms)} | **{g(ms)}** | **{ratio:.1f}×** {'met' if ratio >= 20 else 'NOT met'} | "
          f"{mib(peak(name))} | {mib(ms_hwm)} |")
print()
print("ModSecurity's detection on the same inputs (run.sh): CRS regression: $(modsec_line crs); "
      "generated benign: $(modsec_line benign).")
print()
print("Rampart's peak RSS on the CRS input grows with the detections \`hunt\` keeps for its "
      f"timeline (most CRS requests are attacks): the corpus once ($N_CRS requests) peaks at "
      f"{mib(peak('crs-once'))}.")
print()
print("### Memory of the endpoint model")
print()
print("Learning from an empty model: \`taskset -c 0 rampart hunt -j1 --json --web-rules rules/web "
      "--web-model model-NAME.txt FILE > /dev/null\` against the same hunt without \`--web-model\` "
      "(with -q); then the saved model loaded over empty.jsonl (\`... --web-model model-NAME.txt empty.jsonl\`, "
      "which saves it again). One run each. **Memory per endpoint is an estimate**: the difference of "
      "the two peak RSS divided by the endpoints learned (RSS counts pages; the allocator keeps "
      "what it freed, so part of the model can sit in heap the rule-pack compile freed, and the "
      "estimate is rather low than high; with a dozen endpoints it is below RSS's resolution).")
print()
print("| input | requests | endpoints in the model (detecting: ≥ 200 learned) | reloaded | model file | file bytes per endpoint | **model heap bytes per endpoint (counted)** | peak RSS without → with model | RSS per endpoint (estimate) | peak RSS, saved model loaded over empty.jsonl | save → load → save |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
loaded_peaks = []
for label, name, n in (("gen_api.py --mode learn", "api", $N_API),
                       ("synthetic, $ENDPOINTS endpoints × $PER_ENDPOINT", "synthetic", $N_EP)):
    def endpoints(run):
        e, b = 0, 0
        for l in open(f"{tmp}/{run}.stderr"):
            if l.startswith("web model: "):
                e = int(l.split()[2])
                b = int(l.split()[4].replace(",", ""))  # "N endpoints, B bytes in memory"
        return e, b
    (e, model_bytes), (e_load, _) = endpoints(f"{name}-model"), endpoints(f"{name}-load")
    saved = open(f"{tmp}/{name}-saved.txt", "rb").read()
    resaved = open(f"{out}/model-{name}.txt", "rb").read()
    detecting = sum(1 for l in saved.split(b"\n") if l.startswith(b"endpoint ") and int(l.split()[1]) >= 200)
    plain, with_, loaded = peak(f"{name}-plain"), peak(f"{name}-model"), peak(f"{name}-load")
    loaded_peaks.append(loaded)
    per = f"{(with_ - plain) * 1024 / e:,.0f} B" if e else "n/a"
    same = "byte-identical" if saved == resaved else f"DIFFERS ({len(saved):,} → {len(resaved):,} B)"
    print(f"| {label} | {g(n)} | {e:,} ({detecting:,}) | {e_load:,} | {len(saved):,} B | "
          f"{len(saved) / e if e else 0:,.0f} B | **{model_bytes / e if e else 0:,.0f} B** | "
          f"{mib(plain)} → {mib(with_)} | {per} | {mib(loaded)} | {same} |")
if max(loaded_peaks) <= peak("compile") + 1024:
    print()
    print(f"Loading a saved model peaks no higher than the compile alone ({mib(peak('compile'))}): the "
          "model is read after the compile has freed its memory, so peak RSS cannot show a loaded "
          "model's size; the learning runs above are the estimate.")
PY
}
report | tee "$OUT/web-bench.md"
