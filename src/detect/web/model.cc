#include "detect/web/model.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/file.h"
#include "core/hash.h"
#include "core/strings.h"

namespace rampart::detect::web {

// ---- value classes --------------------------------------------------------------------

namespace {

enum ValueClass : uint8_t {
  kEmpty,    // "" or null
  kInt,      // -?[0-9]+
  kDecimal,  // -?[0-9]+.[0-9]+, exponents
  kHex,      // 8+ hex digits with a decimal digit
  kUuid,
  kEmail,
  kDate,   // YYYY-MM-DD, optionally with a time and zone
  kBool,   // true / false
  kToken,  // 16+ [A-Za-z0-9_-] (JWT dots, base64 padding) mixing letters and digits
  kWord,   // [A-Za-z0-9_][A-Za-z0-9_.-]*
  kText,   // anything else
};
constexpr size_t kClassCount = 11;
constexpr std::array<std::string_view, kClassCount> kClassNames = {
    "empty",  "an integer", "a decimal",       "hex",    "a UUID",   "an e-mail address",
    "a date", "a boolean",  "an opaque token", "a word", "free text"};

constexpr uint32_t Bit(ValueClass c) {
  return 1u << c;
}

// Families: sets of classes a parameter's values can hold. The first (most specific) family
// holding >= 99% of a parameter's non-empty values is its type; kText holds everything.
struct Family {
  std::string_view name;  // "`id` was <name> in ..."
  uint32_t classes;
};
constexpr uint32_t kAnyClass = (1u << kClassCount) - 1;
constexpr std::array<Family, 8> kFamilies = {{
    {"a UUID", Bit(kUuid)},
    {"an e-mail address", Bit(kEmail)},
    {"a date", Bit(kDate)},
    {"numeric", Bit(kInt) | Bit(kDecimal)},
    {"a boolean", Bit(kBool) | Bit(kInt)},
    {"hex", Bit(kHex) | Bit(kInt)},
    {"an identifier or token", Bit(kWord) | Bit(kToken) | Bit(kHex) | Bit(kInt) | Bit(kDecimal) |
                                   Bit(kUuid) | Bit(kBool) | Bit(kDate)},
    {"free text", kAnyClass},
}};
constexpr size_t kNumericFamily = 3;
constexpr size_t kHexFamily = 5;
constexpr size_t kIdentFamily = 6;
constexpr size_t kTextFamily = 7;

bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsTokenChar(char c) {
  return IsAlpha(c) || IsDigit(c) || c == '_' || c == '-';
}
bool AllDigits(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!IsDigit(c)) {
      return false;
    }
  }
  return true;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < 36; ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHexDigit(s[i])) {
      return false;
    }
  }
  return true;
}

// YYYY-MM-DD.
bool IsDay(std::string_view s) {
  return s.size() >= 10 && IsDigit(s[0]) && IsDigit(s[1]) && IsDigit(s[2]) && IsDigit(s[3]) &&
         s[4] == '-' && IsDigit(s[5]) && IsDigit(s[6]) && s[7] == '-' && IsDigit(s[8]) &&
         IsDigit(s[9]);
}

// YYYY-MM-DD, optionally [T ]HH:MM[:SS[.fff]][Z|+HH:MM|+HHMM].
bool IsDateTime(std::string_view s) {
  if (!IsDay(s)) {
    return false;
  }
  if (s.size() == 10) {
    return true;
  }
  auto two = [&](size_t i) {
    return i + 1 < s.size() && IsDigit(s[i]) && IsDigit(s[i + 1]);
  };
  if ((s[10] != 'T' && s[10] != ' ') || !two(11) || s.size() < 16 || s[13] != ':' || !two(14)) {
    return false;
  }
  size_t i = 16;
  if (i < s.size() && s[i] == ':') {
    if (!two(i + 1)) {
      return false;
    }
    i += 3;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      ++i;
      const size_t start = i;
      while (i < s.size() && IsDigit(s[i])) {
        ++i;
      }
      if (i == start) {
        return false;
      }
    }
  }
  if (i == s.size()) {
    return true;
  }
  if (s[i] == 'Z' && i + 1 == s.size()) {
    return true;
  }
  if (s[i] == '+' || s[i] == '-') {
    const std::string_view zone = s.substr(i + 1);
    return (zone.size() == 5 && two(i + 1) && zone[2] == ':' && two(i + 4)) ||
           (zone.size() == 4 && two(i + 1) && two(i + 3)) || (zone.size() == 2 && two(i + 1));
  }
  return false;
}

bool IsEmail(std::string_view s) {
  const size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.size() > 254 ||
      s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  constexpr std::string_view kAtext = "!#$%&'*+/=?^_`{|}~.-";  // RFC 5322, "o'neil@..."
  for (size_t i = 0; i < at; ++i) {
    const char c = s[i];
    if (!(IsAlpha(c) || IsDigit(c) || kAtext.find(c) != std::string_view::npos)) {
      return false;
    }
  }
  const std::string_view domain = s.substr(at + 1);
  if (domain.size() < 3 || domain.front() == '.' || domain.back() == '.' ||
      domain.find('.') == std::string_view::npos) {
    return false;
  }
  for (char c : domain) {
    if (!(IsAlpha(c) || IsDigit(c) || c == '.' || c == '-')) {
      return false;
    }
  }
  return true;
}

// 8+ hex digits, at least one of them a decimal digit (so words like "deadbeef" stay words).
bool IsLongHex(std::string_view s) {
  if (s.size() < 8) {
    return false;
  }
  bool digit = false;
  for (char c : s) {
    if (!IsHexDigit(c)) {
      return false;
    }
    digit |= IsDigit(c);
  }
  return digit;
}

// 16+ [A-Za-z0-9_-] mixing letters and digits. With `loose`, also JWT dots and base64
// '=' padding at the end (values; not path segments).
bool IsOpaqueToken(std::string_view s, bool loose) {
  if (loose) {
    while (!s.empty() && s.back() == '=') {
      s.remove_suffix(1);
    }
  }
  if (s.size() < 16) {
    return false;
  }
  bool alpha = false;
  bool digit = false;
  for (char c : s) {
    if (IsAlpha(c)) {
      alpha = true;
    } else if (IsDigit(c)) {
      digit = true;
    } else if (!(c == '_' || c == '-' || (loose && c == '.'))) {
      return false;
    }
  }
  return alpha && digit;
}

bool IsWord(std::string_view s) {
  if (s.empty() || !(IsAlpha(s[0]) || IsDigit(s[0]) || s[0] == '_')) {
    return false;
  }
  for (char c : s) {
    if (!(IsTokenChar(c) || c == '.')) {
      return false;
    }
  }
  return true;
}

