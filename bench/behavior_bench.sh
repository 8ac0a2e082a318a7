#!/usr/bin/env bash
# Behaviour detection, speed and memory (issue 16):
#   bench/behavior_bench.sh RAMPART [OUT_DIR]
# RAMPART: the rampart binary (or a build directory holding one). OUT_DIR (optional): where the
# report (behavior-bench.md) and the peers' raw outputs are kept; by default a temporary
# directory.
#
# In one run:
# 1. The peers, replayed offline by ../shared/tools/behavior/run_peers.sh (installs them from
#    Debian): fail2ban-regex with the stock sshd filter and CrowdSec 1.4.6 with its sshd
#    scenarios, over OpenSSH_2k and the 1M-line sshd log make_ssh_1m.py builds from it (500
#    shifted copies). Their lines per CPU-second come from their results.tsv.
# 2. Rampart with every shipped scenario (rules/behavior) over the same 1M-line log:
#    `rampart hunt --json --behavior rules/behavior FILE > /dev/null` under
#    `/usr/bin/time -f '%e %U %S %M'`, the least-CPU of BEHAVIOR_BENCH_RUNS (3) runs; lines per
#    CPU-second (user + sys, both threads) and per wall second, peak RSS. Targets: >= 20x
#    fail2ban-regex and >= 100x CrowdSec in lines per CPU-second.
# 3. A 1M-line nginx access log (bench/gen_access_log.py) with every scenario: lines/s, RSS.
# 4. Memory per tracked entity at 1M entities: bench/gen_ssh_entities.py writes one failed
#    login from each of 1,000,000 addresses within an hour; the hunt's summary gives the entity
#    states held and their bytes (the engine's own count: tables and report sketches), and peak
#    RSS is compared with a hunt without scenarios. Target: <= 300 B per entity state.
#
# Exit 77 (skipped) when ../shared is absent. Markdown on stdout (and OUT_DIR/behavior-bench.md).
set -euo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: bench/behavior_bench.sh RAMPART [OUT_DIR]" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=$ROOT/../shared
PEERS=$SHARED/tools/behavior/run_peers.sh
if [ ! -x "$PEERS" ] || [ ! -f "$SHARED/corpora/loghub/OpenSSH/OpenSSH_2k.log" ]; then
  echo "behavior_bench: skipped: $SHARED (run_peers.sh and the OpenSSH sample) is absent" >&2
  exit 77
