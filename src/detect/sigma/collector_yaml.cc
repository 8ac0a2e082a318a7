// The collector's YAML helpers: file positions of nodes, YAML 1.2 core-schema scalars
// (pySigma reads YAML 1.1; differences are warned about where values are read), mapping
// entries with duplicate-key checks, string fields and lists, and rule values.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>

#include "core/strings.h"
#include "detect/sigma/condition_parser.h"
#include "detect/sigma/internal/collector_parts.h"
#include "detect/sigma/internal/modifiers.h"

namespace rampart::sigma::internal {

Pos PosOf(const YAML::Node& n, uint32_t line_offset) {
  if (!n.IsDefined()) {
    return {};
  }
  YAML::Mark m = n.Mark();
  if (m.line < 0) {
    return {};
  }
  return {OneBased(m.line) + line_offset, OneBased(m.column)};
}

std::string NodeKind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Scalar:
      return "a value";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

bool IsPlain(const YAML::Node& n) {
  return n.Tag() == "?";
}

bool ParseYamlInt(std::string_view s, int64_t* out) {
  std::string_view digits = s;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  // YAML 1.2 reads 00000429 as the integer 429; YAML 1.1 (PyYAML, so pySigma and the
  // SigmaHQ tooling) reads it as the string "00000429" (not octal: it has a 9), and that is
  // what rule authors mean: registry data, hex-like codes. Leading zeros keep a string.
  if (digits.size() > 1 && digits[0] == '0' && IsDigit(digits[1])) {
    return false;
  }
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'o')) {
    if (s[0] == '-' || s[0] == '+') {
      return false;  // the core schema has no signed hex/octal
    }
    base = digits[1] == 'x' ? 16 : 8;
    digits.remove_prefix(2);
  }
  if (digits.empty()) {
    return false;
  }
  for (char c : digits) {
    bool ok = base == 16 ? (IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
                         : (base == 8 ? (c >= '0' && c <= '7') : IsDigit(c));
    if (!ok) {
      return false;
    }
  }
  uint64_t magnitude = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) {
    return false;
  }
  if (negative) {
    if (magnitude > static_cast<uint64_t>(INT64_MAX) + 1) {
      return false;
    }
    *out = magnitude == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN
                                                             : -static_cast<int64_t>(magnitude);
  } else {
    if (magnitude > static_cast<uint64_t>(INT64_MAX)) {
      return false;
    }
    *out = static_cast<int64_t>(magnitude);
  }
  return true;
}

bool ParseYamlFloat(std::string_view s, double* out) {
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF") {
    *out = HUGE_VAL;
    return true;
  }
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") {
    *out = -HUGE_VAL;
    return true;
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    *out = std::nan("");
    return true;
  }
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    ++i;
  }
  size_t int_digits = 0;
  if (i + 1 < s.size() && s[i] == '0' && IsDigit(s[i + 1])) {
    return false;  // leading zeros keep a string, see ParseYamlInt
  }
  while (i < s.size() && IsDigit(s[i])) {
    ++i;
    ++int_digits;
  }
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) {
      ++i;
      ++frac_digits;
    }
  }
  if (int_digits == 0 && frac_digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      ++i;
    }
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) {
      ++i;
      ++exp_digits;
    }
    if (exp_digits == 0) {
      return false;
    }
  }
  if (i != s.size()) {
    return false;
  }
  std::string_view body = s;
  if (!body.empty() && body[0] == '+') {
    body.remove_prefix(1);
  }
  auto r = std::from_chars(body.data(), body.data() + body.size(), *out);
  return r.ptr == body.data() + body.size() &&
         (r.ec == std::errc() || r.ec == std::errc::result_out_of_range);
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') {
        return false;
      }
    } else if (!(IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

bool DocumentConverter::Entries(const YAML::Node& map,
                                std::string_view where,
                                RefusalReason reason,
                                std::vector<Entry>* out) {
  out->clear();
  std::unordered_set<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!Spend(it->first)) {
      return false;
    }
    if (!it->first.IsScalar()) {
      return Fail(reason, At(it->first),
                  "keys in " + std::string(where) + " must be strings, not " + NodeKind(it->first));
    }
    Entry e{it->first.Scalar(), it->first, it->second};
    if (!seen.insert(e.key).second) {
      return Fail(reason, At(it->first),
                  "duplicate key " + Quote(e.key) + " in " + std::string(where));
    }
    out->push_back(std::move(e));
  }
  return true;
}

