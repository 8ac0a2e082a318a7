#include "core/detection.h"

#include <array>
#include <string>

#include "core/strings.h"
#include "core/time_util.h"

namespace rampart {
namespace {

constexpr std::array<std::string_view, 5> kSeverityNames = {"informational", "low", "medium",
                                                            "high", "critical"};
constexpr std::array<std::string_view, 3> kKindNames = {"sigma", "correlation", "ioc"};

// A JSON array of `items`, each written by append_one(out, item).
template <typename Items, typename AppendOne>
void AppendArray(std::string& out, const Items& items, AppendOne append_one) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    append_one(out, items[i]);
  }
  out += ']';
}

void AppendStringArray(std::string& out, const std::vector<std::string>& items) {
  AppendArray(out, items, [](std::string& o, const std::string& s) { AppendJsonString(o, s); });
}

void AppendEventRef(std::string& out, const EventRef& ref) {
  out += "{\"location\":";
  AppendJsonString(out, ref.location);
  out += ",\"rowid\":";
  out += std::to_string(ref.rowid);
  out += ",\"offset\":";
  out += std::to_string(ref.offset);
  out += ",\"line\":";
  out += std::to_string(ref.line);
  out += ",\"first_byte\":";
  out += std::to_string(ref.first_byte);
  out += '}';
}

}  // namespace

std::string_view SeverityName(Severity s) {
  return kSeverityNames[static_cast<size_t>(s)];
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  if (EqualsIgnoreCase(name, "info")) {
    return Severity::kInformational;
  }
  for (size_t i = 0; i < kSeverityNames.size(); ++i) {
    if (EqualsIgnoreCase(name, kSeverityNames[i])) {
      return static_cast<Severity>(i);
    }
  }
  return std::nullopt;
}

std::string_view DetectionKindName(DetectionKind k) {
  return kKindNames[static_cast<size_t>(k)];
}

std::optional<DetectionKind> ParseDetectionKind(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (EqualsIgnoreCase(name, kKindNames[i])) {
      return static_cast<DetectionKind>(i);
    }
  }
  return std::nullopt;
}

std::string DetectionToJson(const Detection& d) {
  std::string out;
  AppendDetectionJson(out, d);
  return out;
}

void AppendDetectionJson(std::string& out, const Detection& d) {
  out += "{\"time\":";
  AppendJsonString(out, FormatIso8601(d.event_time_ns));
  out += ",\"kind\":";
  AppendJsonString(out, DetectionKindName(d.kind));
  out += ",\"rule\":{\"id\":";
  AppendJsonString(out, d.rule_id);
  out += ",\"title\":";
  AppendJsonString(out, d.rule_title);
  out += ",\"level\":";
  AppendJsonString(out, SeverityName(d.level));
  out += "},\"attack\":{\"tactics\":";
  AppendStringArray(out, d.tactics);
  out += ",\"techniques\":";
  AppendStringArray(out, d.techniques);
  out += "},\"evidence\":";
  AppendArray(out, d.evidence, [](std::string& o, const Evidence& e) {
    o += "{\"field\":";
    AppendJsonString(o, e.field);
    o += ",\"value\":";
    AppendJsonString(o, e.value);
    o += '}';
  });
  out += ",\"dataset\":";
  AppendJsonString(out, d.dataset);
  out += ",\"tenant\":";
  AppendJsonString(out, d.tenant);
  out += ",\"event\":";
  AppendEventRef(out, d.event);
  out += ",\"related\":";
  AppendArray(out, d.related, AppendEventRef);
  out += ",\"source\":";
  AppendJsonString(out, d.source);
  out += '}';
}

}  // namespace rampart