bool IsNumber(std::string_view s, bool* decimal) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    ++i;
  }
  const size_t int_begin = i;
  while (i < s.size() && IsDigit(s[i])) {
    ++i;
  }
  if (i == int_begin) {
    return false;
  }
  *decimal = false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t frac = i;
    while (i < s.size() && IsDigit(s[i])) {
      ++i;
    }
    if (i == frac) {
      return false;
    }
    *decimal = true;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      ++i;
    }
    const size_t exp = i;
    while (i < s.size() && IsDigit(s[i])) {
      ++i;
    }
    if (i == exp) {
      return false;
    }
    *decimal = true;
  }
  return i == s.size();
}

ValueClass Classify(std::string_view s) {
  if (s.empty() || s == "null") {
    return kEmpty;
  }
  bool decimal = false;
  if (IsNumber(s, &decimal)) {
    return decimal ? kDecimal : kInt;
  }
  if (EqualsIgnoreCase(s, "true") || EqualsIgnoreCase(s, "false")) {
    return kBool;
  }
  if (IsUuid(s)) {
    return kUuid;
  }
  if (IsDateTime(s)) {
    return kDate;
  }
  if (IsEmail(s)) {
    return kEmail;
  }
  if (IsLongHex(s)) {
    return kHex;
  }
  if (IsOpaqueToken(s, true)) {
    return kToken;
  }
  if (IsWord(s)) {
    return kWord;
  }
  return kText;
}

size_t DominantFamily(const std::array<uint32_t, kClassCount>& counts, uint64_t non_empty) {
  for (size_t f = 0; f < kFamilies.size(); ++f) {
    uint64_t in = 0;
    for (size_t c = 1; c < kClassCount; ++c) {
      if ((kFamilies[f].classes & (1u << c)) != 0) {
        in += counts[c];
      }
    }
    if (in * 100 >= non_empty * 99) {
      return f;
    }
  }
  return kTextFamily;
}

// ---- character classes ----------------------------------------------------------------

constexpr uint8_t kCharDigit = 0;
constexpr uint8_t kCharLower = 1;
constexpr uint8_t kCharUpper = 2;
constexpr uint8_t kCharSpace = 3;
constexpr std::string_view kPunct = "'\";|&$`<>(){}[]\\/%=,.:-_+*!?#@~^";  // bits 4..35
constexpr uint8_t kCharPunctBase = 4;
constexpr uint8_t kCharLineBreak = 36;  // \t \r \n
constexpr uint8_t kCharControl = 37;
constexpr uint8_t kCharNonAscii = 38;
static_assert(kPunct.size() == 32);

struct CharTable {
  std::array<uint8_t, 256> bit{};
  constexpr CharTable() {
    for (int c = 0; c < 256; ++c) {
      uint8_t b = kCharControl;
      if (c >= 0x80) {
        b = kCharNonAscii;
      } else if (c >= '0' && c <= '9') {
        b = kCharDigit;
      } else if (c >= 'a' && c <= 'z') {
        b = kCharLower;
      } else if (c >= 'A' && c <= 'Z') {
        b = kCharUpper;
      } else if (c == ' ') {
        b = kCharSpace;
      } else if (c == '\t' || c == '\r' || c == '\n') {
        b = kCharLineBreak;
      } else {
        for (size_t i = 0; i < kPunct.size(); ++i) {
          if (kPunct[i] == c) {
            b = static_cast<uint8_t>(kCharPunctBase + i);
          }
        }
      }
      bit[c] = b;
    }
  }
};
constexpr CharTable kCharTable;

constexpr uint64_t CharBit(char c) {
  return uint64_t{1} << kCharTable.bit[static_cast<unsigned char>(c)];
}

uint64_t CharMask(std::string_view s) {
  uint64_t mask = 0;
  for (char c : s) {
    mask |= CharBit(c);
  }
  return mask;
}

// The characters worth a finding in free text: quotes and shell/template/markup syntax.
constexpr uint64_t DangerousMask() {
  uint64_t m = uint64_t{1} << kCharControl;
  for (char c : std::string_view("'\";|`$<>{}\\")) {
    m |= CharBit(c);
  }
  return m;
}
constexpr uint64_t kDangerousChars = DangerousMask();
// In typed parameters every character class but letters and digits is worth one.
constexpr uint64_t kNotableChars =
    ~((uint64_t{1} << kCharDigit) | (uint64_t{1} << kCharLower) | (uint64_t{1} << kCharUpper));

void AppendCharName(std::string& out, uint8_t bit) {
  if (bit == kCharSpace) {
    out += "spaces";
  } else if (bit == kCharLineBreak) {
    out += "line breaks or tabs";
  } else if (bit == kCharControl) {
    out += "control characters";
  } else if (bit == kCharNonAscii) {
    out += "non-ASCII bytes";
  } else if (bit >= kCharPunctBase && bit < kCharPunctBase + kPunct.size()) {
    const char c = kPunct[bit - kCharPunctBase];
    if (c == '`') {
      out += "a backtick";
    } else {
      out += '`';
      out += c;
      out += '`';
    }
  } else {
    out += bit == kCharDigit ? "digits" : bit == kCharLower ? "lower case" : "upper case";
  }
}

// ---- path templates -------------------------------------------------------------------

// A business id such as "SKU-25714" or "ORD-2026-000123": [A-Za-z0-9_-] with a letter and
// 4+ digits ("v2", "iphone16" stay literal).
bool IsCodedId(std::string_view s) {
  int digits = 0;
  bool alpha = false;
  for (char c : s) {
    if (IsDigit(c)) {
      ++digits;
    } else if (IsAlpha(c)) {
      alpha = true;
    } else if (c != '_' && c != '-') {
      return false;
    }
  }
  return alpha && digits >= 4;
}

// The placeholder for an id-like segment (already %-decoded), or empty.
std::string_view Placeholder(std::string_view s) {
  if (s.empty()) {
    return {};
  }
  if (AllDigits(s)) {
    return "{num}";
  }
  if (IsUuid(s)) {
    return "{uuid}";
  }
  if (s.size() == 10 && IsDay(s)) {
    return "{date}";
  }
  if (IsEmail(s)) {
    return "{email}";
  }
  if (IsLongHex(s)) {
    return "{hex}";
  }
  if (IsOpaqueToken(s, false)) {
    return "{token}";
  }
  if (IsCodedId(s)) {
    return "{id}";
  }
  return {};
}

bool IsPlaceholder(std::string_view s) {
  return s == "{num}" || s == "{uuid}" || s == "{date}" || s == "{email}" || s == "{hex}" ||
         s == "{token}" || s == "{id}";
}

void AppendUrlDecoded(std::string& out, std::string_view s, bool plus_is_space) {
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
      continue;
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
}

