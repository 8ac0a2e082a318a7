#pragma once
// Private to src/parse: machinery shared by the simdjson-based parsers (Windows event
// JSON, Body Log, generic JSON lines) and ClassifyJsonRecord.
//
// JsonReader owns one simdjson on-demand parser and one padded copy buffer, both reused
// for every record, so steady-state parsing allocates nothing on the heap. Values come
// back as views into the batch arena: when the caller passes the arena copy of the same
// bytes (the event's raw record), strings without escapes, numbers and booleans are
// views into that copy; only strings with escapes are decoded and copied.
//
// Invalid UTF-8: nginx `escape=json` passes bytes >= 0x80 through unchanged, so a Body
// Log line can carry arbitrary bytes from a request body. simdjson rejects such input,
// so the reader retries once on a copy where each invalid byte is replaced by U+FFFD;
// the raw record keeps the original bytes.
//
// Limits (per event): containers nested deeper than kMaxJsonDepth and fields beyond
// kMaxJsonFields are not stored; they are counted and reported in one
// `_truncated_fields` field. This is not an error.
//
// Threads: one JsonReader / FieldNameCache per parser instance (not thread-safe).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <simdjson.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "core/status.h"
#include "parse/parse.h"

namespace rampart::parse::internal {

inline constexpr int kMaxJsonDepth = 32;            // containers, the record's object = 1
inline constexpr size_t kMaxJsonFields = 1024;      // flattened source fields per event
inline constexpr size_t kMaxFieldNameLength = 256;  // longer dotted names are dropped
inline constexpr std::string_view kTruncatedFieldsName = "_truncated_fields";

// Counts stored fields against kMaxJsonFields and the ones dropped by any limit.
struct FieldBudget {
  size_t used = 0;
  size_t truncated = 0;

  bool Take() {
    if (used < kMaxJsonFields) {
      ++used;
      return true;
    }
    ++truncated;
    return false;
  }
};

class JsonReader {
 public:
  JsonReader() = default;
  JsonReader(const JsonReader&) = delete;
  JsonReader& operator=(const JsonReader&) = delete;

  // Starts reading `json` into `doc`. `arena_copy` is either empty or the same bytes
  // already copied into the batch arena; values are then returned as views into it.
  // `doc` and every value obtained from it are valid until the next Start().
  simdjson::error_code Start(std::string_view json,
                             std::string_view arena_copy,
                             simdjson::ondemand::document& doc);

  // The common start of every JSON parser: copies `record` into the batch as `event`'s
  // raw text, sets its tenant and opens the record as a JSON object. Errors are
  // InvalidArgument "<format_name>: <reason>".
  Status OpenRecord(std::string_view format_name,
                    std::string_view record,
                    const ParseContext& ctx,
                    EventBatch& batch,
                    Event& event,
                    simdjson::ondemand::document& doc,
                    simdjson::ondemand::object& object);

  // Text of a scalar value of type `type`, as a view into the batch arena: strings
  // decoded, numbers and booleans as written. Sets *present = false for null. Returns an
  // error for a malformed literal or number.
  simdjson::error_code ScalarText(simdjson::ondemand::value& value,
                                  simdjson::ondemand::json_type type,
                                  EventBatch& batch,
                                  std::string_view* out,
                                  bool* present);

  // True when the reader had to replace invalid UTF-8 in the current document.
  bool sanitized() const { return sanitized_; }

 private:
  // Returns `token` (a slice of buf_) as the same slice of the arena copy, or a copy.
  std::string_view ToArena(std::string_view token, EventBatch& batch) const;
  void EnsureCapacity(size_t bytes);

  simdjson::ondemand::parser parser_;
  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  std::string_view arena_copy_;
  bool sanitized_ = false;
};

// Interned field ids by name, cached per parser so repeated keys cost one hash lookup
// and no allocation. Each entry also carries a small parser-specific tag (e.g. which
// ECS role the key plays), computed once by `tagger` when the name is first seen.
class FieldNameCache {
 public:
  using Tagger = uint8_t (*)(std::string_view name);
  struct Entry {
    FieldId id;
    uint8_t tag;
  };

  explicit FieldNameCache(Tagger tagger) : tagger_(tagger) {}

  Entry Get(std::string_view name);

 private:
  // A hostile source can invent unbounded key names; past this the cache stops growing
  // (FieldDict itself folds names beyond its own cap into "_overflow").
  static constexpr size_t kMaxCachedNames = 8192;

  struct Hash {
    using is_transparent = void;  // NOLINT(readability-identifier-naming): std name
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  Entry Lookup(std::string_view name);

