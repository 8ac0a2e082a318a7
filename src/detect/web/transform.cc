#include "detect/web/transform.h"

#include "core/strings.h"

namespace rampart::detect::web {
namespace {

constexpr std::array<std::string_view, kTransformCount> kNames = {
    "url_decode",     "html_entities",       "js_escapes",      "base64",
    "lowercase",      "compress_whitespace", "remove_comments", "shell_normalize",
    "normalize_path", "remove_nulls",        "utf8_fold",
};

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' || c == '/' ||
         c == '-' || c == '.';
}

bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// One pass of %XX / %uXXXX / '+' decoding; returns whether anything was decoded.
bool UrlDecodeOnce(std::string_view in, std::string& out) {
  out.clear();
  bool changed = false;
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        changed = true;
        continue;
      }
    }
    if (c == '%' && i + 5 < in.size() && (in[i + 1] == 'u' || in[i + 1] == 'U')) {
      int cp = 0;
      bool ok = true;
      for (size_t k = 2; k < 6; ++k) {
        const int h = HexValue(in[i + k]);
        ok = ok && h >= 0;
        cp = cp * 16 + (h < 0 ? 0 : h);
      }
      if (ok) {
        AppendUtf8(out, static_cast<uint32_t>(cp));
        i += 5;
        changed = true;
        continue;
      }
    }
    if (c == '+') {
      out.push_back(' ');
      changed = true;
      continue;
    }
    out.push_back(c);
  }
  return changed;
}

bool UrlDecode(std::string_view in, std::string& out) {
  if (in.find_first_of("%+") == std::string_view::npos) {
    out.assign(in);
    return false;
  }
  thread_local std::string next;  // reused: decoding runs for every %-encoded value
  bool any = UrlDecodeOnce(in, out);
  for (int pass = 1; pass < kMaxUrlDecodePasses && out.find('%') != std::string::npos; ++pass) {
    if (!UrlDecodeOnce(out, next)) {
      break;
    }
    out.swap(next);
  }
  return any;
}

struct NamedEntity {
  std::string_view name;
  char value;
};
constexpr std::array<NamedEntity, 16> kEntities = {{
    {"lt", '<'},
    {"gt", '>'},
    {"quot", '"'},
    {"apos", '\''},
    {"amp", '&'},
    {"colon", ':'},
    {"lpar", '('},
    {"rpar", ')'},
    {"sol", '/'},
    {"bsol", '\\'},
    {"semi", ';'},
    {"equals", '='},
    {"Tab", '\t'},
    {"NewLine", '\n'},
    {"nbsp", ' '},
    {"period", '.'},
}};

bool HtmlEntities(std::string_view in, std::string& out) {
  out.clear();
  bool changed = false;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '&' || i + 2 >= in.size()) {
      out.push_back(in[i]);
      continue;
    }
    size_t j = i + 1;
    if (in[j] == '#') {
      ++j;
      const bool hex = j < in.size() && (in[j] == 'x' || in[j] == 'X');
      j += hex ? 1 : 0;
      uint32_t cp = 0;
      const size_t digits_begin = j;
      while (j < in.size() && j - digits_begin < 8 &&
             (hex ? HexValue(in[j]) >= 0 : IsDigit(in[j]))) {
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(HexValue(in[j]));
        ++j;
      }
      if (j == digits_begin) {
        out.push_back(in[i]);
        continue;
      }
      if (j < in.size() && in[j] == ';') {
        ++j;
      }
      AppendUtf8(out, cp > 0x10FFFF ? 0xFFFD : cp);
      i = j - 1;
      changed = true;
      continue;
    }
    bool named = false;
    for (const NamedEntity& e : kEntities) {
      if (j + e.name.size() <= in.size() && EqualsIgnoreCase(in.substr(j, e.name.size()), e.name)) {
        size_t end = j + e.name.size();
        if (end < in.size() && in[end] == ';') {
          ++end;
        }
        out.push_back(e.value);
        i = end - 1;
        named = changed = true;
        break;
      }
    }
    if (!named) {
      out.push_back(in[i]);
    }
  }
  return changed;
}