const Entry* DocumentConverter::Find(const std::vector<Entry>& entries, std::string_view key) {
  for (const Entry& e : entries) {
    if (e.key == key) {
      return &e;
    }
  }
  return nullptr;
}

bool DocumentConverter::StringField(const std::vector<Entry>& entries,
                                    std::string_view key,
                                    bool required,
                                    std::string* out) {
  const Entry* e = Find(entries, key);
  if (e == nullptr) {
    if (required) {
      return Fail(RefusalReason::kMissingField, DocPos(),
                  "missing required field '" + std::string(key) + "'");
    }
    return true;
  }
  if (!e->value.IsScalar()) {
    if (required || !e->value.IsNull()) {
      return Fail(RefusalReason::kInvalidField, At(e->key_node),
                  "'" + std::string(key) + "' must be a string, not " + NodeKind(e->value));
    }
    return true;
  }
  *out = e->value.Scalar();
  return true;
}

bool DocumentConverter::StringList(const Entry& e,
                                   bool allow_scalar,
                                   RefusalReason reason,
                                   std::string_view what,
                                   std::vector<std::string>* out) {
  out->clear();
  if (e.value.IsScalar() && allow_scalar) {
    out->push_back(e.value.Scalar());
    return true;
  }
  if (e.value.IsNull()) {
    return true;
  }
  if (!e.value.IsSequence()) {
    return Fail(reason, At(e.key_node), std::string(what));
  }
  for (const YAML::Node& item : e.value) {
    if (!Spend(item)) {
      return false;
    }
    if (!item.IsScalar()) {
      return Fail(reason, At(item), std::string(what));
    }
    out->push_back(item.Scalar());
  }
  return true;
}

bool DocumentConverter::LenientList(std::string_view key, std::vector<std::string>* out) {
  const Entry* e = Find(top_, key);
  if (e == nullptr) {
    return true;
  }
  if (e->value.IsScalar()) {
    out->push_back(e->value.Scalar());
  } else if (e->value.IsSequence()) {
    for (const YAML::Node& item : e->value) {
      if (!Spend(item)) {
        return false;
      }
      if (item.IsScalar()) {
        out->push_back(item.Scalar());
      }
    }
  }
  return true;
}

Value DocumentConverter::ToValue(const YAML::Node& n) {
  Value v;
  if (n.IsNull()) {
    v.type = ValueType::kNull;
    return v;
  }
  v.text = n.Scalar();
  const std::string& tag = n.Tag();
  if (tag == "?") {
    const std::string& s = v.text;
    if (s == "null" || s == "Null" || s == "NULL" || s == "~") {
      v.type = ValueType::kNull;
      v.text.clear();
    } else if (s == "true" || s == "True" || s == "TRUE") {
      v.type = ValueType::kBool;
      v.boolean = true;
    } else if (s == "false" || s == "False" || s == "FALSE") {
      v.type = ValueType::kBool;
    } else if (ParseYamlInt(s, &v.integer)) {
      v.type = ValueType::kNumber;
      v.is_integer = true;
      v.number = static_cast<double>(v.integer);
    } else if (ParseYamlFloat(s, &v.number)) {
      v.type = ValueType::kNumber;
    } else {
      std::string lower = ToLower(s);
      if (lower == "yes" || lower == "no" || lower == "on" || lower == "off") {
        Warn(WarningCode::kYaml11Scalar, At(n),
             "plain " + Quote(s) +
                 " is a string in YAML 1.2 but a boolean in YAML 1.1 (pySigma): quote it or "
                 "write true/false");
      }
    }
    return v;
  }
  if (tag == "tag:yaml.org,2002:int" && ParseYamlInt(v.text, &v.integer)) {
    v.type = ValueType::kNumber;
    v.is_integer = true;
    v.number = static_cast<double>(v.integer);
  } else if (tag == "tag:yaml.org,2002:float" && ParseYamlFloat(v.text, &v.number)) {
    v.type = ValueType::kNumber;
  } else if (tag == "tag:yaml.org,2002:bool" && (v.text == "true" || v.text == "false")) {
    v.type = ValueType::kBool;
    v.boolean = v.text == "true";
  } else if (tag == "tag:yaml.org,2002:null") {
    v.type = ValueType::kNull;
    v.text.clear();
  }
  return v;  // quoted, block and other tags: a string
}

}  // namespace rampart::sigma::internal
