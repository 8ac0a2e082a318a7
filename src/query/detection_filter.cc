// The detections filter shared by `rampart detections` and GET /v1/detections.

#include <algorithm>

#include "core/detection.h"
#include "core/strings.h"
#include "query/query.h"

namespace rampart::query {
namespace {

constexpr char kLevelHelp[] = "informational (info), low, medium, high or critical";

std::string Flag(std::string_view prefix, std::string_view name) {
  return std::string(prefix) + std::string(name);
}

// "24h" means 24 hours ago: a bare duration gets the "-" that ParseTimeBound wants.
Result<int64_t> ParseTime(const std::string& flag, std::string_view text, int64_t now_ns) {
  std::string_view t = Trim(text);
  std::string bound(t);
  if (t.size() >= 2 && std::all_of(t.begin(), t.end() - 1, IsDigit) &&
      std::string_view("smhdw").find(t.back()) != std::string_view::npos) {
    bound = "-" + bound;
  }
  auto ns = ParseTimeBound(bound, now_ns);
  if (!ns.ok()) {
    return InvalidArgument("invalid " + flag + " time '" + std::string(text) +
                           "': expected a duration ago (30m, 24h, 7d, 2w), now, now-1h or "
                           "ISO-8601 such as 2026-11-20T10:00:00Z");
  }
  return ns;
}

// The message does not name the flag: '--level>=X' reaches the CLI as --min-level.
Result<Severity> ParseLevel(const std::string& text) {
  auto level = ParseSeverity(Trim(text));
  if (!level) {
    return InvalidArgument("invalid level '" + text + "': expected " + kLevelHelp);
  }
  return *level;
}

}  // namespace

Result<store::DetectionFilter> ParseDetectionFilter(const DetectionFilterText& text,
                                                    std::string_view flag_prefix,
                                                    int64_t now_ns) {
  store::DetectionFilter f;
  if (!text.tenant.empty() && !store::IsValidTenant(text.tenant)) {
    return InvalidArgument("invalid tenant name '" + text.tenant + "' (letters, digits, _ . -)");
  }
  f.tenant = text.tenant;
  if (!text.since.empty()) {
    RAMPART_ASSIGN_OR_RETURN(f.since_ns, ParseTime(Flag(flag_prefix, "since"), text.since, now_ns));
  }
  if (!text.until.empty()) {
    RAMPART_ASSIGN_OR_RETURN(f.until_ns, ParseTime(Flag(flag_prefix, "until"), text.until, now_ns));
  }
  if (f.since_ns >= f.until_ns) {
    return InvalidArgument("the time range is empty: " + Flag(flag_prefix, "since") + " (" +
                           text.since + ") must be before " + Flag(flag_prefix, "until") + " (" +
                           text.until + ")");
  }
  f.rule = std::string(Trim(text.rule));
  if (!text.level.empty()) {
    RAMPART_ASSIGN_OR_RETURN(f.level, ParseLevel(text.level));
  }
  if (!text.min_level.empty()) {
    RAMPART_ASSIGN_OR_RETURN(f.min_level, ParseLevel(text.min_level));
  }
  if (!text.kind.empty()) {
    f.kind = ParseDetectionKind(Trim(text.kind));
    if (!f.kind) {
      return InvalidArgument("invalid " + Flag(flag_prefix, "kind") + " '" + text.kind +
                             "': expected sigma, correlation, ioc, web or behavior");
    }
  }
  return f;
}

}  // namespace rampart::query