bool NeedsDecoding(std::string_view s, bool plus_is_space) {
  return s.find('%') != std::string_view::npos ||
         (plus_is_space && s.find('+') != std::string_view::npos);
}

// Appends the template of `path` to `out`; `placeholders` gets the index of every piece
// (pieces are split at '/', the one before a leading '/' included) that was templated.
void AppendTemplate(std::string& out,
                    std::string_view path,
                    std::string& scratch,
                    std::vector<uint32_t>* placeholders) {
  uint32_t piece = 0;
  size_t pos = 0;
  while (true) {
    size_t slash = path.find('/', pos);
    const std::string_view seg =
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    std::string_view decoded = seg;
    if (NeedsDecoding(seg, false)) {
      scratch.clear();
      AppendUrlDecoded(scratch, seg, false);
      decoded = scratch;
    }
    const std::string_view ph = Placeholder(decoded);
    if (!ph.empty()) {
      out += ph;
      if (placeholders != nullptr) {
        placeholders->push_back(piece);
      }
    } else {
      out += seg;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    out += '/';
    pos = slash + 1;
    ++piece;
  }
}

// Templates ids inside parameter names: runs between '.', '[' and ']'.
void AppendNameTemplate(std::string& out, std::string_view name) {
  size_t pos = 0;
  while (pos <= name.size()) {
    size_t end = name.find_first_of(".[]", pos);
    if (end == std::string_view::npos) {
      end = name.size();
    }
    const std::string_view run = name.substr(pos, end - pos);
    const std::string_view ph = Placeholder(run);
    out += ph.empty() ? run : ph;
    if (end == name.size()) {
      break;
    }
    out += name[end];
    pos = end + 1;
  }
}

std::string_view PieceAt(std::string_view path, uint32_t index) {
  size_t pos = 0;
  for (uint32_t i = 0; i < index; ++i) {
    const size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) {
      return {};
    }
    pos = slash + 1;
  }
  const size_t slash = path.find('/', pos);
  return path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
}

uint32_t PieceCount(std::string_view path) {
  return static_cast<uint32_t>(std::count(path.begin(), path.end(), '/')) + 1;
}

// ---- request bodies -------------------------------------------------------------------

constexpr size_t kBodyCategories = 8;
constexpr std::array<std::string_view, kBodyCategories> kBodyNames = {
    "requests without a body",
    "JSON bodies",
    "form bodies",
    "multipart bodies",
    "XML bodies",
    "text/* bodies",
    "bodies without a content type",
    "bodies of other types"};

uint8_t ContentCategory(const RequestView& view) {
  if (view.body().empty()) {
    return 0;
  }
  const std::string_view type = view.content_type();
  if (type.empty()) {
    return 6;
  }
  if (ContainsIgnoreCase(type, "json")) {
    return 1;
  }
  if (ContainsIgnoreCase(type, "x-www-form-urlencoded")) {
    return 2;
  }
  if (ContainsIgnoreCase(type, "multipart/")) {
    return 3;
  }
  if (ContainsIgnoreCase(type, "xml")) {
    return 4;
  }
  if (ContainsIgnoreCase(type, "text/")) {
    return 5;
  }
  return 7;
}

// ---- explanations ---------------------------------------------------------------------

void AppendCount(std::string& out, uint64_t n) {
  const std::string digits = std::to_string(n);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out += ',';
    }
    out += digits[i];
  }
}

// `value` between backticks, cut at ~80 bytes on a UTF-8 boundary, control bytes escaped.
void AppendQuoted(std::string& out, std::string_view value) {
  constexpr size_t kMax = 80;
  bool cut = false;
  if (value.size() > kMax) {
    size_t n = kMax;
    while (n > 0 && (static_cast<unsigned char>(value[n]) & 0xC0) == 0x80) {
      --n;
    }
    value = value.substr(0, n);
    cut = true;
  }
  out += '`';
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (cut) {
    out += "…";
  }
  out += '`';
}

}  // namespace

// ---- model state ----------------------------------------------------------------------

struct EndpointModel::Param {
  std::string name;
  uint64_t hash = 0;
  ArgSource source = ArgSource::kNone;
  bool probation = false;  // learned after the endpoint began detecting; see the header
  uint32_t requests = 0;   // learned requests that carried it
  uint32_t values = 0;     // values learned (arrays give several per request)
  uint32_t len_min = 0;
  uint32_t len_max = 0;
  double len_mean = 0;  // Welford
  double len_m2 = 0;
  uint64_t chars = 0;  // character classes seen
  std::array<uint32_t, kClassCount> classes{};
  uint32_t max_count = 0;     // most values in one request
  uint32_t last_request = 0;  // the learning sequence number that last counted it
  uint32_t count = 0;         // values in that request
};

struct EndpointModel::Endpoint {
  std::string key;  // host '\x1f' method '\x1f' template
  uint32_t host_len = 0;
  uint32_t method_len = 0;
  uint32_t learned = 0;
  uint32_t params_dropped = 0;
  std::array<uint32_t, kBodyCategories> bodies{};  // learned requests by body type
  size_t bytes = 0;                                // accounted in the model's bytes_
  std::vector<Param> params;

  std::string_view host() const { return std::string_view(key).substr(0, host_len); }
  std::string_view method() const { return std::string_view(key).substr(host_len + 1, method_len); }
  std::string_view templ() const { return std::string_view(key).substr(host_len + method_len + 2); }
  Param* Find(ArgSource source, std::string_view name, uint64_t hash) {
    for (Param& p : params) {
      if (p.hash == hash && p.source == source && p.name == name) {
        return &p;
      }
    }
    return nullptr;
  }
  const Param* Find(ArgSource source, std::string_view name, uint64_t hash) const {
    return const_cast<Endpoint*>(this)->Find(source, name, hash);
  }
};

struct EndpointModel::Value {
  const Part* part = nullptr;  // null: a path segment
  ArgSource source = ArgSource::kNone;
  // Offsets into names_/value_bytes_ while collecting (they may move), or -1 when the
  // name/value is used as sent; views once collected.
  int64_t name_off = -1;
  uint32_t name_len = 0;
  int64_t value_off = -1;
  uint32_t value_len = 0;
  std::string_view name;
  std::string_view value;  // decoded
  std::string_view raw;
  uint64_t hash = 0;
  uint64_t chars = 0;
  ValueClass cls = kEmpty;
};