  // Records of one source repeat their keys in the same order, so the key expected next
  // is compared first (a short memcmp) before the hash lookup; a record that starts with
  // the same first key restarts the sequence. Shapes that differ only cost the lookup.
  static constexpr size_t kMaxOrder = 256;
  struct Recent {
    std::string name;
    Entry entry;
  };
  std::vector<Recent> order_;
  size_t next_ = 0;

  Tagger tagger_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> ids_;
};

// "<format>: <short reason>" for a simdjson error.
Status JsonError(std::string_view format_name, simdjson::error_code error);

// True when the document has non-whitespace content after the value just consumed.
bool HasTrailingContent(simdjson::ondemand::document& doc);

// Writes `n` in decimal into the arena.
std::string_view ArenaDecimal(EventBatch& batch, uint64_t n);

// Adds `_truncated_fields` = budget.truncated when anything was dropped.
void AddTruncatedField(EventBatch& batch, const FieldBudget& budget);

// Parses an event time given as ISO-8601 / RFC 3339, nginx $time_local, or a Unix epoch
// number (unit guessed from its magnitude: s, ms, us or ns).
bool ParseFlexibleTime(std::string_view s, int64_t* out_ns);

// Walks a JSON value found at `path` (dotted; `depth` = number of containers enclosing
// it) and calls emit(path, text) for every scalar leaf. Objects extend the path with
// ".key"; array elements repeat the array's path. Nulls are skipped. Containers nested
// beyond kMaxJsonDepth, empty names and names longer than kMaxFieldNameLength are counted
// in budget.truncated instead. `path` is restored before returning.
template <typename Emit>
simdjson::error_code WalkJsonValue(JsonReader& reader,
                                   simdjson::ondemand::value value,
                                   std::string& path,
                                   int depth,
                                   EventBatch& batch,
                                   FieldBudget& budget,
                                   Emit& emit);

template <typename Emit>
simdjson::error_code WalkJsonObject(JsonReader& reader,
                                    simdjson::ondemand::object object,
                                    std::string& path,
                                    int depth,
                                    EventBatch& batch,
                                    FieldBudget& budget,
                                    Emit& emit) {
  const size_t base = path.size();
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (auto error = std::move(field_result).get(field)) {
      return error;
    }
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) {
      return error;
    }
    if (base != 0) {
      path.push_back('.');
    }
    path.append(key);
    auto error = WalkJsonValue(reader, field.value(), path, depth, batch, budget, emit);
    path.resize(base);
    if (error) {
      return error;
    }
  }
  return simdjson::SUCCESS;
}

template <typename Emit>
simdjson::error_code WalkJsonArray(JsonReader& reader,
                                   simdjson::ondemand::array array,
                                   std::string& path,
                                   int depth,
                                   EventBatch& batch,
                                   FieldBudget& budget,
                                   Emit& emit) {
  for (auto element_result : array) {
    simdjson::ondemand::value element;
    if (auto error = element_result.get(element)) {
      return error;
    }
    if (auto error = WalkJsonValue(reader, element, path, depth, batch, budget, emit)) {
      return error;
    }
  }
  return simdjson::SUCCESS;
}

template <typename Emit>
simdjson::error_code WalkJsonValue(JsonReader& reader,
                                   simdjson::ondemand::value value,
                                   std::string& path,
                                   int depth,
                                   EventBatch& batch,
                                   FieldBudget& budget,
                                   Emit& emit) {
  simdjson::ondemand::json_type type;
  if (auto error = value.type().get(type)) {
    return error;
  }
  if (type == simdjson::ondemand::json_type::object ||
      type == simdjson::ondemand::json_type::array) {
    if (depth >= kMaxJsonDepth) {
      // Left unconsumed: the on-demand iterator skips it when the parent moves on.
      ++budget.truncated;
      return simdjson::SUCCESS;
    }
    if (type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object object;
      if (auto error = value.get_object().get(object)) {
        return error;
      }
      return WalkJsonObject(reader, object, path, depth + 1, batch, budget, emit);
    }
    simdjson::ondemand::array array;
    if (auto error = value.get_array().get(array)) {
      return error;
    }
    return WalkJsonArray(reader, array, path, depth + 1, batch, budget, emit);
  }
  std::string_view text;
  bool present = false;
  if (auto error = reader.ScalarText(value, type, batch, &text, &present)) {
    return error;
  }
  if (!present) {
    return simdjson::SUCCESS;
  }
  if (path.empty() || path.size() > kMaxFieldNameLength) {
    ++budget.truncated;
    return simdjson::SUCCESS;
  }
  emit(std::string_view(path), text);
  return simdjson::SUCCESS;
}

}  // namespace rampart::parse::internal
