// ClassifyJsonRecord: which JSON format a record is, from its top-level key names only
// (values are skipped unread). Used by Sniff on a file's first records, so it favours
// simplicity over speed, but still allocates nothing per call after warm-up.

#include <string_view>

#include <simdjson.h>

#include "core/strings.h"
#include "parse/internal/json_util.h"
#include "parse/internal/parsers.h"
#include "parse/parse.h"

namespace rampart::parse::internal {
namespace {

struct Keys {
  bool event_id = false;
  bool windows_system = false;  // Channel, Provider_Name, SourceName, Computer, Hostname
  bool remote_addr = false;
  bool request = false;  // uri, request_body or method

  bool IsWindows() const { return event_id && windows_system; }
  bool IsBodyLog() const { return remote_addr && request; }
};

void Note(std::string_view key, Keys& keys) {
  if (key == "EventID" || key == "event_id" || key == "EventId") {
    keys.event_id = true;
  } else if (EqualsIgnoreCase(key, "Channel") || key == "Provider_Name" || key == "SourceName" ||
             key == "Computer" || key == "Hostname") {
    keys.windows_system = true;
  } else if (key == "remote_addr") {
    keys.remote_addr = true;
  } else if (key == "uri" || key == "request_body" || key == "method") {
    keys.request = true;
  }
}

}  // namespace

Format ClassifyJsonRecord(std::string_view record) {
  // One reader per thread: Sniff may run on several ingest threads at once.
  thread_local JsonReader reader;
  simdjson::ondemand::document doc;
  if (reader.Start(record, {}, doc) != simdjson::SUCCESS) {
    return Format::kAuto;
  }
  simdjson::ondemand::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) {
    return Format::kAuto;
  }
  Keys keys;
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    std::string_view key;
    if (std::move(field_result).get(field) != simdjson::SUCCESS ||
        field.unescaped_key().get(key) != simdjson::SUCCESS) {
      return Format::kAuto;
    }
    Note(key, keys);
    if (keys.IsWindows()) {
      return Format::kWindows;
    }
  }
  if (HasTrailingContent(doc)) {
    return Format::kAuto;
  }
  return keys.IsBodyLog() ? Format::kBodyLog : Format::kJsonLines;
}

}  // namespace rampart::parse::internal