namespace {

constexpr size_t kNodeOverhead = 64;  // hash node, bucket and unique_ptr, roughly

size_t StringHeap(const std::string& s) {
  return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

uint64_t ParamHash(ArgSource source, std::string_view name) {
  return HashBytes(name, static_cast<uint64_t>(source) + 1);
}

void LearnValue(EndpointModel::Param& p,
                const std::string_view value,
                ValueClass cls,
                uint64_t chars) {
  const auto len = static_cast<uint32_t>(std::min<size_t>(value.size(), UINT32_MAX));
  if (p.values == 0) {
    p.len_min = p.len_max = len;
  } else {
    p.len_min = std::min(p.len_min, len);
    p.len_max = std::max(p.len_max, len);
  }
  ++p.values;
  const double delta = len - p.len_mean;
  p.len_mean += delta / p.values;
  p.len_m2 += delta * (len - p.len_mean);
  p.chars |= chars;
  ++p.classes[cls];
}

}  // namespace

std::string_view FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kUnknownParameter:
      return "unknown_parameter";
    case FindingKind::kClassMismatch:
      return "class_mismatch";
    case FindingKind::kLengthOutlier:
      return "length_outlier";
    case FindingKind::kUnexpectedCharacters:
      return "unexpected_characters";
    case FindingKind::kTooManyValues:
      return "too_many_values";
    case FindingKind::kUnexpectedMethod:
      return "unexpected_method";
    case FindingKind::kUnexpectedContentType:
      return "unexpected_content_type";
  }
  return "unknown";
}

std::string EndpointTemplate(std::string_view path) {
  std::string out;
  std::string scratch;
  AppendTemplate(out, path, scratch, nullptr);
  return out;
}

size_t EndpointModel::StringHash::operator()(std::string_view s) const {
  return HashBytes(s);
}

EndpointModel::EndpointModel(ModelSettings settings) : settings_(settings) {}
EndpointModel::~EndpointModel() = default;

namespace {

// Makes room for one more parameter within `max_params` and `budget` bytes: the table grows
// 4, 8, 16... so its capacity (what it costs) is known.
bool GrowParams(EndpointModel::Endpoint& e, size_t name_size, size_t max_params, size_t budget) {
  const size_t size = e.params.size();
  if (size >= max_params) {
    return false;
  }
  const size_t heap = name_size > 15 ? name_size + 1 : 0;
  if (size < e.params.capacity()) {
    return heap <= budget;
  }
  const size_t cap = std::min(max_params, std::max<size_t>(4, 2 * e.params.capacity()));
  if ((cap - e.params.capacity()) * sizeof(EndpointModel::Param) + heap > budget) {
    return false;
  }
  e.params.reserve(cap);
  return true;
}

size_t EndpointBytes(const EndpointModel::Endpoint& e) {
  size_t n = sizeof(EndpointModel::Endpoint) + kNodeOverhead + 2 * StringHeap(e.key) +
             e.params.capacity() * sizeof(EndpointModel::Param);
  for (const EndpointModel::Param& p : e.params) {
    n += StringHeap(p.name);
  }
  return n;
}

}  // namespace

EndpointModel::Endpoint* EndpointModel::FindEndpoint() {
  auto it = endpoints_.find(std::string_view(key_));
  return it == endpoints_.end() ? nullptr : it->second.get();
}

// The detecting endpoint whose template has placeholders where this path has something
// else, with the most literal segments in common: "/products/1' OR 1=1" is checked against
// "/products/{num}". Fills path_positions_ with the endpoint's placeholder pieces.
EndpointModel::Endpoint* EndpointModel::FindByShape(size_t prefix_len) {
  const std::string_view templ = std::string_view(key_).substr(prefix_len);
  shape_key_.assign(key_, 0, prefix_len);
  shape_key_ += std::to_string(segments_);
  auto it = shapes_.find(std::string_view(shape_key_));
  if (it == shapes_.end()) {
    return nullptr;
  }
  Endpoint* best = nullptr;
  int best_score = -1;
  for (Endpoint* e : it->second) {
    if (e->learned < settings_.learn_requests) {
      continue;
    }
    const std::string_view cand = e->templ();
    size_t a = 0;
    size_t b = 0;
    int score = 0;
    bool ok = true;
    while (ok) {
      const size_t ea = cand.find('/', a);
      const size_t eb = templ.find('/', b);
      const std::string_view pa = cand.substr(a, ea == std::string_view::npos ? ea : ea - a);
      const std::string_view pb = templ.substr(b, eb == std::string_view::npos ? eb : eb - b);
      if (pa == pb) {
        ++score;
      } else if (!IsPlaceholder(pa)) {
        ok = false;
      }
      if (ea == std::string_view::npos || eb == std::string_view::npos) {
        ok = ok && ea == eb;
        break;
      }
      a = ea + 1;
      b = eb + 1;
    }
    if (ok && score > best_score) {
      best = e;
      best_score = score;
    }
  }
  if (best != nullptr) {
    path_positions_.clear();
    const std::string_view cand = best->templ();
    for (uint32_t i = 0; i < segments_; ++i) {
      if (IsPlaceholder(PieceAt(cand, i))) {
        path_positions_.push_back(i);
      }
    }
  }
  return best;
}

void EndpointModel::IndexShape(Endpoint* endpoint) {
  const std::string_view templ = endpoint->templ();
  const uint32_t pieces = PieceCount(templ);
  bool any = false;
  for (uint32_t i = 0; i < pieces && !any; ++i) {
    any = IsPlaceholder(PieceAt(templ, i));
  }
  std::string route(endpoint->host());
  route += '\x1f';
  route += endpoint->templ();
  auto& methods = routes_[route];
  bytes_ += methods.empty() ? kNodeOverhead + StringHeap(route) : 0;
  methods.push_back(endpoint);
  bytes_ += sizeof(Endpoint*);
  if (!any) {
    return;
  }
  std::string shape(
      std::string_view(endpoint->key).substr(0, endpoint->host_len + endpoint->method_len + 2));
  shape += std::to_string(pieces);
  shapes_[shape].push_back(endpoint);
  bytes_ += sizeof(Endpoint*);
}

EndpointModel::Endpoint* EndpointModel::AddEndpoint() {
  if (endpoints_.size() >= settings_.max_endpoints ||
      bytes_ + sizeof(Endpoint) + kNodeOverhead + 2 * key_.size() > settings_.max_bytes) {
    return nullptr;
  }
  auto e = std::make_unique<Endpoint>();
  e->key = key_;
  e->host_len = static_cast<uint32_t>(view_->host().size());
  e->method_len = static_cast<uint32_t>(view_->method().size());
  e->bytes = EndpointBytes(*e);
  bytes_ += e->bytes;
  Endpoint* raw = e.get();
  endpoints_.emplace(key_, std::move(e));
  IndexShape(raw);
  return raw;
}

