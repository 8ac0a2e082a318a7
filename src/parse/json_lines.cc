// Generic JSON lines → one Event per record, shaped by a JsonMapping (parse.h; file
// format in docs/formats/json_mapping.md): dataset from the mapping, event time from one
// source key, renames from source paths to event field names, other keys kept under
// their flattened dotted names when keep_unmapped.
//
// LoadJsonMapping reads the YAML file with yaml-cpp; its exceptions are caught here and
// become Status errors carrying the file, line and reason.

#include <array>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "core/status.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "parse/internal/event_time.h"
#include "parse/internal/json_util.h"
#include "parse/internal/parsers.h"
#include "parse/parse.h"

namespace rampart::parse {
namespace {

constexpr std::string_view kFormatName = "json";

enum class TimeKind { kNone, kAuto, kIso8601, kEpoch, kCustom };

struct EpochFormat {
  std::string_view name;
  std::string_view unit;
};
constexpr std::array<EpochFormat, 4> kEpochFormats = {{
    {"epoch_s", "s"},
    {"epoch_ms", "ms"},
    {"epoch_us", "us"},
    {"epoch_ns", "ns"},
}};

// Conversions ParseWithFormat understands (core/time_util.h).
bool IsSupportedConversion(char c) {
  switch (c) {
    case 'Y':
    case 'm':
    case 'd':
    case 'H':
    case 'M':
    case 'S':
    case 'f':
    case 'b':
    case 'z':
    case 'e':
    case '%':
      return true;
    default:
      return false;
  }
}

// Empty string when `format` is acceptable, else the reason.
std::string CheckTimestampFormat(std::string_view format) {
  if (format.empty() || format == "iso8601") {
    return {};
  }
  for (const EpochFormat& e : kEpochFormats) {
    if (format == e.name) {
      return {};
    }
  }
  bool any_conversion = false;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      continue;
    }
    if (i + 1 >= format.size() || !IsSupportedConversion(format[i + 1])) {
      return "timestamp format \"" + std::string(format) +
             "\": unsupported conversion (use iso8601, epoch_s, epoch_ms, epoch_us, epoch_ns "
             "or %Y %m %d %H %M %S %f %b %z %e %%)";
    }
    any_conversion = any_conversion || format[i + 1] != '%';
    ++i;
  }
  if (!any_conversion) {
    return "timestamp format \"" + std::string(format) +
           "\": not iso8601, epoch_s, epoch_ms, epoch_us, epoch_ns or a %-format";
  }
  return {};
}

bool SameMapping(const JsonMapping& a, const JsonMapping& b) {
  return a.dataset == b.dataset && a.timestamp_field == b.timestamp_field &&
         a.timestamp_format == b.timestamp_format && a.keep_unmapped == b.keep_unmapped &&
         a.renames == b.renames;
}

// ---------------------------------------------------------------------------------------
// Parser

class JsonLinesParser final : public Parser {
 public:
  JsonLinesParser() : names_(nullptr) {}

  Status Parse(std::string_view record, const ParseContext& ctx, EventBatch& batch) override;

 private:
  struct Hash {
    using is_transparent = void;  // NOLINT(readability-identifier-naming): std name
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  // The mapping in the form the hot path needs, rebuilt when the context's mapping
  // changes (compared by content, so a reloaded mapping at the same address is seen).
  struct Compiled {
    JsonMapping source;
    TimeKind time_kind = TimeKind::kNone;
    std::string_view epoch_unit;
    std::unordered_map<std::string, FieldId, Hash, std::equal_to<>> renames;
  };

  const Compiled& CompiledFor(const JsonMapping* mapping);
  Status ParseInto(std::string_view record,
                   const ParseContext& ctx,
                   EventBatch& batch,
                   Event& event);

