#include "parse/internal/json_util.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <functional>
#include <string>

#include "core/strings.h"
#include "core/time_util.h"

namespace rampart::parse::internal {
namespace {

inline bool IsJsonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view TrimJsonSpace(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// simdjson's on-demand API does not validate a number we only look at as text.
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && s[i] == '-') {
    ++i;
  }
  if (i >= n) {
    return false;
  }
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && IsDigit(s[i])) {
      ++i;
    }
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (i >= n || !IsDigit(s[i])) {
      return false;
    }
    while (i < n && IsDigit(s[i])) {
      ++i;
    }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
      ++i;
    }
    if (i >= n || !IsDigit(s[i])) {
      return false;
    }
    while (i < n && IsDigit(s[i])) {
      ++i;
    }
  }
  return i == n;
}

// Length of the well-formed UTF-8 sequence at s[i], or 0 if it is not well formed
// (overlong forms, surrogates and code points above U+10FFFF are rejected).
size_t Utf8SequenceLength(const unsigned char* s, size_t i, size_t n) {
  const unsigned char c = s[i];
  if (c < 0x80) {
    return 1;
  }
  auto cont = [&](size_t k) {
    return i + k < n && (s[i + k] & 0xC0) == 0x80;
  };
  if (c >= 0xC2 && c <= 0xDF) {
    return cont(1) ? 2 : 0;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) {
      return 0;
    }
    const unsigned char c1 = s[i + 1];
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) {
      return 0;
    }
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) {
      return 0;
    }
    const unsigned char c1 = s[i + 1];
    if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) {
      return 0;
    }
    return 4;
  }
  return 0;
}

bool LooksLikeEpoch(std::string_view s) {
  size_t digits = 0;
  bool dot = false;
  for (char c : s) {
    if (IsDigit(c)) {
      ++digits;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits > 0 && IsDigit(s.front());
}

}  // namespace

void JsonReader::EnsureCapacity(size_t bytes) {
  if (bytes > capacity_) {
    // Grow geometrically so a slowly increasing record size does not reallocate often.
    size_t cap = capacity_ == 0 ? 4096 : capacity_;
    while (cap < bytes) {
      cap *= 2;
    }
    buf_ = std::make_unique<char[]>(cap);
    capacity_ = cap;
  }
}

Status JsonReader::OpenRecord(std::string_view format_name,
                              std::string_view record,
                              const ParseContext& ctx,
                              EventBatch& batch,
                              Event& event,
                              simdjson::ondemand::document& doc,
                              simdjson::ondemand::object& object) {
  // The record is copied once, into the arena with simdjson's padding after it, and
  // parsed there: values without escapes are then views of the event's raw text.
  char* copy = batch.arena().Allocate(record.size() + simdjson::SIMDJSON_PADDING);
  if (!record.empty()) {
    std::memcpy(copy, record.data(), record.size());
  }
  std::memset(copy + record.size(), 0, simdjson::SIMDJSON_PADDING);
  event.raw = std::string_view(copy, record.size());
  event.tenant = batch.Copy(ctx.tenant);
  sanitized_ = false;
  arena_copy_ = event.raw;
  in_place_ = true;
  auto parsed =
      parser_.iterate(copy, record.size(), record.size() + simdjson::SIMDJSON_PADDING).get(doc);
  if (parsed == simdjson::UTF8_ERROR) {
    parsed = Start(record, event.raw, doc);  // sanitizes a copy
  }
  if (parsed) {
    return JsonError(format_name, parsed);
  }
  if (auto error = doc.get_object().get(object)) {
    return JsonError(format_name, error);
  }
  return Status::Ok();
}

simdjson::error_code JsonReader::Start(std::string_view json,
                                       std::string_view arena_copy,
                                       simdjson::ondemand::document& doc) {
  sanitized_ = false;
  arena_copy_ = arena_copy;
  in_place_ = false;
  EnsureCapacity(json.size() + simdjson::SIMDJSON_PADDING);
  if (!json.empty()) {
    std::memcpy(buf_.get(), json.data(), json.size());
  }
  std::memset(buf_.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);
  auto error = parser_.iterate(buf_.get(), json.size(), capacity_).get(doc);
  if (error != simdjson::UTF8_ERROR) {
    return error;
  }

  // Slow path: replace each byte that is not part of well-formed UTF-8 with U+FFFD.
  // Offsets no longer match the arena copy, so values are copied from here on.
  sanitized_ = true;
  arena_copy_ = {};
  const auto* in = reinterpret_cast<const unsigned char*>(json.data());
  const size_t n = json.size();
  EnsureCapacity(n * 3 + simdjson::SIMDJSON_PADDING);
  char* out = buf_.get();
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    size_t len = Utf8SequenceLength(in, i, n);
    if (len == 0) {
      out[o++] = '\xEF';
      out[o++] = '\xBF';
      out[o++] = '\xBD';
      ++i;
    } else {
      std::memcpy(out + o, in + i, len);
      o += len;
      i += len;
    }
  }
  std::memset(out + o, 0, simdjson::SIMDJSON_PADDING);
  return parser_.iterate(out, o, capacity_).get(doc);
}