// Fills values_ with the request's parameters; the path segments at `positions` become
// "path.<i>" parameters.
void EndpointModel::CollectValues(const RequestView& view) {
  values_.clear();
  names_.clear();
  value_bytes_.clear();
  const std::string_view path = view.path();
  const uint32_t lead = !path.empty() && path[0] == '/' ? 1 : 0;
  for (uint32_t piece : path_positions_) {
    Value v;
    v.source = ArgSource::kNone;
    v.raw = PieceAt(path, piece);
    v.name_off = static_cast<int64_t>(names_.size());
    names_ += "path.";
    names_ += std::to_string(piece - lead);
    v.name_len = static_cast<uint32_t>(names_.size() - v.name_off);
    if (NeedsDecoding(v.raw, false)) {
      v.value_off = static_cast<int64_t>(value_bytes_.size());
      AppendUrlDecoded(value_bytes_, v.raw, false);
      v.value_len = static_cast<uint32_t>(value_bytes_.size() - v.value_off);
    }
    values_.push_back(v);
  }
  for (const Part& part : view.parts()) {
    if (part.kind != PartKind::kArgValue || part.source == ArgSource::kNone) {
      continue;
    }
    Value v;
    v.part = &part;
    v.source = part.source;
    v.raw = part.value;
    const bool url_encoded = part.source == ArgSource::kQuery || part.source == ArgSource::kForm;
    std::string_view name = part.name;
    const bool decoded_name = url_encoded && NeedsDecoding(name, true);
    if (decoded_name) {
      decoded_.clear();
      AppendUrlDecoded(decoded_, name, true);
      name = decoded_;
    }
    bool has_digit = false;
    for (char c : name) {
      has_digit |= IsDigit(c);
    }
    if (has_digit || decoded_name) {
      v.name_off = static_cast<int64_t>(names_.size());
      if (has_digit) {
        AppendNameTemplate(names_, name);
      } else {
        names_ += name;
      }
      v.name_len = static_cast<uint32_t>(names_.size() - v.name_off);
    }
    if (url_encoded && NeedsDecoding(part.value, true)) {
      v.value_off = static_cast<int64_t>(value_bytes_.size());
      AppendUrlDecoded(value_bytes_, part.value, true);
      v.value_len = static_cast<uint32_t>(value_bytes_.size() - v.value_off);
    }
    values_.push_back(v);
  }
  for (Value& v : values_) {
    v.name =
        v.name_off < 0 ? v.part->name : std::string_view(names_).substr(v.name_off, v.name_len);
    v.value =
        v.value_off < 0 ? v.raw : std::string_view(value_bytes_).substr(v.value_off, v.value_len);
    v.hash = ParamHash(v.source, v.name);
    v.cls = Classify(v.value);
    v.chars = CharMask(v.value);
  }
}

// The endpoint's detect-mode checks of the request's body type and values.
void EndpointModel::Check(const Endpoint& e,
                          std::vector<ModelFinding>* findings,
                          bool* probation_only) {
  const size_t first = findings->size();
  const uint32_t min_obs = settings_.min_observations;
  auto full = [&] {
    return findings->size() - first >= settings_.max_findings;
  };
  auto describe_endpoint = [&](std::string& out) {
    out += e.method();
    out += ' ';
    out += e.templ();
    if (!e.host().empty()) {
      out += " on ";
      out += e.host();
    }
  };

  const uint8_t body = ContentCategory(*view_);
  if (e.bodies[body] < min_obs) {
    ModelFinding& f = findings->emplace_back();
    f.kind = FindingKind::kUnexpectedContentType;
    f.field = "http.request.mime_type";
    f.value.assign(view_->content_type());
    f.why = kBodyNames[body];
    f.why += e.bodies[body] == 0 ? " never seen in " : " seen in only ";
    if (e.bodies[body] != 0) {
      AppendCount(f.why, e.bodies[body]);
      f.why += " of ";
    }
    AppendCount(f.why, e.learned);
    f.why += " requests to ";
    describe_endpoint(f.why);
    f.why += " (seen: ";
    bool first_body = true;
    for (size_t b = 0; b < kBodyCategories; ++b) {
      if (e.bodies[b] >= min_obs) {
        f.why += first_body ? "" : ", ";
        f.why += kBodyNames[b];
        first_body = false;
      }
    }
    f.why += ')';
    ++stats_.findings;
  }

  flagged_.clear();
  counts_.assign(e.params.size(), 0);
  auto add = [&](FindingKind kind, const Value& v) -> ModelFinding& {
    ModelFinding& f = findings->emplace_back();
    f.kind = kind;
    if (v.part != nullptr) {
      AppendPartFieldName(f.field, *v.part);
    } else {
      f.field = "url.path";
    }
    f.value.assign(v.raw);
    ++stats_.findings;
    return f;
  };
  auto noun = [](const Param& p) {
    return p.values == p.requests ? " requests" : " values";
  };
  for (const Value& v : values_) {
    if (full()) {
      *probation_only = false;  // not every value was checked: nothing is learned
      return;
    }
    const Param* p = e.Find(v.source, v.name, v.hash);
    if (p == nullptr || (p->probation && p->requests < min_obs)) {
      if (e.params_dropped > 0 && p == nullptr) {
        continue;  // the endpoint's names are open-ended
      }
      if (std::find(flagged_.begin(), flagged_.end(), v.hash) != flagged_.end()) {
        continue;  // one finding per unknown name and request
      }
      flagged_.push_back(v.hash);
      ModelFinding& f = add(FindingKind::kUnknownParameter, v);
      f.why = "parameter ";
      AppendQuoted(f.why, v.name);
      if (p == nullptr) {
        f.why += " never seen in ";
      } else {
        f.why += " seen in only ";
        AppendCount(f.why, p->requests);
        f.why += " of ";
      }
      AppendCount(f.why, e.learned);
      f.why += " requests to ";
      describe_endpoint(f.why);
      continue;
    }
    if (p->values < min_obs) {
      continue;
    }
    // Arrays far longer than ever: one finding, at the value that crosses the line.
    if (++counts_[p - e.params.data()] == 2 * p->max_count + 9) {
      ModelFinding& f = add(FindingKind::kTooManyValues, v);
      AppendQuoted(f.why, v.name);
      f.why += " had at most ";
      AppendCount(f.why, p->max_count);
      f.why += p->max_count == 1 ? " value" : " values";
      f.why += " per request in ";
      AppendCount(f.why, p->requests);
      f.why += " requests; got more than ";
      AppendCount(f.why, 2 * p->max_count + 8);
      *probation_only = false;
      continue;
    }
    const uint64_t non_empty = p->values - p->classes[kEmpty];
    const size_t family =
        non_empty >= min_obs ? DominantFamily(p->classes, non_empty) : kTextFamily;
    const bool mismatch = v.cls != kEmpty && (kFamilies[family].classes & Bit(v.cls)) == 0;
    // Typed parameters (numbers, UUIDs, dates...): any character class they never had, a
    // letter in a number included. Identifiers: any but letters and digits. Free text:
    // only the dangerous ones.
    const bool typed = family < kIdentFamily;
    const uint64_t notable = typed                   ? ~uint64_t{0}
                             : family == kTextFamily ? kDangerousChars
                                                     : kNotableChars;
    const uint64_t new_chars = v.cls == kEmpty ? 0 : v.chars & ~p->chars & notable;
    const double sd = p->values > 1 ? std::sqrt(p->len_m2 / (p->values - 1)) : 0;
    const size_t len = v.value.size();
    // Hex codes and coded ids of one length keep it (numbers and text do not).
    const bool fixed_length = (family == kHexFamily || family == kIdentFamily) &&
                              p->len_min == p->len_max && p->values >= 2 * min_obs &&
                              len != p->len_min && len != 0;
    // Numbers: three more digits than ever is a thousand times the largest value seen.
    const bool too_long = family == kNumericFamily && p->values >= 2 * min_obs
                              ? len > p->len_max + 3
                              : static_cast<double>(len) > 2.0 * p->len_max + 16 &&
                                    static_cast<double>(len) > p->len_mean + 6 * sd;
    if (mismatch && (typed || new_chars == 0)) {
      ModelFinding& f = add(FindingKind::kClassMismatch, v);
      uint64_t in = 0;
      for (size_t c = 1; c < kClassCount; ++c) {
        if ((kFamilies[family].classes & (1u << c)) != 0) {
          in += p->classes[c];
        }
      }
      AppendQuoted(f.why, v.name);
      f.why += " was ";
      f.why += kFamilies[family].name;
      f.why += " in ";
      AppendCount(f.why, in);
      f.why += " of ";
      AppendCount(f.why, non_empty);
      f.why += noun(*p);
      f.why += "; got ";
      AppendQuoted(f.why, v.value);
      f.why += " (";
      f.why += kClassNames[v.cls];
      f.why += ')';
    } else if (new_chars != 0) {
      ModelFinding& f = add(FindingKind::kUnexpectedCharacters, v);
      AppendQuoted(f.why, v.name);
      f.why += " never contained ";
      bool first_char = true;
      for (uint8_t bit = 0; bit < 64; ++bit) {
        if ((new_chars & (uint64_t{1} << bit)) != 0) {
          if (!first_char) {
            f.why += ", ";
          }
          first_char = false;
          AppendCharName(f.why, bit);
        }
      }
      f.why += " in ";
      AppendCount(f.why, p->values);
      f.why += noun(*p);
      f.why += "; got ";
      AppendQuoted(f.why, v.value);
    } else if (too_long || fixed_length) {
      ModelFinding& f = add(FindingKind::kLengthOutlier, v);
      AppendQuoted(f.why, v.name);
      if (fixed_length) {
        f.why += " length was always ";
        AppendCount(f.why, p->len_min);
        f.why += " in ";
      } else {
        f.why += " length was ";
        AppendCount(f.why, p->len_min);
        f.why += "–";
        AppendCount(f.why, p->len_max);
        f.why += " (mean ";
        AppendCount(f.why, static_cast<uint64_t>(std::llround(p->len_mean)));
        f.why += ") in ";
      }
      AppendCount(f.why, p->values);
      f.why += noun(*p);
      f.why += "; got ";
      AppendCount(f.why, len);
      if (fixed_length) {
        f.why += ": ";
        AppendQuoted(f.why, v.value);
      }
    } else {
      continue;
    }
    *probation_only = false;
  }
}

