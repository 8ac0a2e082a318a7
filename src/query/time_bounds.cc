// Time bounds of searches (--from/--to: now, relative times, ISO-8601) and the units of
// intervals.

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>

#include "core/strings.h"
#include "query/internal/parser.h"
#include "query/internal/util.h"
#include "query/query.h"

namespace rampart::query {
namespace internal {

int64_t UnitSeconds(char unit, bool allow_weeks) {
  switch (unit) {
    case 's':
      return 1;
    case 'm':
      return 60;
    case 'h':
      return 3600;
    case 'd':
      return 86400;
    case 'w':
      return allow_weeks ? int64_t{7} * 86400 : 0;
    default:
      return 0;
  }
}

std::string FormatInterval(int64_t ns) {
  static constexpr std::pair<int64_t, char> kUnits[] = {
      {86400LL * kNsPerSecond, 'd'}, {3600LL * kNsPerSecond, 'h'}, {60LL * kNsPerSecond, 'm'}};
  for (const auto& [unit, name] : kUnits) {
    if (ns % unit == 0) {
      return std::to_string(ns / unit) + name;
    }
  }
  return std::to_string(ns / kNsPerSecond) + "s";
}

}  // namespace internal

using internal::IsSpace;
using internal::UnitSeconds;

Result<int64_t> ParseTimeBound(std::string_view text, int64_t now_ns) {
  std::string_view s = text;
  while (!s.empty() && IsSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsSpace(s.back())) {
    s.remove_suffix(1);
  }
  const std::string bad = "invalid time '" + std::string(text) +
                          "': expected 'now', a relative time such as -15m, -1h, -7d, "
                          "now-2w, or ISO-8601 such as 2026-11-20T10:00:00Z";
  int64_t ns = 0;
  if (internal::ParseIsoTime(s, &ns)) {
    return ns;
  }
  if (s.size() >= 3 && EqualsIgnoreCase(s.substr(0, 3), "now")) {
    s.remove_prefix(3);
    if (s.empty()) {
      return now_ns;
    }
  }
  if (s.size() < 3 || (s[0] != '-' && s[0] != '+')) {
    return InvalidArgument(bad);
  }
  const int64_t sign = s[0] == '-' ? -1 : 1;
  std::string_view digits = s.substr(1, s.size() - 2);
  int64_t n = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size() || n < 0 || n > 1'000'000'000) {
    return InvalidArgument(bad);
  }
  const int64_t unit = UnitSeconds(s.back(), /*allow_weeks=*/true);
  if (unit == 0) {
    return InvalidArgument(bad);
  }
  int64_t offset = 0;
  int64_t result = 0;
  if (__builtin_mul_overflow(n * unit, int64_t{1'000'000'000}, &offset) ||
      __builtin_add_overflow(now_ns, sign * offset, &result)) {
    return InvalidArgument(bad);
  }
  return result;
}

Result<TimeRange> ParseTimeRange(std::string_view from, std::string_view to, int64_t now_ns) {
  TimeRange range;
  if (!from.empty()) {
    RAMPART_ASSIGN_OR_RETURN(range.from_ns, ParseTimeBound(from, now_ns));
  }
  if (!to.empty()) {
    RAMPART_ASSIGN_OR_RETURN(range.to_ns, ParseTimeBound(to, now_ns));
  }
  if (range.from_ns >= range.to_ns) {
    return InvalidArgument("the time range is empty: --from (" + std::string(from) +
                           ") must be before --to (" + std::string(to) + ")");
  }
  return range;
}

}  // namespace rampart::query
