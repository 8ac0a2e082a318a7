#pragma once
// Small string helpers used across stages. None allocate unless they return std::string.

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace rampart {

inline bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
inline bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// The value of a hex digit (either case), or -1 for any other byte.
inline int HexValue(char c) {
  if (IsDigit(c)) {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}
inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// True when some byte is >= 0x80 (UTF-8 beyond ASCII, or not text). Eight bytes at a time.
inline bool HasNonAscii(std::string_view s) {
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, s.data() + i, 8);
    if ((word & kHighBits) != 0) {
      return true;
    }
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) {
      return true;
    }
  }
  return false;
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) {
      return false;
    }
  }
  return true;
}

// ASCII case-insensitive substring test.
inline bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) {
    return false;
  }
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) {
      return true;
    }
  }
  return false;
}

inline bool StartsWith(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

template <typename T>
bool ParseInt(std::string_view s, T* out) {
  if (s.empty()) {
    return false;
  }
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::string ToLower(std::string_view s);

// Percent-decoding for URLs and form bodies; '+' becomes a space when `plus_is_space`.
// Invalid escapes are kept literally.
std::string UrlDecode(std::string_view s, bool plus_is_space);

// The code point of the UTF-8 sequence at s[*i], advancing *i past it. An invalid
// sequence (bad byte, overlong form, surrogate, truncated) gives U+FFFD and advances by one
// byte.
uint32_t DecodeUtf8(std::string_view s, size_t* i);
// Appends the UTF-8 encoding of code point `cp` (at most U+10FFFF).
void AppendUtf8(std::string& out, uint32_t cp);

// Appends `s` to `out` escaped for a JSON string body (no surrounding quotes). Invalid
// UTF-8 bytes are replaced with U+FFFD so the output is always valid JSON; U+2028 and
// U+2029 are escaped too (valid in JSON, line ends in JavaScript). The one JSON string
// escaper: detections, stored events, query output and CLI reports all use it.
void AppendJsonEscaped(std::string& out, std::string_view s);
// The same between double quotes: a whole JSON string value.
void AppendJsonString(std::string& out, std::string_view s);

// Lower-case hex of `n` bytes (token ids, digests, keys), returned or appended to `out`.
std::string HexEncode(const unsigned char* p, size_t n);
void AppendHex(std::string& out, const unsigned char* p, size_t n);
// Decodes exactly `n` bytes from 2n hex digits (either case); false on any other input.
bool HexDecode(std::string_view hex, unsigned char* out, size_t n);

// A JSON array of `items`, each written by append_one(out, item).
template <typename Items, typename AppendOne>
void AppendJsonArray(std::string& out, const Items& items, AppendOne append_one) {
  out += '[';
  bool first = true;
  for (const auto& item : items) {
    if (!first) {
      out += ',';
    }
    first = false;
    append_one(out, item);
  }
  out += ']';
}

// A JSON array of strings.
template <typename Strings>
void AppendJsonStringArray(std::string& out, const Strings& items) {
  AppendJsonArray(out, items, [](std::string& o, std::string_view s) { AppendJsonString(o, s); });
}

}  // namespace rampart