bool JsEscapes(std::string_view in, std::string& out) {
  out.clear();
  bool changed = false;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\' || i + 1 >= in.size()) {
      out.push_back(in[i]);
      continue;
    }
    const char e = in[i + 1];
    if ((e == 'u' || e == 'U') && i + 2 < in.size() && in[i + 2] == '{') {
      size_t j = i + 3;
      uint32_t cp = 0;
      while (j < in.size() && HexValue(in[j]) >= 0 && j - i < 12) {
        cp = cp * 16 + static_cast<uint32_t>(HexValue(in[j]));
        ++j;
      }
      if (j < in.size() && in[j] == '}') {
        AppendUtf8(out, cp > 0x10FFFF ? 0xFFFD : cp);
        i = j;
        changed = true;
        continue;
      }
    }
    if ((e == 'u' || e == 'U') && i + 5 < in.size()) {
      uint32_t cp = 0;
      bool ok = true;
      for (size_t k = 2; k < 6; ++k) {
        const int h = HexValue(in[i + k]);
        ok = ok && h >= 0;
        cp = cp * 16 + static_cast<uint32_t>(h < 0 ? 0 : h);
      }
      if (ok) {
        AppendUtf8(out, cp);
        i += 5;
        changed = true;
        continue;
      }
    }
    if (e == 'x' && i + 3 < in.size() && HexValue(in[i + 2]) >= 0 && HexValue(in[i + 3]) >= 0) {
      out.push_back(static_cast<char>(HexValue(in[i + 2]) * 16 + HexValue(in[i + 3])));
      i += 3;
      changed = true;
      continue;
    }
    if (e >= '0' && e <= '7') {
      uint32_t v = 0;
      size_t j = i + 1;
      while (j < in.size() && j < i + 4 && in[j] >= '0' && in[j] <= '7') {
        v = v * 8 + static_cast<uint32_t>(in[j] - '0');
        ++j;
      }
      out.push_back(static_cast<char>(v & 0xFF));
      i = j - 1;
      changed = true;
      continue;
    }
    char c = 0;
    switch (e) {
      case 'n':
        c = '\n';
        break;
      case 't':
        c = '\t';
        break;
      case 'r':
        c = '\r';
        break;
      case '\'':
      case '"':
      case '\\':
      case '/':
        c = e;
        break;
      default:
        break;
    }
    if (c != 0) {
      out.push_back(c);
      ++i;
      changed = true;
    } else {
      out.push_back(in[i]);
    }
  }
  return changed;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (IsDigit(c))
    return c - '0' + 52;
  if (c == '+' || c == '-')
    return 62;
  if (c == '/' || c == '_')
    return 63;
  return -1;
}

bool Base64(std::string_view in, std::string& out) {
  std::string_view v = Trim(in);
  out.assign(in);
  while (!v.empty() && v.back() == '=') {
    v.remove_suffix(1);
  }
  // Short values are words as often as base64; 8 characters decode to 6 bytes.
  if (v.size() < 8 || v.size() % 4 == 1) {
    return false;
  }
  thread_local std::string decoded;  // reused: most long values are tried
  decoded.clear();
  uint32_t acc = 0;
  int bits = 0;
  bool has_lower = false, has_upper_or_digit = false;
  for (char c : v) {
    const int x = Base64Value(c);
    if (x < 0) {
      return false;
    }
    has_lower = has_lower || (c >= 'a' && c <= 'z');
    has_upper_or_digit = has_upper_or_digit || (c >= 'A' && c <= 'Z') || IsDigit(c);
    acc = (acc << 6) | static_cast<uint32_t>(x);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      decoded.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (!has_lower || !has_upper_or_digit) {
    return false;  // all-lowercase or all-caps words are words
  }
  // Printable text only: binary blobs (images, keys) stay as they are.
  size_t i = 0;
  while (i < decoded.size()) {
    const auto c = static_cast<unsigned char>(decoded[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\r' && c != '\n') {
        return false;
      }
      if (c == 0x7f) {
        return false;
      }
      ++i;
      continue;
    }
    if (DecodeUtf8(decoded, &i) == 0xFFFD) {
      return false;
    }
  }
  out.assign(decoded);
  return true;
}

bool Lowercase(std::string_view in, std::string& out) {
  out.assign(in);
  bool changed = false;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c + 32);
      changed = true;
    }
  }
  return changed;
}

