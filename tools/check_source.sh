#!/usr/bin/env bash
# Repository-specific source checks (run by `make test`). See STYLE notes in CONTRIBUTING.md.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
report() { echo "check_source: $1"; echo "$2" | sed 's/^/    /'; fail=1; }

hits=$(grep -rnE 'system_clock::now|[^_a-z]time\(|localtime' src --include='*.cc' --include='*.h' \
       | grep -v '^src/core/clock.cc' | grep -v '//.*time(' || true)
[ -n "$hits" ] && report "wall clock read outside src/core/clock.cc" "$hits"

hits=$(grep -rnE '#include "([a-z_]+)/internal/' src tests bench --include='*.cc' --include='*.h' \
       | awk -F: '{ split($1, p, "/"); match($0, /#include "[a-z_]+\//); inc=substr($0, RSTART+10, RLENGTH-11);
                    stage=(p[1]=="src") ? p[2] : "";
                    if (p[1]=="src" && stage != inc) print }' || true)
[ -n "$hits" ] && report "another stage's internal header included" "$hits"

hits=$(grep -rnE 'std::regex|[^a-z_]strcpy\(|strncpy\(|[^a-z_]sprintf\(|[^a-z_]gets\(' src --include='*.cc' --include='*.h' || true)
[ -n "$hits" ] && report "banned function" "$hits"

hits=$(grep -rnE '(^|[^a-z_])throw[ ;(]' src/parse src/detect src/respond --include='*.cc' --include='*.h' 2>/dev/null || true)
[ -n "$hits" ] && report "throw in a data-plane stage" "$hits"

if command -v clang-format >/dev/null; then
  bad=$(git ls-files '*.cc' '*.h' | while read -r f; do
          [ -f "$f" ] && ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1 && echo "$f"; done)
  [ -n "$bad" ] && report "not clang-formatted (run make format)" "$bad"
fi
exit $fail