// A method the path never had while other methods of it are learned: "DELETE" where only
// "GET /orders/{num}" was seen. `e`: this method's endpoint, if any (then still young).
void EndpointModel::CheckMethod(const Endpoint* e,
                                size_t prefix_len,
                                std::vector<ModelFinding>* findings) {
  const size_t host_len = view_->host().size();
  route_key_.assign(key_, 0, host_len + 1);
  route_key_.append(key_, prefix_len);
  auto it = routes_.find(std::string_view(route_key_));
  if (it == routes_.end()) {
    return;
  }
  uint64_t learned = 0;
  for (const Endpoint* other : it->second) {
    if (other != e && other->learned >= settings_.learn_requests) {
      learned += other->learned;
    }
  }
  if (learned == 0) {
    return;
  }
  ModelFinding& f = findings->emplace_back();
  f.kind = FindingKind::kUnexpectedMethod;
  f.field = "http.request.method";
  f.value.assign(view_->method());
  f.why = "method ";
  AppendQuoted(f.why, view_->method());
  if (e == nullptr) {
    f.why += " never seen in ";
  } else {
    f.why += " seen in only ";
    AppendCount(f.why, e->learned);
    f.why += " of ";
    learned += e->learned;
  }
  AppendCount(f.why, learned);
  f.why += " requests to ";
  f.why += std::string_view(key_).substr(prefix_len);
  if (host_len != 0) {
    f.why += " on ";
    f.why.append(key_, 0, host_len);
  }
  f.why += " (seen: ";
  bool first = true;
  for (const Endpoint* other : it->second) {
    if (other != e && other->learned >= settings_.learn_requests) {
      f.why += first ? "" : ", ";
      f.why += other->method();
      first = false;
    }
  }
  f.why += ')';
  ++stats_.findings;
}

void EndpointModel::Learn(Endpoint& e) {
  const uint32_t seq = e.learned + 1;
  const bool detecting = e.learned >= settings_.learn_requests;
  const size_t params_before = e.params.size();
  for (const Value& v : values_) {
    Param* p = e.Find(v.source, v.name, v.hash);
    if (p == nullptr) {
      if (!GrowParams(e, v.name.size(), settings_.max_params,
                      settings_.max_bytes - std::min(settings_.max_bytes, bytes_))) {
        ++e.params_dropped;
        ++stats_.params_dropped;
        continue;
      }
      p = &e.params.emplace_back();
      p->name.assign(v.name);
      p->hash = v.hash;
      p->source = v.source;
      p->probation = detecting;
    }
    if (p->last_request != seq) {
      p->last_request = seq;
      p->count = 0;
      ++p->requests;
    }
    p->max_count = std::max(p->max_count, ++p->count);
    LearnValue(*p, v.value, v.cls, v.chars);
    if (p->probation && p->requests >= settings_.min_observations) {
      p->probation = false;
    }
  }
  ++e.bodies[ContentCategory(*view_)];
  ++e.learned;
  ++stats_.learned;
  if (e.params.size() != params_before) {
    const size_t bytes = EndpointBytes(e);
    bytes_ += bytes - e.bytes;
    e.bytes = bytes;
  }
  // Counters halve before they could overflow; ratios, and so the model, stay.
  if (e.learned >= (1u << 30)) {
    e.learned /= 2;
    for (uint32_t& b : e.bodies) {
      b /= 2;
    }
    for (Param& p : e.params) {
      p.requests /= 2;
      p.values = 0;
      for (uint32_t& c : p.classes) {
        c /= 2;
        p.values += c;
      }
      p.len_m2 /= 2;
      p.last_request = 0;
    }
  }
}