std::string_view JsonReader::ToArena(std::string_view token, EventBatch& batch) const {
  if (in_place_) {
    const std::less<const char*> before;
    const char* end = arena_copy_.data() + arena_copy_.size();
    if (!before(token.data(), arena_copy_.data()) && !before(end, token.data() + token.size())) {
      return token;
    }
    return batch.Copy(token);
  }
  const auto begin = reinterpret_cast<uintptr_t>(buf_.get());
  const auto at = reinterpret_cast<uintptr_t>(token.data());
  if (!arena_copy_.empty() && at >= begin) {
    const size_t offset = at - begin;
    if (offset + token.size() <= arena_copy_.size()) {
      return arena_copy_.substr(offset, token.size());
    }
  }
  return batch.Copy(token);
}

simdjson::error_code JsonReader::ScalarText(simdjson::ondemand::value& value,
                                            simdjson::ondemand::json_type type,
                                            EventBatch& batch,
                                            std::string_view* out,
                                            bool* present) {
  using simdjson::ondemand::json_type;
  *present = true;
  const std::string_view token = TrimJsonSpace(value.raw_json_token());
  switch (type) {
    case json_type::string: {
      if (token.size() >= 2 && token.front() == '"' && token.back() == '"') {
        std::string_view body = token.substr(1, token.size() - 2);
        if (body.find('\\') == std::string_view::npos) {
          *out = ToArena(body, batch);
          return simdjson::SUCCESS;
        }
        std::string_view decoded;
        if (value.get_string().get(decoded) == simdjson::SUCCESS) {
          *out = batch.Copy(decoded);
        } else {
          // A lone surrogate escape ("\ud800") cannot be decoded; keep the escaped
          // text rather than lose the value or the event.
          *out = ToArena(body, batch);
        }
        return simdjson::SUCCESS;
      }
      return simdjson::STRING_ERROR;
    }
    case json_type::number:
      if (!IsJsonNumber(token)) {
        return simdjson::NUMBER_ERROR;
      }
      *out = ToArena(token, batch);
      return simdjson::SUCCESS;
    case json_type::boolean:
      if (token != "true" && token != "false") {
        return simdjson::T_ATOM_ERROR;
      }
      *out = ToArena(token, batch);
      return simdjson::SUCCESS;
    case json_type::null:
      if (token != "null") {
        return simdjson::N_ATOM_ERROR;
      }
      *present = false;
      return simdjson::SUCCESS;
    default:
      return simdjson::INCORRECT_TYPE;
  }
}

namespace {

// Equality of two short strings (field names) without a library call: compared 8 bytes
// at a time, the tail by one overlapping load.
inline bool SameName(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) {
    return false;
  }
  const char* x = a.data();
  const char* y = b.data();
  if (n < 8) {
    for (size_t i = 0; i < n; ++i) {
      if (x[i] != y[i]) {
        return false;
      }
    }
    return true;
  }
  uint64_t u = 0;
  uint64_t v = 0;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    std::memcpy(&u, x + i, 8);
    std::memcpy(&v, y + i, 8);
    if (u != v) {
      return false;
    }
  }
  std::memcpy(&u, x + n - 8, 8);
  std::memcpy(&v, y + n - 8, 8);
  return u == v;
}

}  // namespace

