#pragma once
// Parsers: one record (a line without its newline, or one NDJSON object) → one Event
// appended to an EventBatch. Each format is a leaf behind the Parser interface, created
// from the single registration list in parse.cc.
//
// Contract: Parse() never throws and never crashes on any bytes. On success it appends
// exactly one event (raw record copied into the batch arena, every field a view into that
// arena). On failure it appends nothing and returns an InvalidArgument Status whose
// message is a short reason ("access log: missing request line"), which the caller stores
// with the record in the dead-letter table.
//
// Threads: a Parser holds per-instance scratch state (e.g. a simdjson parser); use one per
// thread. ParseContext is read-only.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace rampart::parse {

enum class Format {
  kAuto,       // detect per file from its first records (see Sniff)
  kAccess,     // nginx/Apache combined and common log format → nginx.access
  kBodyLog,    // Body Log JSON lines (nginx escape=json) → nginx.body
  kSyslog,     // RFC 3164 / RFC 5424 with sshd/sudo/su/pam extractors → linux.auth / syslog
  kJsonLines,  // generic JSON lines, fields renamed by a mapping file → mapping's dataset
  kWindows,    // Windows event JSON → windows.security / windows.sysmon / ...
};

std::string_view FormatName(Format f);
// "access", "bodylog", "syslog", "json", "windows", "auto"; false if unknown.
bool ParseFormatName(std::string_view name, Format* out);

// How a generic JSON-lines source maps to the event model (YAML file, see
// docs/formats/json_mapping.md).
struct JsonMapping {
  std::string dataset = "json";
  std::string timestamp_field;   // source key of the event time; empty = receive time
  std::string timestamp_format;  // "iso8601" (default), "epoch_s", "epoch_ms", "epoch_us",
                                 // "epoch_ns", or a strptime-like format (see time_util.h)
  // Source key (dotted path for nested objects, e.g. "req.ip") → event field name.
  std::vector<std::pair<std::string, std::string>> renames;
  bool keep_unmapped = true;  // keep other keys under their flattened dotted names
};
Result<JsonMapping> LoadJsonMapping(const std::string& path);

struct ParseContext {
  std::string_view tenant = kDefaultTenant;
  // Reference for year-less timestamps and records without time: receive time or the
  // file's modification time (UTC ns).
  int64_t reference_time_ns = 0;
  const JsonMapping* json_mapping = nullptr;  // used by kJsonLines; null = defaults
};

class Parser {
 public:
  virtual ~Parser() = default;
  virtual Status Parse(std::string_view record, const ParseContext& ctx, EventBatch& batch) = 0;
};

std::unique_ptr<Parser> MakeParser(Format format);

// Guesses the format from a file's first records (up to ~20 non-empty lines). Returns
// kAuto when nothing fits.
Format Sniff(std::span<const std::string_view> first_records);

}  // namespace rampart::parse