bool CompressWhitespace(std::string_view in, std::string& out) {
  out.clear();
  bool changed = false;
  bool in_space = false;
  for (size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    bool space = IsSpace(c);
    size_t extra = 0;
    if (c == 0xC2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) == 0xA0) {
      space = true;  // NBSP
      extra = 1;
    }
    if (space) {
      if (in_space || c != ' ' || extra != 0) {
        changed = true;
      }
      if (!in_space) {
        out.push_back(' ');
      }
      in_space = true;
      i += extra;
      continue;
    }
    in_space = false;
    out.push_back(static_cast<char>(c));
  }
  return changed;
}

bool RemoveComments(std::string_view in, std::string& out) {
  out.clear();
  bool changed = false;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in.compare(i, 2, "/*") == 0) {
      const size_t close = in.find("*/", i + 2);
      const size_t end = close == std::string_view::npos ? in.size() : close;
      if (i + 2 < in.size() && in[i + 2] == '!') {
        // MySQL executable comment: the content runs, minus an optional version number.
        size_t j = i + 3;
        while (j < end && IsDigit(in[j])) {
          ++j;
        }
        out.push_back(' ');
        out.append(in.substr(j, end - j));
      }
      out.push_back(' ');
      i = close == std::string_view::npos ? in.size() : close + 1;
      changed = true;
      continue;
    }
    if (in.compare(i, 4, "<!--") == 0) {
      const size_t close = in.find("-->", i + 4);
      out.push_back(' ');
      i = close == std::string_view::npos ? in.size() : close + 2;
      changed = true;
      continue;
    }
    out.push_back(in[i]);
  }
  return changed;
}

bool ShellNormalize(std::string_view in, std::string& out) {
  out.clear();
  bool changed = false;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in.compare(i, 6, "${IFS}") == 0) {
      out.push_back(' ');
      i += 5;
      changed = true;
      continue;
    }
    if (in.compare(i, 4, "$IFS") == 0) {
      out.push_back(' ');
      i += 3;
      changed = true;
      continue;
    }
    const char c = in[i];
    // Quotes, backslashes and carets inside a word: c'a't, c\at, c^md, w"h"o"am"i.
    if ((c == '\'' || c == '"' || c == '\\' || c == '^') && i > 0 && i + 1 < in.size() &&
        IsWordChar(in[i - 1]) && (IsWordChar(in[i + 1]) || in[i + 1] == '\'' || in[i + 1] == '"')) {
      changed = true;
      continue;
    }
    if (c == '$' && i + 2 < in.size() && in[i + 1] == '@') {
      i += 1;  // $@ expands to nothing
      changed = true;
      continue;
    }
    out.push_back(c);
  }
  return changed;
}

bool NormalizePath(std::string_view in, std::string& out) {
  out.clear();
  bool changed = false;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '\\') {
      c = '/';
      changed = true;
    }
    if (c == '/' && !out.empty() && out.back() == '/') {
      changed = true;
      continue;
    }
    out.push_back(c);
    // "/./" -> "/"
    if (c == '/' && out.size() >= 3 && out[out.size() - 2] == '.' && out[out.size() - 3] == '/') {
      out.resize(out.size() - 2);
      changed = true;
    }
  }
  return changed;
}