FieldNameCache::Entry FieldNameCache::Get(std::string_view name) {
  uint32_t& predicted = previous_ == kNone ? first_ : known_[previous_].successor;
  if (predicted != kNone && SameName(known_[predicted].name, name)) {
    previous_ = predicted;
    return known_[predicted].entry;
  }
  const uint32_t index = Lookup(name);  // may grow known_: `predicted` is stale after it
  if (index == kNone) {
    previous_ = kNone;
    return Entry{FieldDict::Intern(name), tagger_ != nullptr ? tagger_(name) : uint8_t{0}};
  }
  (previous_ == kNone ? first_ : known_[previous_].successor) = index;
  previous_ = index;
  return known_[index].entry;
}

uint32_t FieldNameCache::Lookup(std::string_view name) {
  auto it = index_.find(name);
  if (it != index_.end()) {
    return it->second;
  }
  if (known_.size() >= kMaxCachedNames) {
    return kNone;
  }
  const auto index = static_cast<uint32_t>(known_.size());
  known_.push_back(Known{
      std::string(name),
      Entry{FieldDict::Intern(name), tagger_ != nullptr ? tagger_(name) : uint8_t{0}}, kNone});
  index_.emplace(std::string(name), index);
  return index;
}

Status JsonError(std::string_view format_name, simdjson::error_code error) {
  std::string_view reason;
  switch (error) {
    case simdjson::EMPTY:
      reason = "empty record";
      break;
    case simdjson::INCORRECT_TYPE:
      reason = "not a JSON object";
      break;
    case simdjson::TRAILING_CONTENT:
      reason = "trailing data after the JSON object";
      break;
    case simdjson::DEPTH_ERROR:
      reason = "JSON nested too deeply";
      break;
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      reason = "truncated JSON object";
      break;
    case simdjson::UNCLOSED_STRING:
    case simdjson::STRING_ERROR:
      reason = "invalid JSON string";
      break;
    case simdjson::NUMBER_ERROR:
      reason = "invalid JSON number";
      break;
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      reason = "invalid JSON literal";
      break;
    case simdjson::CAPACITY:
    case simdjson::MEMALLOC:
      reason = "record too large";
      break;
    default:
      reason = "invalid JSON";
      break;
  }
  std::string message;
  message.reserve(format_name.size() + 2 + reason.size());
  message.append(format_name).append(": ").append(reason);
  return InvalidArgument(message);
}

bool HasTrailingContent(simdjson::ondemand::document& doc) {
  // current_location() fails with OUT_OF_BOUNDS exactly when the whole input was consumed.
  const char* location = nullptr;
  return doc.current_location().get(location) == simdjson::SUCCESS;
}

std::string_view ArenaDecimal(EventBatch& batch, uint64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), n);
  return batch.Copy(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

void AddTruncatedField(EventBatch& batch, const FieldBudget& budget) {
  if (budget.truncated == 0) {
    return;
  }
  static const FieldId kTruncatedId = FieldDict::Intern(kTruncatedFieldsName);
  batch.AddField(kTruncatedId, ArenaDecimal(batch, budget.truncated));
}

bool ParseFlexibleTime(std::string_view s, int64_t* out_ns) {
  s = Trim(s);
  if (s.empty()) {
    return false;
  }
  if (LooksLikeEpoch(s)) {
    const size_t int_digits = std::min(s.find('.'), s.size());
    std::string_view unit = int_digits <= 11   ? "s"
                            : int_digits <= 14 ? "ms"
                            : int_digits <= 17 ? "us"
                                               : "ns";
    return ParseEpoch(s, unit, out_ns);
  }
  return ParseIso8601(s, out_ns) || ParseClfTime(s, out_ns);
}

}  // namespace rampart::parse::internal