ObserveResult EndpointModel::Observe(const RequestView& view,
                                     bool signature_hit,
                                     std::vector<ModelFinding>* findings) {
  if (view.method().empty() && view.uri().empty()) {
    return ObserveResult::kNoEndpoint;
  }
  view_ = &view;
  // host '\x1f' method '\x1f' template.
  key_.clear();
  for (char c : view.host()) {
    key_ += AsciiLower(c);
  }
  key_ += '\x1f';
  key_ += view.method();
  key_ += '\x1f';
  const size_t prefix_len = key_.size();
  path_positions_.clear();
  AppendTemplate(key_, view.path(), decoded_, &path_positions_);
  segments_ = PieceCount(view.path());

  Endpoint* e = FindEndpoint();
  const size_t before = findings->size();
  if (e == nullptr || e->learned < settings_.min_observations) {
    CheckMethod(e, prefix_len, findings);
  }
  bool by_shape = false;
  if (e == nullptr) {
    e = FindByShape(prefix_len);
    by_shape = e != nullptr;  // path_positions_ now holds the endpoint's placeholders
  }
  CollectValues(view);

  ObserveResult result =
      findings->size() > before ? ObserveResult::kDetecting : ObserveResult::kNoEndpoint;
  bool probation_only = true;
  if (e != nullptr) {
    result = ObserveResult::kLearning;
    if (e->learned >= settings_.learn_requests) {
      result = ObserveResult::kDetecting;
      Check(*e, findings, &probation_only);
    }
  }
  if (findings->size() > before) {
    result = ObserveResult::kDetecting;  // a young endpoint's method finding
  }
  if (result == ObserveResult::kDetecting) {
    ++stats_.checked;
  }
  const int status = view.status();
  const bool clean = !signature_hit && status >= 200 && status < 400 && probation_only;
  if (!clean) {
    ++stats_.not_learnable;
    return result;
  }
  if (by_shape) {
    // Learned under its own template, with its own placeholder segments as parameters.
    shape_key_.clear();
    path_positions_.clear();
    AppendTemplate(shape_key_, view.path(), decoded_, &path_positions_);
    CollectValues(view);
    e = nullptr;
  }
  if (e == nullptr) {
    e = AddEndpoint();
    if (e == nullptr) {
      ++stats_.unmodelled;
      return result == ObserveResult::kNoEndpoint ? ObserveResult::kUnmodelled : result;
    }
    if (result == ObserveResult::kNoEndpoint) {
      result = ObserveResult::kLearning;
    }
  }
  Learn(*e);
  return result;
}

// ---- persistence ----------------------------------------------------------------------

namespace {

constexpr std::string_view kMagic = "rampart-endpoint-model 1";

void AppendEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '=';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '%') {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
}

bool ParseEscaped(std::string_view token, std::string* out) {
  if (token.empty() || token[0] != '=') {
    return false;
  }
  out->clear();
  for (size_t i = 1; i < token.size(); ++i) {
    if (token[i] == '%') {
      if (i + 2 >= token.size() || HexValue(token[i + 1]) < 0 || HexValue(token[i + 2]) < 0) {
        return false;
      }
      out->push_back(static_cast<char>(HexValue(token[i + 1]) * 16 + HexValue(token[i + 2])));
      i += 2;
    } else {
      out->push_back(token[i]);
    }
  }
  return true;
}

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

void AppendDouble(std::string& out, double d) {
  char buf[40];
  const auto r = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, r.ptr);
}

// Splits a line into space-separated fields.
size_t SplitFields(std::string_view line, std::array<std::string_view, 32>* fields) {
  size_t n = 0;
  size_t pos = 0;
  while (pos <= line.size() && n < fields->size()) {
    size_t sp = line.find(' ', pos);
    if (sp == std::string_view::npos) {
      sp = line.size();
    }
    (*fields)[n++] = line.substr(pos, sp - pos);
    pos = sp + 1;
  }
  return pos <= line.size() ? fields->size() + 1 : n;  // too many fields
}