bool RemoveNulls(std::string_view in, std::string& out) {
  out.clear();
  for (char c : in) {
    if (c != '\0') {
      out.push_back(c);
    }
  }
  return out.size() != in.size();
}

bool Utf8Fold(std::string_view in, std::string& out) {
  out.clear();
  bool changed = false;
  for (size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    // Overlong two- and three-byte forms of ASCII (C0 AE = '.', E0 80 AF = '/').
    if ((c == 0xC0 || c == 0xC1) && i + 1 < in.size()) {
      const auto c1 = static_cast<unsigned char>(in[i + 1]);
      if ((c1 & 0xC0) == 0x80) {
        out.push_back(static_cast<char>(((c & 0x1F) << 6) | (c1 & 0x3F)));
        ++i;
        changed = true;
        continue;
      }
    }
    if (c == 0xE0 && i + 2 < in.size()) {
      const auto c1 = static_cast<unsigned char>(in[i + 1]);
      const auto c2 = static_cast<unsigned char>(in[i + 2]);
      if (c1 >= 0x80 && c1 < 0xA0 && (c2 & 0xC0) == 0x80) {
        const uint32_t cp = ((c1 & 0x3F) << 6) | (c2 & 0x3F);
        if (cp < 0x80) {
          out.push_back(static_cast<char>(cp));
          i += 2;
          changed = true;
          continue;
        }
      }
    }
    // Full-width forms U+FF01..U+FF5E (EF BC 81 .. EF BD 9E) -> '!'..'~'.
    if (c == 0xEF && i + 2 < in.size()) {
      const auto c1 = static_cast<unsigned char>(in[i + 1]);
      const auto c2 = static_cast<unsigned char>(in[i + 2]);
      const uint32_t cp = ((c & 0x0F) << 12) | ((c1 & 0x3F) << 6) | (c2 & 0x3F);
      if ((c1 & 0xC0) == 0x80 && (c2 & 0xC0) == 0x80 && cp >= 0xFF01 && cp <= 0xFF5E) {
        out.push_back(static_cast<char>(cp - 0xFF01 + '!'));
        i += 2;
        changed = true;
        continue;
      }
    }
    out.push_back(static_cast<char>(c));
  }
  return changed;
}

}  // namespace

std::string_view TransformName(Transform t) {
  return kNames[static_cast<size_t>(t)];
}

std::optional<Transform> ParseTransform(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) {
      return static_cast<Transform>(i);
    }
  }
  return std::nullopt;
}

std::string TransformChain::ToString() const {
  if (size == 0) {
    return "none";
  }
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    if (i > 0) {
      out += ',';
    }
    out += TransformName(steps[i]);
  }
  return out;
}

bool ApplyTransform(Transform t, std::string_view in, std::string& out) {
  switch (t) {
    case Transform::kUrlDecode:
      return UrlDecode(in, out);
    case Transform::kHtmlEntities:
      return HtmlEntities(in, out);
    case Transform::kJsEscapes:
      return JsEscapes(in, out);
    case Transform::kBase64:
      return Base64(in, out);
    case Transform::kLowercase:
      return Lowercase(in, out);
    case Transform::kCompressWhitespace:
      return CompressWhitespace(in, out);
    case Transform::kRemoveComments:
      return RemoveComments(in, out);
    case Transform::kShellNormalize:
      return ShellNormalize(in, out);
    case Transform::kNormalizePath:
      return NormalizePath(in, out);
    case Transform::kRemoveNulls:
      return RemoveNulls(in, out);
    case Transform::kUtf8Fold:
      return Utf8Fold(in, out);
  }
  out.assign(in);
  return false;
}

