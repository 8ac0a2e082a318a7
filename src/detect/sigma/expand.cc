// Value expansion: Sigma escapes, placeholders, the transformation modifiers and the
// wildcards contains/startswith/endswith add, down to patterns and regular expressions.

#include "detect/sigma/internal/expand.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "core/time_util.h"

namespace rampart::sigma::internal {
namespace {

// More variants than this from one value (windash on many dashes, many placeholder values)
// is refused rather than compiled into an enormous database.
constexpr size_t kMaxVariants = 4096;

bool IsWordChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;  // Python's \w is Unicode-aware: letters beyond ASCII are word characters
}

StringPart Literal(std::string text) {
  return StringPart{StringPart::Kind::kLiteral, std::move(text)};
}
StringPart AnyChars() {
  return StringPart{StringPart::Kind::kAnyChars, {}};
}

// Merges adjacent literals, drops empty ones and collapses runs of *.
Pattern Normalize(Pattern in) {
  Pattern out;
  for (StringPart& p : in) {
    if (p.kind == StringPart::Kind::kLiteral) {
      if (p.text.empty()) {
        continue;
      }
      if (!out.empty() && out.back().kind == StringPart::Kind::kLiteral) {
        out.back().text += p.text;
        continue;
      }
    } else if (p.kind == StringPart::Kind::kAnyChars && !out.empty() &&
               out.back().kind == StringPart::Kind::kAnyChars) {
      continue;
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string Utf16(std::string_view utf8, bool big_endian) {
  std::string out;
  out.reserve(utf8.size() * 2);
  auto unit = [&](uint32_t u) {
    const char lo = static_cast<char>(u & 0xFF);
    const char hi = static_cast<char>((u >> 8) & 0xFF);
    if (big_endian) {
      out += hi;
      out += lo;
    } else {
      out += lo;
      out += hi;
    }
  };
  size_t i = 0;
  while (i < utf8.size()) {
    uint32_t cp = DecodeUtf8(utf8, &i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(0xD800 + (cp >> 10));
      unit(0xDC00 + (cp & 0x3FF));
    } else {
      unit(cp);
    }
  }
  return out;
}

// The single literal of a pattern that must not contain wildcards (base64*).
Result<std::string> LiteralOf(const Pattern& p, std::string_view modifier) {
  if (!IsLiteral(p)) {
    return InvalidArgument(std::string(modifier) + " cannot encode a value with wildcards");
  }
  return p.empty() ? std::string() : p.front().text;
}

// Cross product: each pattern of `in` extended by each alternative of the next part.
Status Extend(std::vector<Pattern>& patterns, const std::vector<StringPart>& alternatives) {
  if (patterns.size() * alternatives.size() > kMaxVariants) {
    return InvalidArgument("the value expands to more than " + std::to_string(kMaxVariants) +
                           " variants");
  }
  std::vector<Pattern> out;
  out.reserve(patterns.size() * alternatives.size());
  for (const Pattern& p : patterns) {
    for (const StringPart& a : alternatives) {
      Pattern q = p;
      q.push_back(a);
      out.push_back(std::move(q));
    }
  }
  patterns = std::move(out);
  return Status::Ok();
}

Result<std::vector<Pattern>> Substitute(const Pattern& in, const Placeholders* placeholders) {
  std::vector<Pattern> out(1);
  for (const StringPart& part : in) {
    if (part.kind != StringPart::Kind::kPlaceholder) {
      for (Pattern& p : out) {
        p.push_back(part);
      }
      continue;
    }
    auto it =
        placeholders == nullptr ? Placeholders::const_iterator{} : placeholders->find(part.text);
    if (placeholders == nullptr || it == placeholders->end() || it->second.empty()) {
      return InvalidArgument("no value configured for placeholder %" + part.text + "%");
    }
    // A configured value is a Sigma string itself: it may carry wildcards.
    std::vector<Pattern> next;
    for (const Pattern& p : out) {
      for (const std::string& v : it->second) {
        Pattern q = p;
        for (StringPart& sp : SplitSigmaString(v)) {
          q.push_back(std::move(sp));
        }
        next.push_back(std::move(q));
        if (next.size() > kMaxVariants) {
          return InvalidArgument("placeholder %" + part.text + "% expands to too many values");
        }
      }
    }
    out = std::move(next);
  }
  return out;
}

Status ApplyWindash(std::vector<Pattern>& patterns) {
  std::vector<Pattern> out;
  for (const Pattern& p : patterns) {
    std::vector<Pattern> variants(1);
    for (size_t k = 0; k < p.size(); ++k) {
      const StringPart& part = p[k];
      if (part.kind != StringPart::Kind::kLiteral) {
        for (Pattern& v : variants) {
          v.push_back(part);
        }
        continue;
      }
      std::vector<StringPart> alternatives;
      for (std::string& s : WindashVariants(part.text)) {
        alternatives.push_back(Literal(std::move(s)));
      }
      RAMPART_RETURN_IF_ERROR(Extend(variants, alternatives));
    }
    for (Pattern& v : variants) {
      out.push_back(std::move(v));
    }
    if (out.size() > kMaxVariants) {
      return InvalidArgument("windash expands the value to too many variants");
    }
  }
  patterns = std::move(out);
  return Status::Ok();
}

void AppendEscaped(std::string& out, std::string_view literal) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char ch : literal) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
      out += ch;
    } else if (c >= 0x21 && c < 0x7F) {
      out += '\\';
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

}  // namespace

std::vector<std::string> WindashVariants(std::string_view text) {
  std::vector<size_t> positions;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '-' && text[i] != '/') {
      continue;
    }
    const bool word_before = i > 0 && IsWordChar(static_cast<unsigned char>(text[i - 1]));
    const bool word_after =
        i + 1 < text.size() && IsWordChar(static_cast<unsigned char>(text[i + 1]));
    if (!word_before && word_after) {
      positions.push_back(i);
    }
  }
  std::vector<std::string> out;
  size_t total = 1;
  for (size_t k = 0; k < positions.size() && total <= kMaxVariants; ++k) {
    total *= std::size(kWindashes);
  }
  if (total > kMaxVariants) {
    // Too many dashes to enumerate: keep the spelling as written.
    out.emplace_back(text);
    return out;
  }
  // Counting in base 5 over the positions, digit 0 = the dash as written comes first.
  std::vector<size_t> digits(positions.size(), 0);
  for (size_t n = 0; n < total; ++n) {
    std::string s;
    size_t from = 0;
    for (size_t k = 0; k < positions.size(); ++k) {
      s.append(text.substr(from, positions[k] - from));
      if (digits[k] == 0) {
        s += text[positions[k]];
      } else {
        // The written dash first, then the others in kWindashes order.
        size_t idx = 0;
        size_t seen = 0;
        for (; idx < std::size(kWindashes); ++idx) {
          if (kWindashes[idx].size() == 1 && kWindashes[idx][0] == text[positions[k]]) {
            continue;
          }
          if (++seen == digits[k]) {
            break;
          }
        }
        s.append(kWindashes[idx]);
      }
      from = positions[k] + 1;
    }
    s.append(text.substr(from));
    out.push_back(std::move(s));
    for (size_t k = positions.size(); k-- > 0;) {
      if (++digits[k] < std::size(kWindashes)) {
        break;
      }
      digits[k] = 0;
    }
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                       (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const uint32_t v =
        (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::vector<std::string> Base64OffsetVariants(std::string_view bytes) {
  // pySigma: b64encode(i * b" " + value)[start[i] : end[(len(value) + i) % 3]]
  static constexpr size_t kStart[3] = {0, 2, 3};
  static constexpr int kEnd[3] = {0, -3, -2};  // 0 = to the end
  std::vector<std::string> out;
  for (size_t i = 0; i < 3; ++i) {
    std::string shifted(i, ' ');
    shifted.append(bytes);
    std::string encoded = Base64Encode(shifted);
    const int end_cut = kEnd[(bytes.size() + i) % 3];
    size_t end = encoded.size();
    if (end_cut < 0) {
      end = encoded.size() >= static_cast<size_t>(-end_cut) ? encoded.size() + end_cut : 0;
    }
    const size_t start = std::min(kStart[i], end);
    out.push_back(encoded.substr(start, end - start));
  }
  return out;
}

std::string Utf16Le(std::string_view utf8) {
  return Utf16(utf8, false);
}

std::string Utf16Be(std::string_view utf8) {
  return Utf16(utf8, true);
}

bool IsLiteral(const Pattern& pattern) {
  for (const StringPart& p : pattern) {
    if (p.kind != StringPart::Kind::kLiteral) {
      return false;
    }
  }
  return true;
}

bool IsAnyValue(const Pattern& pattern) {
  if (pattern.empty()) {
    return false;
  }
  for (const StringPart& p : pattern) {
    if (p.kind != StringPart::Kind::kAnyChars) {
      return false;
    }
  }
  return true;
}

std::string PatternToRegex(const Pattern& pattern) {
  std::string out;
  size_t begin = 0;
  size_t end = pattern.size();
  const bool open_start = end > 0 && pattern.front().kind == StringPart::Kind::kAnyChars;
  const bool open_end = end > 0 && pattern.back().kind == StringPart::Kind::kAnyChars;
  if (open_start) {
    ++begin;
  } else {
    out += "\\A";
  }
  if (open_end && end > begin) {
    --end;
  }
  for (size_t i = begin; i < end; ++i) {
    const StringPart& p = pattern[i];
    switch (p.kind) {
      case StringPart::Kind::kLiteral:
        AppendEscaped(out, p.text);
        break;
      case StringPart::Kind::kAnyChars:
        out += ".*";  // compiled with DOTALL: a wildcard spans line breaks
        break;
      case StringPart::Kind::kOneChar:
        // One UTF-8 character, not one byte.
        out += "(?:[\\x00-\\x7f]|[\\xc0-\\xff][\\x80-\\xbf]+)";
        break;
      case StringPart::Kind::kPlaceholder:
        AppendEscaped(out, "%" + p.text + "%");
        break;
    }
  }
  if (!open_end) {
    out += "\\z";
  }
  return out;
}

Result<std::vector<Pattern>> ExpandValue(const FieldCondition& fc,
                                         const Value& value,
                                         const Placeholders* placeholders) {
  Pattern base;
  if (value.type == ValueType::kString) {
    base = SplitSigmaString(value.text, fc.expand);
  } else if (value.type == ValueType::kBool) {
    base.push_back(Literal(value.boolean ? "true" : "false"));
  } else {
    base.push_back(Literal(value.text));
  }
  std::vector<Pattern> patterns;
  if (fc.expand) {
    RAMPART_ASSIGN_OR_RETURN(patterns, Substitute(base, placeholders));
  } else {
    patterns.push_back(std::move(base));
  }
  for (Modifier m : fc.modifiers) {
    switch (m) {
      case Modifier::kWindash:
        RAMPART_RETURN_IF_ERROR(ApplyWindash(patterns));
        break;
      case Modifier::kUtf16le:
      case Modifier::kUtf16be:
      case Modifier::kUtf16:
        for (Pattern& p : patterns) {
          bool first = true;
          for (StringPart& part : p) {
            if (part.kind != StringPart::Kind::kLiteral) {
              first = false;
              continue;
            }
            std::string encoded = m == Modifier::kUtf16be ? Utf16Be(part.text) : Utf16Le(part.text);
            if (m == Modifier::kUtf16 && first) {
              encoded.insert(0, "\xFF\xFE");
            }
            part.text = std::move(encoded);
            first = false;
          }
        }
        break;
      case Modifier::kBase64:
      case Modifier::kBase64Offset: {
        std::vector<Pattern> out;
        for (const Pattern& p : patterns) {
          RAMPART_ASSIGN_OR_RETURN(std::string bytes, LiteralOf(p, ModifierName(m)));
          if (m == Modifier::kBase64) {
            out.push_back(Pattern{Literal(Base64Encode(bytes))});
          } else {
            for (std::string& v : Base64OffsetVariants(bytes)) {
              out.push_back(Pattern{Literal(std::move(v))});
            }
          }
        }
        patterns = std::move(out);
        break;
      }
      default:
        break;
    }
  }
  std::vector<Pattern> out;
  out.reserve(patterns.size());
  for (Pattern& p : patterns) {
    if (fc.match == MatchKind::kContains || fc.match == MatchKind::kEndsWith) {
      p.insert(p.begin(), AnyChars());
    }
    if (fc.match == MatchKind::kContains || fc.match == MatchKind::kStartsWith) {
      p.push_back(AnyChars());
    }
    Pattern n = Normalize(std::move(p));
    bool duplicate = false;
    for (const Pattern& q : out) {
      if (q.size() == n.size()) {
        bool same = true;
        for (size_t i = 0; i < q.size() && same; ++i) {
          same = q[i].kind == n[i].kind && q[i].text == n[i].text;
        }
        duplicate = duplicate || same;
      }
    }
    if (!duplicate) {
      out.push_back(std::move(n));
    }
  }
  return out;
}

namespace {

// Length of a quantifier at regex[i] (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each with an
// optional lazy `?` or possessive `+`), 0 when there is none; -1 for a `{` that is not a
// quantifier (PCRE reads it as a literal; not worth modelling). *optional: may repeat 0 times.
int QuantifierLength(std::string_view regex, size_t i, bool* optional) {
  *optional = false;
  if (i >= regex.size()) {
    return 0;
  }
  size_t end = i;
  const char c = regex[i];
  if (c == '*' || c == '?') {
    *optional = true;
    end = i + 1;
  } else if (c == '+') {
    end = i + 1;
  } else if (c == '{') {
    size_t j = i + 1;
    size_t digits = 0;
    bool zero = true;
    while (j < regex.size() && IsDigit(regex[j])) {
      zero = zero && regex[j] == '0';
      ++j;
      ++digits;
    }
    if (digits == 0) {
      return -1;
    }
    if (j < regex.size() && regex[j] == ',') {
      ++j;
      while (j < regex.size() && IsDigit(regex[j])) {
        ++j;
      }
    }
    if (j >= regex.size() || regex[j] != '}') {
      return -1;
    }
    *optional = zero;
    end = j + 1;
  } else {
    return 0;
  }
  if (end < regex.size() && (regex[end] == '?' || regex[end] == '+')) {
    ++end;
  }
  return static_cast<int>(end - i);
}

// End (exclusive) of the group or class starting at regex[i] ('(' or '['), or npos.
size_t SkipBracketed(std::string_view regex, size_t i) {
  int depth = 0;
  bool in_class = false;
  for (size_t j = i; j < regex.size(); ++j) {
    const char c = regex[j];
    if (c == '\\') {
      ++j;
      continue;
    }
    if (in_class) {
      if (c == '[' && j + 1 < regex.size() && regex[j + 1] == ':') {  // [:alpha:]
        const size_t close = regex.find(":]", j + 2);
        if (close == std::string_view::npos) {
          return std::string_view::npos;
        }
        j = close + 1;
      } else if (c == ']') {
        in_class = false;
        if (depth == 0) {
          return j + 1;
        }
      }
      continue;
    }
    if (c == '[') {
      in_class = true;
      // A ']' right after '[' or '[^' is a literal member.
      if (j + 1 < regex.size() && regex[j + 1] == '^') {
        ++j;
      }
      if (j + 1 < regex.size() && regex[j + 1] == ']') {
        ++j;
      }
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth == 0) {
        return j + 1;
      }
    }
  }
  return std::string_view::npos;
}

// End (exclusive) of the argument of the escape `\e` whose letter or digit is at regex[i]:
// \xhh \x{..} \o{..} \ddd \cX \p{..} \pL \g{..} \g-1 \k<..> \k{..} \k'..' \N{..}. npos when
// an argument is unterminated.
size_t EscapeEnd(std::string_view regex, size_t i) {
  const char e = regex[i];
  size_t j = i + 1;
  auto braced = [&](char open, char close) -> size_t {
    if (j < regex.size() && regex[j] == open) {
      const size_t end = regex.find(close, j + 1);
      return end == std::string_view::npos ? end : end + 1;
    }
    return 0;
  };
  auto is_hex = [](char c) {
    return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  switch (e) {
    case 'x':
      if (const size_t b = braced('{', '}'); b != 0) {
        return b;
      }
      for (int n = 0; n < 2 && j < regex.size() && is_hex(regex[j]); ++n) {
        ++j;
      }
      return j;
    case 'o':
    case 'N':
      if (const size_t b = braced('{', '}'); b != 0) {
        return b;
      }
      return j;
    case 'c':
      return j < regex.size() ? j + 1 : std::string_view::npos;
    case 'p':
    case 'P':
      if (const size_t b = braced('{', '}'); b != 0) {
        return b;
      }
      return j < regex.size() ? j + 1 : std::string_view::npos;
    case 'g':
      if (const size_t b = braced('{', '}'); b != 0) {
        return b;
      }
      if (const size_t b = braced('<', '>'); b != 0) {
        return b;
      }
      if (const size_t b = braced('\'', '\''); b != 0) {
        return b;
      }
      if (j < regex.size() && (regex[j] == '-' || regex[j] == '+')) {
        ++j;
      }
      while (j < regex.size() && IsDigit(regex[j])) {
        ++j;
      }
      return j;
    case 'k':
      for (auto [open, close] : {std::pair{'<', '>'}, std::pair{'{', '}'}, std::pair{'\'', '\''}}) {
        if (const size_t b = braced(open, close); b != 0) {
          return b;
        }
      }
      return j;
    default:
      if (IsDigit(e)) {  // a back-reference or an octal escape: all its digits
        while (j < regex.size() && IsDigit(regex[j])) {
          ++j;
        }
      }
      return j;
  }
}

}  // namespace

std::string RequiredLiteral(std::string_view regex) {
  if (regex.find("\\Q") != std::string_view::npos) {
    return {};
  }
  // Inline flags with x (extended: whitespace and # mean something else) anywhere.
  for (size_t at = regex.find("(?"); at != std::string_view::npos; at = regex.find("(?", at + 2)) {
    for (size_t j = at + 2; j < regex.size() && regex[j] != ')' && regex[j] != ':'; ++j) {
      if (regex[j] == 'x') {
        return {};
      }
    }
  }
  std::string best;
  std::string run;
  auto end_run = [&] {
    if (run.size() > best.size()) {
      best = run;
    }
    run.clear();
  };
  size_t i = 0;
  while (i < regex.size()) {
    const char c = regex[i];
    size_t next = i + 1;
    bool literal = false;
    char byte = c;
    if (c == '\\') {
      if (i + 1 >= regex.size()) {
        return {};
      }
      const char e = regex[i + 1];
      next = i + 2;
      // Escaped punctuation is that character; letters and digits are classes, anchors,
      // back-references or character codes: they end the run, with their arguments.
      const bool alnum = IsDigit(e) || (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z');
      if (alnum) {
        next = EscapeEnd(regex, i + 1);
        if (next == std::string_view::npos) {
          return {};
        }
      }
      literal = !alnum && static_cast<unsigned char>(e) < 0x80;
      byte = e;
    } else if (c == '(' || c == '[') {
      next = SkipBracketed(regex, i);
      if (next == std::string_view::npos) {
        return {};
      }
    } else if (c == '|') {
      return {};  // a top-level alternative: nothing is required of every match
    } else if (c == ')' || c == ']' || c == '{' || c == '*' || c == '+' || c == '?') {
      if (c != ']') {
        return {};  // unbalanced or a quantifier with nothing to repeat
      }
    } else if (c != '.' && c != '^' && c != '$') {
      literal = static_cast<unsigned char>(c) < 0x80 && c != '#';
    }
    bool optional = false;
    const int quantifier = QuantifierLength(regex, next, &optional);
    if (quantifier < 0) {
      return {};
    }
    if (literal && !optional) {
      run.push_back(byte);
    }
    if (!literal || quantifier > 0) {
      end_run();  // a repeated character may be followed by more of itself
    }
    i = next + static_cast<size_t>(quantifier);
  }
  end_run();
  return best;
}

bool DatePart(std::string_view value, TimePart part, int* out) {
  auto digits = [&value](size_t at, size_t n, int* v) {
    if (at + n > value.size()) {
      return false;
    }
    *v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (!IsDigit(value[i])) {
        return false;
      }
      *v = *v * 10 + (value[i] - '0');
    }
    return true;
  };
  int year = 0;
  int month = 0;
  int day = 0;
  if (!digits(0, 4, &year) || value.size() < 10 || value[4] != '-' || value[7] != '-' ||
      !digits(5, 2, &month) || !digits(8, 2, &day) || month < 1 || month > 12 || day < 1 ||
      day > 31) {
    return false;
  }
  switch (part) {
    case TimePart::kYear:
      *out = year;
      return true;
    case TimePart::kMonth:
      *out = month;
      return true;
    case TimePart::kDay:
      *out = day;
      return true;
    case TimePart::kHour:
    case TimePart::kMinute: {
      int hour = 0;
      int minute = 0;
      if (value.size() < 16 || (value[10] != 'T' && value[10] != 't' && value[10] != ' ') ||
          !digits(11, 2, &hour) || value[13] != ':' || !digits(14, 2, &minute) || hour > 23 ||
          minute > 59) {
        return false;
      }
      *out = part == TimePart::kHour ? hour : minute;
      return true;
    }
    case TimePart::kWeek: {
      // ISO 8601: weeks start on Monday; week 1 holds the year's first Thursday.
      const int64_t days =
          DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
      const auto weekday = static_cast<int>(((days % 7) + 7 + 3) % 7) + 1;  // 1970-01-01: Thu
      const int64_t ordinal = days - DaysFromCivil(year, 1, 1) + 1;
      int64_t week = (ordinal - weekday + 10) / 7;
      auto weeks_in =
          [](int64_t y) {  // 53 when the year starts on Thursday (or Wednesday in a leap year)
            auto jan1 = static_cast<int>(((DaysFromCivil(y, 1, 1) % 7) + 7 + 3) % 7) + 1;
            const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            return jan1 == 4 || (leap && jan1 == 3) ? 53 : 52;
          };
      if (week < 1) {
        week = weeks_in(year - 1);
      } else if (week > weeks_in(year)) {
        week = 1;
      }
      *out = static_cast<int>(week);
      return true;
    }
    case TimePart::kNone:
      break;
  }
  return false;
}

}  // namespace rampart::sigma::internal