  internal::JsonReader reader_;
  internal::FieldNameCache names_;
  std::string path_;
  JsonMapping default_mapping_;
  const JsonMapping* compiled_from_ = nullptr;
  bool compiled_valid_ = false;
  Compiled compiled_;
};

const JsonLinesParser::Compiled& JsonLinesParser::CompiledFor(const JsonMapping* mapping) {
  if (mapping == nullptr) {
    mapping = &default_mapping_;
  }
  if (compiled_valid_ && compiled_from_ == mapping && SameMapping(compiled_.source, *mapping)) {
    return compiled_;
  }
  compiled_from_ = mapping;
  compiled_valid_ = true;
  compiled_.source = *mapping;
  compiled_.renames.clear();
  for (const auto& [from, to] : mapping->renames) {
    compiled_.renames.emplace(from, FieldDict::Intern(to));
  }
  const std::string& format = mapping->timestamp_format;
  compiled_.epoch_unit = {};
  if (mapping->timestamp_field.empty()) {
    compiled_.time_kind = TimeKind::kNone;
  } else if (format.empty()) {
    compiled_.time_kind = TimeKind::kAuto;
  } else if (format == "iso8601") {
    compiled_.time_kind = TimeKind::kIso8601;
  } else {
    compiled_.time_kind = TimeKind::kCustom;
    for (const EpochFormat& e : kEpochFormats) {
      if (format == e.name) {
        compiled_.time_kind = TimeKind::kEpoch;
        compiled_.epoch_unit = e.unit;
      }
    }
  }
  return compiled_;
}

Status JsonLinesParser::Parse(std::string_view record, const ParseContext& ctx, EventBatch& batch) {
  return batch.AppendEvent([&](Event& event) { return ParseInto(record, ctx, batch, event); });
}

Status JsonLinesParser::ParseInto(std::string_view record,
                                  const ParseContext& ctx,
                                  EventBatch& batch,
                                  Event& event) {
  const Compiled& mapping = CompiledFor(ctx.json_mapping);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  RAMPART_RETURN_IF_ERROR(reader_.OpenRecord(kFormatName, record, ctx, batch, event, doc, object));

  const std::string_view timestamp_field = mapping.source.timestamp_field;
  const bool keep_unmapped = mapping.source.keep_unmapped;
  const bool has_renames = !mapping.renames.empty();
  std::string_view timestamp_text;
  bool timestamp_seen = false;
  internal::FieldBudget budget;
  auto emit = [&](std::string_view path, std::string_view text) {
    if (!timestamp_seen && path == timestamp_field) {
      timestamp_seen = true;
      timestamp_text = text;
    }
    if (has_renames) {
      auto it = mapping.renames.find(path);
      if (it != mapping.renames.end()) {
        if (budget.Take()) {
          batch.AddField(it->second, text);
        }
        return;
      }
    }
    if (keep_unmapped && budget.Take()) {
      batch.AddField(names_.Get(path).id, text);
    }
  };
  path_.clear();
  names_.StartRecord();
  if (auto error = internal::WalkJsonObject(reader_, object, path_, 1, batch, budget, emit)) {
    return internal::JsonError(kFormatName, error);
  }
  if (internal::HasTrailingContent(doc)) {
    return internal::JsonError(kFormatName, simdjson::TRAILING_CONTENT);
  }

  event.timestamp_ns = ctx.reference_time_ns;
  if (timestamp_seen) {
    int64_t ns = 0;
    bool ok = false;
    switch (mapping.time_kind) {
      case TimeKind::kAuto:
        ok = internal::ParseFlexibleTime(timestamp_text, &ns);
        break;
      case TimeKind::kIso8601:
        ok = ParseIso8601(timestamp_text, &ns);
        break;
      case TimeKind::kEpoch:
        ok = ParseEpoch(timestamp_text, mapping.epoch_unit, &ns);
        break;
      case TimeKind::kCustom:
        ok = ParseWithFormat(timestamp_text, mapping.source.timestamp_format, &ns);
        break;
      case TimeKind::kNone:
        break;
    }
    // A value that is no valid event time (or does not fit the mapping's format) keeps
    // the record as evidence, flagged, with the receive time.
    if (ok && IsPlausibleEventTime(ns)) {
      event.timestamp_ns = ns;
    } else {
      internal::MarkTimeInvalid(batch, event, timestamp_text, ctx.reference_time_ns);
    }
  }
  internal::AddTruncatedField(batch, budget);
  event.dataset = batch.Copy(mapping.source.dataset);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Mapping file

// Collects the first error with its position; every Check* returns false on error.
class MappingReader {
 public:
  explicit MappingReader(std::string path) : path_(std::move(path)) {}

  Status Error(const YAML::Mark& mark, std::string_view reason) const {
    std::string message = "json mapping " + path_;
    if (mark.line >= 0) {
      message += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    }
    message += ": ";
    message += reason;
    return InvalidArgument(message);
  }

  Status Read(const YAML::Node& root, JsonMapping* out) const {
    if (root.IsNull()) {
      return Status::Ok();  // an empty file means the defaults
    }
    if (!root.IsMap()) {
      return Error(root.Mark(),
                   "top level must be a mapping (dataset, timestamp, fields, "
                   "keep_unmapped)");
    }
    for (const auto& kv : root) {
      const YAML::Node& key = kv.first;
      const YAML::Node& value = kv.second;
      if (!key.IsScalar()) {
        return Error(key.Mark(), "keys must be strings");
      }
      const std::string& name = key.Scalar();
      if (name == "dataset") {
        RAMPART_RETURN_IF_ERROR(ReadDataset(key, value, out));
      } else if (name == "timestamp") {
        RAMPART_RETURN_IF_ERROR(ReadTimestamp(key, value, out));
      } else if (name == "fields") {
        RAMPART_RETURN_IF_ERROR(ReadFields(key, value, out));
      } else if (name == "keep_unmapped") {
        bool b = false;
        if (!value.IsScalar() || !YAML::convert<bool>::decode(value, b)) {
          return Error(value.Mark(), "keep_unmapped must be true or false");
        }
        out->keep_unmapped = b;
      } else {
        return Error(key.Mark(), "unknown key \"" + name +
                                     "\" (expected dataset, timestamp, fields, keep_unmapped)");
      }
    }
    if (out->timestamp_field.empty() && !out->timestamp_format.empty()) {
      return Error(root.Mark(), "timestamp.format given without timestamp.field");
    }
    return Status::Ok();
  }

 private:
  Status ReadDataset(const YAML::Node& key, const YAML::Node& value, JsonMapping* out) const {
    if (!value.IsScalar() || value.Scalar().empty()) {
      return Error(value.IsNull() ? key.Mark() : value.Mark(),
                   "dataset must be a non-empty string");
    }
    const std::string& s = value.Scalar();
    for (char c : s) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '.' ||
                      c == '_' || c == '-';
      if (!ok) {
        return Error(value.Mark(),
                     "dataset \"" + s + "\": only letters, digits, '.', '_' and '-' are allowed");
      }
    }
    out->dataset = s;
    return Status::Ok();
  }

  Status ReadTimestamp(const YAML::Node& key, const YAML::Node& value, JsonMapping* out) const {
    if (value.IsScalar()) {  // shorthand: `timestamp: ts`
      out->timestamp_field = value.Scalar();
    } else if (value.IsMap()) {
      for (const auto& kv : value) {
        if (!kv.first.IsScalar()) {
          return Error(kv.first.Mark(), "keys must be strings");
        }
        const std::string& name = kv.first.Scalar();
        if (name != "field" && name != "format") {
          return Error(kv.first.Mark(),
                       "unknown key \"timestamp." + name + "\" (expected field, format)");
        }
        if (!kv.second.IsScalar()) {
          return Error(kv.second.IsNull() ? kv.first.Mark() : kv.second.Mark(),
                       "timestamp." + name + " must be a string");
        }
        (name == "field" ? out->timestamp_field : out->timestamp_format) = kv.second.Scalar();
      }
    } else {
      return Error(value.IsNull() ? key.Mark() : value.Mark(),
                   "timestamp must be a key name or {field: ..., format: ...}");
    }
    if (out->timestamp_field.empty()) {
      return Error(key.Mark(), "timestamp.field must not be empty");
    }
    const std::string reason = CheckTimestampFormat(out->timestamp_format);
    if (!reason.empty()) {
      return Error(key.Mark(), reason);
    }
    return Status::Ok();
  }

  Status ReadFields(const YAML::Node& /*key*/, const YAML::Node& value, JsonMapping* out) const {
    if (value.IsNull()) {
      return Status::Ok();
    }
    if (!value.IsMap()) {
      return Error(value.Mark(), "fields must map source keys to field names");
    }
    std::unordered_set<std::string> seen;
    for (const auto& kv : value) {
      if (!kv.first.IsScalar() || kv.first.Scalar().empty()) {
        return Error(kv.first.Mark(), "fields: source key must be a non-empty string");
      }
      const std::string& from = kv.first.Scalar();
      if (!kv.second.IsScalar() || kv.second.Scalar().empty()) {
        return Error(kv.second.IsNull() ? kv.first.Mark() : kv.second.Mark(),
                     "fields: \"" + from + "\" must map to a non-empty field name");
      }
      if (!seen.insert(from).second) {
        return Error(kv.first.Mark(), "fields: \"" + from + "\" is mapped twice");
      }
      out->renames.emplace_back(from, kv.second.Scalar());
    }
    return Status::Ok();
  }

  std::string path_;
};

}  // namespace

Result<JsonMapping> LoadJsonMapping(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFound("json mapping " + path + ": cannot open file");
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return IoError("json mapping " + path + ": read error");
  }
  MappingReader reader(path);
  JsonMapping mapping;
  try {
    const YAML::Node root = YAML::Load(text.str());
    RAMPART_RETURN_IF_ERROR(reader.Read(root, &mapping));
  } catch (const YAML::Exception& e) {
    return reader.Error(e.mark, "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return reader.Error(YAML::Mark::null_mark(), std::string("invalid mapping: ") + e.what());
  }
  return mapping;
}

namespace internal {

std::unique_ptr<Parser> MakeJsonLinesParser() {
  return std::make_unique<JsonLinesParser>();
}

}  // namespace internal
}  // namespace rampart::parse