namespace {

constexpr uint32_t Bit(Transform t) {
  return 1u << static_cast<unsigned>(t);
}

// Per byte, the transforms it may set off (pairs such as "/*" and "  " are settled in
// TriggerMask). One table lookup per byte replaces a search per transform.
struct TriggerTable {
  std::array<uint32_t, 256> bits{};
  constexpr TriggerTable() {
    bits['%'] |= Bit(Transform::kUrlDecode);
    bits['+'] |= Bit(Transform::kUrlDecode);
    bits['&'] |= Bit(Transform::kHtmlEntities);
    bits['\\'] |= Bit(Transform::kJsEscapes) | Bit(Transform::kShellNormalize) |
                  Bit(Transform::kNormalizePath);
    for (int c = 'A'; c <= 'Z'; ++c) {
      bits[c] |= Bit(Transform::kLowercase);
    }
    for (unsigned char c : {'\t', '\n', '\r', '\v', '\f'}) {
      bits[c] |= Bit(Transform::kCompressWhitespace);
    }
    bits[0xC2] |= Bit(Transform::kCompressWhitespace);  // NBSP's lead byte
    for (unsigned char c : {'$', '\'', '"', '^'}) {
      bits[c] |= Bit(Transform::kShellNormalize);
    }
    bits[0] |= Bit(Transform::kRemoveNulls);
    for (int c = 0x80; c < 0x100; ++c) {
      bits[c] |= Bit(Transform::kUtf8Fold);
    }
  }
};
constexpr TriggerTable kTriggers;

}  // namespace

uint32_t TriggerMask(std::string_view s) {
  // One table lookup per byte; the pairs ("  ", "/*", "<!", "//", "/.") are looked for only
  // when their first byte occurs at all.
  constexpr uint32_t kSpace = 1u << 29;
  constexpr uint32_t kSlash = 1u << 30;
  constexpr uint32_t kLess = 1u << 31;
  uint32_t mask = s.size() >= 8 ? Bit(Transform::kBase64) : 0;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    mask |= kTriggers.bits[c] | (c == ' ' ? kSpace : 0) | (c == '/' ? kSlash : 0) |
            (c == '<' ? kLess : 0);
  }
  if ((mask & (kSpace | kSlash | kLess)) != 0) {
    unsigned char prev = 0;
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == ' ' && prev == ' ') {
        mask |= Bit(Transform::kCompressWhitespace);
      } else if ((c == '*' && prev == '/') || (c == '!' && prev == '<')) {
        mask |= Bit(Transform::kRemoveComments);
      } else if ((c == '/' || c == '.') && prev == '/') {
        mask |= Bit(Transform::kNormalizePath);
      }
      prev = c;
    }
  }
  return mask & ~(kSpace | kSlash | kLess);
}

std::string_view ApplyChain(const TransformChain& chain,
                            std::string_view in,
                            TransformScratch& scratch,
                            uint32_t* changed,
                            uint32_t in_mask) {
  uint32_t bits = 0;
  std::string_view cur = in;
  uint32_t mask = in_mask == kUnknownTriggers ? TriggerMask(in) : in_mask;
  std::string* out = &scratch.a;
  for (size_t i = 0; i < chain.size; ++i) {
    if ((mask & Bit(chain.steps[i])) == 0) {
      continue;
    }
    if (ApplyTransform(chain.steps[i], cur, *out)) {
      bits |= 1u << i;
      cur = *out;
      out = out == &scratch.a ? &scratch.b : &scratch.a;
      mask = TriggerMask(cur);  // a decoded value may hold what the next steps undo
    }
  }
  if (changed != nullptr) {
    *changed = bits;
  }
  return cur;
}

std::string ChangedStepNames(const TransformChain& chain, uint32_t changed) {
  std::string out;
  for (size_t i = 0; i < chain.size; ++i) {
    if ((changed & (1u << i)) != 0) {
      if (!out.empty()) {
        out += ',';
      }
      out += TransformName(chain.steps[i]);
    }
  }
  return out;
}

}  // namespace rampart::detect::web