template <typename T>
bool ParseNum(std::string_view s, T* out) {
  if (s.empty()) {
    return false;
  }
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ParseHex64(std::string_view s, uint64_t* out) {
  if (s.empty()) {
    return false;
  }
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *out, 16);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

Status WriteFileReplacing(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return IoError(tmp + ": cannot create: " + std::strerror(errno));
  }
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return IoError(tmp + ": write failed: " + std::strerror(err));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return IoError(tmp + ": fsync/close failed: " + std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return IoError(path + ": cannot replace: " + std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace

Status EndpointModel::Save(const std::string& path) const {
  std::vector<const Endpoint*> sorted;
  sorted.reserve(endpoints_.size());
  for (const auto& [key, e] : endpoints_) {
    sorted.push_back(e.get());
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const Endpoint* a, const Endpoint* b) { return a->key < b->key; });
  std::string out;
  out += kMagic;
  out += '\n';
  for (const Endpoint* e : sorted) {
    out += "endpoint ";
    out += std::to_string(e->learned);
    out += ' ';
    out += std::to_string(e->params_dropped);
    out += ' ';
    AppendEscaped(out, e->host());
    out += ' ';
    AppendEscaped(out, e->method());
    out += ' ';
    AppendEscaped(out, e->templ());
    out += ' ';
    out += std::to_string(e->params.size());
    for (uint32_t b : e->bodies) {
      out += ' ';
      out += std::to_string(b);
    }
    out += '\n';
    for (const Param& p : e->params) {
      out += "param ";
      for (uint64_t n : {static_cast<uint64_t>(p.source), static_cast<uint64_t>(p.requests),
                         static_cast<uint64_t>(p.values), static_cast<uint64_t>(p.probation),
                         static_cast<uint64_t>(p.len_min), static_cast<uint64_t>(p.len_max),
                         static_cast<uint64_t>(p.max_count)}) {
        out += std::to_string(n);
        out += ' ';
      }
      AppendDouble(out, p.len_mean);
      out += ' ';
      AppendDouble(out, p.len_m2);
      out += ' ';
      char hex[24];
      std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(p.chars));
      out += hex;
      for (uint32_t c : p.classes) {
        out += ' ';
        out += std::to_string(c);
      }
      out += ' ';
      AppendEscaped(out, p.name);
      out += '\n';
    }
  }
  char trailer[64];
  std::snprintf(trailer, sizeof trailer, "end %zu %016llx\n", sorted.size(),
                static_cast<unsigned long long>(Fnv1a(out)));
  out += trailer;
  return WriteFileReplacing(path, out);
}

Result<std::unique_ptr<EndpointModel>> EndpointModel::Load(const std::string& path,
                                                           ModelSettings settings) {
  RAMPART_ASSIGN_OR_RETURN(std::string data, ReadWholeFile(path, "endpoint model"));
  auto bad = [&](size_t line, std::string_view why) {
    return Corruption(path + ":" + std::to_string(line) + ": endpoint model: " + std::string(why));
  };
  const std::string_view text = data;
  // The trailer: "end <count> <checksum>\n" closes the file.
  if (text.empty() || text.back() != '\n') {
    return bad(0, "truncated (no final line end)");
  }
  const size_t trailer_begin = text.rfind('\n', text.size() - 2) + 1;  // npos + 1 == 0
  const std::string_view body = text.substr(0, trailer_begin);
  const std::string_view trailer = text.substr(trailer_begin, text.size() - 1 - trailer_begin);
  std::array<std::string_view, 32> f;
  uint64_t declared_count = 0;
  uint64_t checksum = 0;
  if (SplitFields(trailer, &f) != 3 || f[0] != "end" || !ParseNum(f[1], &declared_count) ||
      !ParseHex64(f[2], &checksum)) {
    return bad(0, "truncated (no end line)");
  }
  if (checksum != Fnv1a(body)) {
    return bad(0, "checksum mismatch");
  }
  auto model = std::make_unique<EndpointModel>(settings);
  size_t pos = 0;
  size_t line_no = 0;
  uint64_t endpoint_count = 0;
  Endpoint* current = nullptr;  // null while skipping an endpoint beyond the bounds
  uint64_t params_left = 0;
  std::string s1, s2, s3;
  while (pos < body.size()) {
    const size_t eol = body.find('\n', pos);
    const std::string_view line = body.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (line_no == 1) {
      if (line != kMagic) {
        return bad(line_no, "not an endpoint model of version 1");
      }
      continue;
    }
    const size_t n = SplitFields(line, &f);
    if (f[0] == "endpoint") {
      if (params_left != 0) {
        return bad(line_no, "endpoint has fewer parameters than it declares");
      }
      uint32_t learned = 0;
      uint32_t dropped = 0;
      std::array<uint32_t, kBodyCategories> bodies{};
      uint64_t body_sum = 0;
      for (size_t b = 0; b < kBodyCategories && n == 7 + kBodyCategories; ++b) {
        if (!ParseNum(f[7 + b], &bodies[b])) {
          return bad(line_no, "malformed endpoint body counts");
        }
        body_sum += bodies[b];
      }
      if (n != 7 + kBodyCategories || !ParseNum(f[1], &learned) || !ParseNum(f[2], &dropped) ||
          !ParseEscaped(f[3], &s1) || !ParseEscaped(f[4], &s2) || !ParseEscaped(f[5], &s3) ||
          !ParseNum(f[6], &params_left) || s1.find('\x1f') != std::string::npos ||
          s2.find('\x1f') != std::string::npos) {
        return bad(line_no, "malformed endpoint line");
      }
      if (body_sum > learned) {
        return bad(line_no, "inconsistent endpoint counts");
      }
      ++endpoint_count;
      model->key_ = s1 + '\x1f' + s2 + '\x1f' + s3;
      if (model->endpoints_.count(model->key_) != 0) {
        return bad(line_no, "duplicate endpoint");
      }
      current = nullptr;
      if (model->endpoints_.size() < settings.max_endpoints) {
        auto e = std::make_unique<Endpoint>();
        e->key = model->key_;
        e->host_len = static_cast<uint32_t>(s1.size());
        e->method_len = static_cast<uint32_t>(s2.size());
        e->learned = learned;
        e->params_dropped = dropped;
        e->bodies = bodies;
        current = e.get();
        model->endpoints_.emplace(model->key_, std::move(e));
        model->IndexShape(current);
      }
      continue;
    }
    if (f[0] == "param") {
      if (params_left == 0) {
        return bad(line_no, "parameter outside an endpoint");
      }
      --params_left;
      Param p;
      uint32_t source = 0;
      uint32_t probation = 0;
      if (n != 23 || !ParseNum(f[1], &source) || source > static_cast<uint32_t>(ArgSource::kXml) ||
          !ParseNum(f[2], &p.requests) || !ParseNum(f[3], &p.values) ||
          !ParseNum(f[4], &probation) || probation > 1 || !ParseNum(f[5], &p.len_min) ||
          !ParseNum(f[6], &p.len_max) || !ParseNum(f[7], &p.max_count) ||
          !ParseNum(f[8], &p.len_mean) || !ParseNum(f[9], &p.len_m2) ||
          !ParseHex64(f[10], &p.chars) || !ParseEscaped(f[22], &p.name)) {
        return bad(line_no, "malformed parameter line");
      }
      uint64_t sum = 0;
      for (size_t c = 0; c < kClassCount; ++c) {
        if (!ParseNum(f[11 + c], &p.classes[c])) {
          return bad(line_no, "malformed parameter class count");
        }
        sum += p.classes[c];
      }
      if (sum != p.values || p.requests > p.values || p.max_count > p.values ||
          (p.values > 0 && p.len_min > p.len_max) || !std::isfinite(p.len_mean) ||
          !std::isfinite(p.len_m2) || p.len_m2 < 0) {
        return bad(line_no, "inconsistent parameter counts");
      }
      if (current == nullptr) {
        continue;
      }
      if (p.requests > current->learned) {
        return bad(line_no, "parameter seen in more requests than its endpoint");
      }
      p.source = static_cast<ArgSource>(source);
      p.probation = probation != 0;
      p.hash = ParamHash(p.source, p.name);
      if (current->Find(p.source, p.name, p.hash) != nullptr) {
        return bad(line_no, "duplicate parameter");
      }
      if (!GrowParams(*current, 0, settings.max_params, SIZE_MAX)) {
        ++current->params_dropped;
        continue;
      }
      current->params.push_back(std::move(p));
      continue;
    }
    return bad(line_no, "unknown record");
  }
  if (line_no == 0) {
    return bad(1, "not an endpoint model of version 1");
  }
  if (params_left != 0) {
    return bad(line_no, "endpoint has fewer parameters than it declares");
  }
  if (endpoint_count != declared_count) {
    return bad(line_no + 1, "endpoint count does not match the end line");
  }
  for (auto& [key, e] : model->endpoints_) {
    e->bytes = EndpointBytes(*e);
    model->bytes_ += e->bytes;
  }
  model->key_.clear();
  return model;
}

}  // namespace rampart::detect::web
