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
  bool in_place_ = false;  // parsing arena_copy_ itself (OpenRecord), not buf_
  bool sanitized_ = false;
};

// Interned field ids by name, cached per parser so repeated keys cost one comparison
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

  // Call before the first key of each record: keys are predicted from the one before.
  void StartRecord() { previous_ = kNone; }
  Entry Get(std::string_view name);

 private:
  // A hostile source can invent unbounded key names; past this the cache stops growing
  // (FieldDict itself folds names beyond its own cap into "_overflow").
  static constexpr size_t kMaxCachedNames = 8192;
  static constexpr uint32_t kNone = UINT32_MAX;

  struct Hash {
    using is_transparent = void;  // NOLINT(readability-identifier-naming): std name
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  // Records of one source repeat their keys in a few orders (one per event type), so each
  // known name remembers the name that followed it last time, and that one is compared
  // first (a short memcmp) before the hash lookup.
  struct Known {
    std::string name;
    Entry entry;
    uint32_t successor = kNone;
  };
  uint32_t Lookup(std::string_view name);  // index into known_, or kNone when full

  std::vector<Known> known_;
  uint32_t first_ = kNone;     // the name that started the last record
  uint32_t previous_ = kNone;  // the name before the current one in this record
  Tagger tagger_;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> index_;
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

// The key of an object field without copying it: the raw bytes between the quotes when
// they contain no escape (nearly always), else the unescaped copy simdjson makes.
inline simdjson::error_code FieldKey(simdjson::ondemand::field& field, std::string_view* key) {
  const char* const start = field.key().raw();
  for (const char* p = start;; ++p) {
    if (*p == '"') {
      *key = std::string_view(start, static_cast<size_t>(p - start));
      return simdjson::SUCCESS;
    }
    if (*p == '\\') {
      return field.unescaped_key().get(*key);
    }
  }
}

// Walks a JSON value whose dotted name is `name` (`depth` = number of containers enclosing
// it) and calls emit(name, text) for every scalar leaf. Objects extend the name with
// ".key"; array elements repeat the array's name. Nulls are skipped. Containers nested
// beyond kMaxJsonDepth, empty names and names longer than kMaxFieldNameLength are counted
// in budget.truncated instead. `path` is scratch space for nested names; it is restored
// before returning. A top-level key is passed as a view, without copying it into `path`.
template <typename Emit>
simdjson::error_code WalkJsonValue(JsonReader& reader,
                                   simdjson::ondemand::value& value,
                                   std::string_view name,
                                   std::string& path,
                                   int depth,
                                   EventBatch& batch,
                                   FieldBudget& budget,
                                   Emit& emit);

// Walks an object whose dotted name is the content of `path` (empty at the top level).
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
    // Used in place: copying a field or a value through a simdjson_result costs a
    // store-forwarding stall per field (passing `value` by reference below, likewise).
    if (auto error = field_result.error()) {
      return error;
    }
    simdjson::ondemand::field& field = field_result.value_unsafe();
    std::string_view key;
    if (auto error = FieldKey(field, &key)) {
      return error;
    }
    std::string_view name = key;
    if (base != 0) {
      path.push_back('.');
      path.append(key);
      name = path;
    }
    auto error = WalkJsonValue(reader, field.value(), name, path, depth, batch, budget, emit);
    path.resize(base);
    if (error) {
      return error;
    }
  }
  return simdjson::SUCCESS;
}

// Walks an array whose dotted name is the content of `path`.
template <typename Emit>
simdjson::error_code WalkJsonArray(JsonReader& reader,
                                   simdjson::ondemand::array array,
                                   std::string& path,
                                   int depth,
                                   EventBatch& batch,
                                   FieldBudget& budget,
                                   Emit& emit) {
  for (auto element_result : array) {
    if (auto error = element_result.error()) {
      return error;
    }
    simdjson::ondemand::value& element = element_result.value_unsafe();
    if (auto error = WalkJsonValue(reader, element, path, path, depth, batch, budget, emit)) {
      return error;
    }
  }
  return simdjson::SUCCESS;
}

template <typename Emit>
simdjson::error_code WalkJsonValue(JsonReader& reader,
                                   simdjson::ondemand::value& value,
                                   std::string_view name,
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
    if (name.data() != path.data()) {
      path.assign(name);  // a top-level key: nested names extend it
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
  if (name.empty() || name.size() > kMaxFieldNameLength) {
    ++budget.truncated;
    return simdjson::SUCCESS;
  }
  emit(name, text);
  return simdjson::SUCCESS;
}

}  // namespace rampart::parse::internal