fi
BIN=$1
[ -d "$BIN" ] && BIN=$BIN/rampart
[ -x "$BIN" ] || { echo "behavior_bench: $BIN is not an executable rampart" >&2; exit 2; }
RUNS=${BEHAVIOR_BENCH_RUNS:-3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rampart-behavior-bench.XXXXXX")
cleanup() { [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$TMP"; }
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
cd "$ROOT"
log() { echo "behavior_bench: $*" >&2; }

# ---------------------------------------------------------------- 1. the peers
log "peers: run_peers.sh (fail2ban-regex, CrowdSec) over OpenSSH_2k and 1M lines; minutes"
WORK=$OUT/peers SKIP_1M=0 bash "$PEERS" > "$OUT/peers.txt" 2>&1 || { cat "$OUT/peers.txt" >&2; exit 1; }
RES=$OUT/peers/results.tsv
SSH1M=$OUT/peers/OpenSSH_1M.log
peer() { awk -F'\t' -v t="$1" -v i="$2" '$1 == t && $2 == i { print $'"$3"' }' "$RES"; }

# ---------------------------------------------------------------- 2-4. Rampart
# best FILE ARGS...: the least-CPU run -> "wall cpu rss_kb" (stderr of the last run in $TMP/err)
best() {
  local file=$1; shift
  local bestline="" bestcpu=""
  for ((r = 0; r < RUNS; r++)); do
    /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" "$RAMPART" hunt --json "$@" "$file" \
      > /dev/null 2> "$TMP/err"
    read -r wall user sys rss < "$TMP/time"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    if [ -z "$bestcpu" ] || awk -v a="$cpu" -v b="$bestcpu" 'BEGIN { exit !(a < b) }'; then
      bestcpu=$cpu
      bestline="$wall $cpu $rss"
    fi
  done
  echo "$bestline"
}
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

log "rampart: 1M sshd lines, $RUNS runs"
LINES=$(wc -l < "$SSH1M")
read -r ssh_wall ssh_cpu ssh_rss < <(best "$SSH1M" --behavior rules/behavior)
ssh_summary=$(grep '^behavior:' "$TMP/err")
ssh_dets=$(grep -o '^detections: [0-9,]*' "$TMP/err" | tr -dc 0-9)

log "rampart: 1M access-log lines"
python3 bench/gen_access_log.py 1000000 "$TMP/access.log"
read -r web_wall web_cpu web_rss < <(best "$TMP/access.log" --behavior rules/behavior)
web_summary=$(grep '^behavior:' "$TMP/err")

log "rampart: 1M entities"
python3 bench/gen_ssh_entities.py 1000000 "$TMP/entities.log"
printf 'scenarios: []\n' > "$TMP/none.yml"
read -r _ _ base_rss < <(RUNS=1 best "$TMP/entities.log" --behavior "$TMP/none.yml")
read -r _ _ ent_rss < <(RUNS=1 best "$TMP/entities.log" --behavior rules/behavior)
ent_summary=$(grep '^behavior:' "$TMP/err")
states=$(echo "$ent_summary" | sed -E 's/.*; ([0-9,]+) entity states in ([0-9,]+) bytes.*/\1/' | tr -d ,)
bytes=$(echo "$ent_summary" | sed -E 's/.*; ([0-9,]+) entity states in ([0-9,]+) bytes.*/\2/' | tr -d ,)

f2b=$(peer fail2ban-regex ssh1m 7)
cs=$(peer crowdsec ssh1m 7)
ours=$(rate "$LINES" "$ssh_cpu")
{
  echo "### Behaviour detection (bench/behavior_bench.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores)"
  echo
  echo "Command: \`bench/behavior_bench.sh build/rampart\` (peers: \`run_peers.sh\` in the same run)."
  echo
  echo "| 1M-line sshd log (make_ssh_1m.py) | lines per CPU-second | lines per second (wall) | peak RSS | ratio (CPU) |"
  echo "|---|---|---|---|---|"
  echo "| Rampart, all $(echo "$ssh_summary" | grep -o '[0-9]* scenarios') | $ours | $(rate "$LINES" "$ssh_wall") | $((ssh_rss / 1024)) MiB | 1 |"
  echo "| fail2ban-regex (sshd filter) | $f2b | $(peer fail2ban-regex ssh1m 6) | $(peer fail2ban-regex ssh1m 8) MiB | **$(ratio "$ours" "$f2b")x** |"
  echo "| CrowdSec 1.4.6 (sshd scenarios) | $cs | $(peer crowdsec ssh1m 6) | $(peer crowdsec ssh1m 8) MiB | **$(ratio "$ours" "$cs")x** |"
  echo
  echo "Rampart found $ssh_dets behaviour detections; $ssh_summary"
  echo
  echo "| 1M-line access log (gen_access_log.py), every scenario | lines per CPU-second | lines per second (wall) | peak RSS |"
  echo "|---|---|---|---|"
  echo "| Rampart | $(rate 1000000 "$web_cpu") | $(rate 1000000 "$web_wall") | $((web_rss / 1024)) MiB |"
  echo
  echo "$web_summary"
  echo
  echo "Memory at 1,000,000 addresses (one failed SSH login each, within an hour):"
  echo "$ent_summary"
  echo
  echo "| measure | value |"
  echo "|---|---|"
  echo "| entity states (scenario x address or account) | $states |"
  echo "| engine bytes per entity state | **$((bytes / states))** |"
  echo "| engine bytes per address (3 scenarios keyed by source.ip) | $((bytes / 1000000)) |"
  echo "| peak RSS with scenarios minus without, per address | $(((ent_rss - base_rss) * 1024 / 1000000)) |"
  echo
  echo "Peers' raw table (run_peers.sh results.tsv):"
  echo
  echo '```'
  cat "$RES"
  echo '```'
} | tee "$OUT/behavior-bench.md"
