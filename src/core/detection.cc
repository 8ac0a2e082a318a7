#include "core/detection.h"

#include <array>
#include <string>

#include "core/strings.h"
#include "core/time_util.h"

namespace rampart {
namespace {

constexpr std::array<std::string_view, 5> kSeverityNames = {"informational", "low", "medium",
                                                            "high", "critical"};
constexpr std::array<std::string_view, 5> kKindNames = {"sigma", "correlation", "ioc", "web",
                                                        "behavior"};

}  // namespace

void AppendEntityJson(std::string& out, const Entity& e) {
  out += "{\"type\":";
  AppendJsonString(out, e.type);
  out += ",\"value\":";
  AppendJsonString(out, e.value);
  out += '}';
}

void AppendEventRefJson(std::string& out, const EventRef& ref) {
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

std::string_view EntityTypeOfField(std::string_view field_name) {
  if (field_name == "source.ip") {
    return "ip";
  }
  if (field_name == "user.name") {
    return "user";
  }
  if (field_name == "host.name") {
    return "host";
  }
  if (field_name == "http.request.headers.x_api_key") {
    return "api_key";
  }
  if (field_name == "http.request.headers.authorization") {
    return "token";
  }
  constexpr std::string_view kCookie = "cookie.";
  if (field_name.starts_with(kCookie) && IsSessionCookieName(field_name.substr(kCookie.size()))) {
    return "session";
  }
  return {};
}

std::string_view FieldOfEntityType(std::string_view type) {
  if (type == "ip") {
    return "source.ip";
  }
  if (type == "user") {
    return "user.name";
  }
  if (type == "host") {
    return "host.name";
  }
  if (type == "api_key") {
    return "http.request.headers.x_api_key";
  }
  if (type == "token") {
    return "http.request.headers.authorization";
  }
  return {};
}

bool IsSessionCookieName(std::string_view name) {
  // The names web frameworks give their session cookies (lower case compared).
  constexpr std::string_view kNames[] = {"session",     "sessionid",         "session_id",
                                         "sid",         "jsessionid",        "phpsessid",
                                         "connect.sid", "asp.net_sessionid", "laravel_session",
                                         "_session_id"};
  for (std::string_view n : kNames) {
    if (EqualsIgnoreCase(name, n)) {
      return true;
    }
  }
  return false;
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
  AppendJsonStringArray(out, d.tactics);
  out += ",\"techniques\":";
  AppendJsonStringArray(out, d.techniques);
  out += "},\"evidence\":";
  AppendJsonArray(out, d.evidence, [](std::string& o, const Evidence& e) {
    o += "{\"field\":";
    AppendJsonString(o, e.field);
    o += ",\"value\":";
    AppendJsonString(o, e.value);
    auto optional = [&o](std::string_view key, const std::string& v) {
      if (!v.empty()) {
        o += ",\"";
        o += key;
        o += "\":";
        AppendJsonString(o, v);
      }
    };
    optional("rule", e.rule);
    optional("class", e.category);
    optional("decoded_by", e.decoded_by);
    optional("note", e.note);
    o += '}';
  });
  out += ",\"entities\":";
  AppendJsonArray(out, d.entities, AppendEntityJson);
  out += ",\"dataset\":";
  AppendJsonString(out, d.dataset);
  out += ",\"tenant\":";
  AppendJsonString(out, d.tenant);
  out += ",\"event\":";
  AppendEventRefJson(out, d.event);
  out += ",\"related\":";
  AppendJsonArray(out, d.related, AppendEventRefJson);
  out += ",\"source\":";
  AppendJsonString(out, d.source);
  if (!d.category.empty()) {
    out += ",\"web\":{\"class\":";
    AppendJsonString(out, d.category);
    out += ",\"score\":";
    out += std::to_string(d.score);
    out += ",\"threshold\":";
    out += std::to_string(d.threshold);
    out += '}';
  }
  if (!d.explanation.empty()) {
    out += ",\"explanation\":";
    AppendJsonString(out, d.explanation);
  }
  out += '}';
}

}  // namespace rampart
