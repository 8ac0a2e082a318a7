#include "enrich/internal/encoded_rewriter.h"

#include <string.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "enrich/internal/secret_scanners.h"

namespace rampart::enrich::internal {
namespace {

int Hex4(std::string_view t, size_t q) {
  if (q + 4 > t.size()) {
    return -1;
  }
  int v = 0;
  for (size_t k = q; k < q + 4; ++k) {
    int h = HexValue(t[k]);
    if (h < 0) {
      return -1;
    }
    v = v * 16 + h;
  }
  return v;
}

// Appends the UTF-8 bytes of `cp`, each mapped to `src`.
void AppendUtf8(uint32_t cp, uint32_t src, std::string* out, std::vector<uint32_t>* map) {
  char b[4];
  size_t n = 0;
  if (cp < 0x80) {
    b[n++] = static_cast<char>(cp);
  } else if (cp < 0x800) {
    b[n++] = static_cast<char>(0xC0 | (cp >> 6));
    b[n++] = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    b[n++] = static_cast<char>(0xE0 | (cp >> 12));
    b[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    b[n++] = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    b[n++] = static_cast<char>(0xF0 | (cp >> 18));
    b[n++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    b[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    b[n++] = static_cast<char>(0x80 | (cp & 0x3F));
  }
  out->append(b, n);
  map->insert(map->end(), n, src);
}

// Original-text offset of byte j of a view: identity for the text itself.
uint32_t SrcOf(const std::vector<uint32_t>* src, size_t j) {
  return src == nullptr ? static_cast<uint32_t>(j) : (*src)[j];
}

// Appends in[begin, end), which holds no escape, with its offsets: most of a text is such
// runs, copied in bulk rather than byte by byte.
void AppendRun(std::string_view in,
               const std::vector<uint32_t>* in_src,
               size_t begin,
               size_t end,
               std::string* out,
               std::vector<uint32_t>* out_src) {
  if (begin >= end) {
    return;
  }
  out->append(in.data() + begin, end - begin);
  if (in_src != nullptr) {
    out_src->insert(out_src->end(), in_src->begin() + static_cast<std::ptrdiff_t>(begin),
                    in_src->begin() + static_cast<std::ptrdiff_t>(end));
    return;
  }
  const size_t at = out_src->size();
  out_src->resize(at + (end - begin));
  uint32_t* o = out_src->data() + at;
  for (size_t k = begin; k < end; ++k) {
    *o++ = static_cast<uint32_t>(k);
  }
}

// JSON (and nginx \xHH) unescaping of `in` into `out`; `in_src` maps `in` (null: identity).
void JsonUnescape(std::string_view in,
                  const std::vector<uint32_t>* in_src,
                  size_t original_size,
                  std::string* out,
                  std::vector<uint32_t>* out_src) {
  out->clear();
  out_src->clear();
  const size_t n = in.size();
  size_t j = 0;
  while (j < n) {
    const size_t next = in.find('\\', j);
    const size_t run_end = next == std::string_view::npos ? n : next;
    AppendRun(in, in_src, j, run_end, out, out_src);
    j = run_end;
    if (j >= n) {
      break;
    }
    char c = in[j];
    uint32_t s = SrcOf(in_src, j);
    if (c == '\\' && j + 1 < n) {
      char e = in[j + 1];
      char simple = 0;
      switch (e) {
        case '"':
        case '\\':
        case '/':
        case '\'':
          simple = e;
          break;
        case 'n':
          simple = '\n';
          break;
        case 't':
          simple = '\t';
          break;
        case 'r':
          simple = '\r';
          break;
        case 'b':
          simple = '\b';
          break;
        case 'f':
          simple = '\f';
          break;
        default:
          break;
      }
      if (simple != 0) {
        out->push_back(simple);
        out_src->push_back(s);
        j += 2;
        continue;
      }
      if (e == 'u') {
        int cp = Hex4(in, j + 2);
        if (cp >= 0xD800 && cp <= 0xDBFF && j + 12 <= n && in[j + 6] == '\\' && in[j + 7] == 'u') {
          int lo = Hex4(in, j + 8);
          if (lo >= 0xDC00 && lo <= 0xDFFF) {
            AppendUtf8(0x10000 + ((static_cast<uint32_t>(cp) - 0xD800) << 10) +
                           (static_cast<uint32_t>(lo) - 0xDC00),
                       s, out, out_src);
            j += 12;
            continue;
          }
        }
        if (cp >= 0 && (cp < 0xD800 || cp > 0xDFFF)) {
          AppendUtf8(static_cast<uint32_t>(cp), s, out, out_src);
          j += 6;
          continue;
        }
      } else if (e == 'x' && j + 3 < n && IsHexDigit(in[j + 2]) && IsHexDigit(in[j + 3])) {
        out->push_back(static_cast<char>(HexValue(in[j + 2]) * 16 + HexValue(in[j + 3])));
        out_src->push_back(s);
        j += 4;
        continue;
      }
    }
    out->push_back(c);
    out_src->push_back(s);
    ++j;
  }
  out_src->push_back(static_cast<uint32_t>(original_size));
}

// URL decoding ('+' is a space) of `in` into `out`.
void UrlDecode(std::string_view in,
               const std::vector<uint32_t>* in_src,
               size_t original_size,
               std::string* out,
               std::vector<uint32_t>* out_src) {
  out->clear();
  out_src->clear();
  const size_t n = in.size();
  size_t j = 0;
  while (j < n) {
    size_t run_end = j;
    while (run_end < n && in[run_end] != '%' && in[run_end] != '+') {
      ++run_end;
    }
    AppendRun(in, in_src, j, run_end, out, out_src);
    j = run_end;
    if (j >= n) {
      break;
    }
    char c = in[j];
    uint32_t s = SrcOf(in_src, j);
    if (c == '%' && j + 2 < n && IsHexDigit(in[j + 1]) && IsHexDigit(in[j + 2])) {
      out->push_back(static_cast<char>(HexValue(in[j + 1]) * 16 + HexValue(in[j + 2])));
      j += 3;
    } else {
      out->push_back(c == '+' ? ' ' : c);
      ++j;
    }
    out_src->push_back(s);
  }
  out_src->push_back(static_cast<uint32_t>(original_size));
}

// How common a byte is in log text (higher = more common), to pick the byte of a secret
// that memchr should look for.
constexpr int CommonnessOf(unsigned char c) {
  if (c == ' ' || c == '"' || c == ',' || c == ':' || c == '0' || c == '1' || c == '2' ||
      c == 'e' || c == 'a' || c == 't' || c == 'o' || c == 'i' || c == 'n' || c == 's' ||
      c == 'r') {
    return 3;
  }
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '.' || c == '/' || c == '-' ||
      c == '=' || c == '_' || c == '\\') {
    return 2;
  }
  if (c >= 'A' && c <= 'Z') {
    return 1;
  }
  return 0;  // other punctuation and non-ASCII
}

// The same as a table: the rarest byte of every secret is picked for every event.
constexpr std::array<uint8_t, 256> kCommonness = [] {
  std::array<uint8_t, 256> table{};
  for (size_t c = 0; c < table.size(); ++c) {
    table[c] = static_cast<uint8_t>(CommonnessOf(static_cast<unsigned char>(c)));
  }
  return table;
}();

int Commonness(unsigned char c) {
  return kCommonness[c];
}

// Offset of the byte of `needle` that looks rarest in log text.
size_t RareByteOffset(std::string_view needle) {
  size_t k = 0;
  for (size_t j = 1; j < needle.size() && Commonness(static_cast<unsigned char>(needle[k])) > 0;
       ++j) {
    if (Commonness(static_cast<unsigned char>(needle[j])) <
        Commonness(static_cast<unsigned char>(needle[k]))) {
      k = j;
    }
  }
  return k;
}

// First occurrence of `needle` in `hay` at or after `from`. memchr for the needle's byte
// at offset k (its rarest-looking one) and a memcmp usually settle it in a few steps; after 16
// false starts glibc's memmem (linear in the worst case, but with a 256-byte table set up per call)
// takes over, so hostile input such as a long run of one byte stays linear.
size_t Find(std::string_view hay, std::string_view needle, size_t k, size_t from) {
  const size_t m = needle.size();
  if (m == 0 || from > hay.size() || hay.size() - from < m) {
    return std::string_view::npos;
  }
  const char* base = hay.data();
  const char* last = base + hay.size() - m;  // the last possible start
  const char* p = base + from;
  for (int tries = 0; tries < 16; ++tries) {
    const char* hit =
        static_cast<const char*>(std::memchr(p + k, needle[k], static_cast<size_t>(last - p) + 1));
    if (hit == nullptr) {
      return std::string_view::npos;
    }
    p = hit - k;
    if (std::memcmp(p, needle.data(), m) == 0) {
      return static_cast<size_t>(p - base);
    }
    if (p == last) {
      return std::string_view::npos;
    }
    ++p;
  }
  const void* q = ::memmem(p, static_cast<size_t>(base + hay.size() - p), needle.data(), m);
  return q == nullptr ? std::string_view::npos
                      : static_cast<size_t>(static_cast<const char*>(q) - base);
}

// RFC 3986 unreserved: never percent-encoded by a sane encoder.
bool IsUrlSafe(char c) {
  return IsAlnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

// Characters no JSON encoder escapes (some escape '/', '+', '<', '>', '&', '\'', '=' or
// everything beyond ASCII).
bool IsJsonSafe(char c) {
  if (IsAlnum(c)) {
    return true;
  }
  switch (c) {
    case ' ':
    case '-':
    case '_':
    case '.':
    case '!':
    case '@':
    case '#':
    case '$':
    case '%':
    case '*':
    case '(':
    case ')':
    case ',':
    case ':':
    case ';':
    case '?':
    case '[':
    case ']':
    case '^':
    case '{':
    case '|':
    case '}':
    case '~':
      return true;
    default:
      return false;
  }
}

bool StandsAlone(std::string_view t, size_t b, size_t e) {
  auto glued = [](char c) {
    return IsAlnum(c) || c == '.';
  };
  return (b == 0 || !glued(t[b - 1])) && (e >= t.size() || !glued(t[e]));
}

}  // namespace

EncodedRewriter::TextTraits EncodedRewriter::Analyze(std::string_view s) {
  // memchr per escape byte: most texts have none of them, and memchr skips 32+ bytes a step.
  TextTraits t;
  const size_t n = s.size();
  for (size_t j = s.find('\\'); j != std::string_view::npos; j = s.find('\\', j + 2)) {
    t.backslash = true;
    if (j + 1 < n && (s[j + 1] == 'u' || s[j + 1] == 'x')) {
      t.code_escape = true;
      break;
    }
  }
  for (size_t j = s.find('%'); j != std::string_view::npos; j = s.find('%', j + 1)) {
    if (j + 2 < n && IsHexDigit(s[j + 1]) && IsHexDigit(s[j + 2])) {
      t.percent = true;
      char d = static_cast<char>(HexValue(s[j + 1]) * 16 + HexValue(s[j + 2]));
      t.percent_code |= IsUrlSafe(d);
      t.percent_backslash |= d == '\\';
    }
  }
  t.plus = s.find('+') != std::string_view::npos;
  return t;
}

bool EncodedRewriter::NeedJson(const TextTraits& t, const PairTraits& p) {
  // Escapes that only stand for '"', '\\', '/' or control characters cannot hide a
  // secret that has none of those: it then appears literally in the undecoded text.
  return t.backslash && (p.json_special || t.code_escape);
}

bool EncodedRewriter::NeedUrl(const TextTraits& t, const PairTraits& p) {
  return (t.percent && (p.url_special || t.percent_code)) || (t.plus && p.space);
}

void EncodedRewriter::Build(ViewIndex to,
                            bool json,
                            std::string_view from,
                            const std::vector<uint32_t>* src,
                            size_t original_size) {
  View& v = views_[to];
  if (json) {
    JsonUnescape(from, src, original_size, &v.text, &v.src);
  } else {
    UrlDecode(from, src, original_size, &v.text, &v.src);
  }
  v.traits = Analyze(v.text);
  v.built = true;
}

void EncodedRewriter::BuildViews(std::string_view text,
                                 const TextTraits& traits,
                                 const PairTraits& pairs) {
  for (View& v : views_) {
    v.built = false;
  }
  const size_t n = text.size();
  View& j = views_[kJ];
  View& jj = views_[kJJ];
  View& u = views_[kU];
  if (NeedJson(traits, pairs)) {
    Build(kJ, true, text, nullptr, n);
    if (NeedJson(j.traits, pairs)) {
      Build(kJJ, true, j.text, &j.src, n);
      if (NeedUrl(jj.traits, pairs)) {
        Build(kUJJ, false, jj.text, &jj.src, n);
      }
    }
    if (NeedUrl(j.traits, pairs)) {
      Build(kUJ, false, j.text, &j.src, n);
    }
  }
  if (NeedUrl(traits, pairs)) {
    Build(kU, false, text, nullptr, n);
    // JSON escapes that only appear after URL decoding (a JSON document in a form value).
    if (traits.percent_backslash && NeedJson(u.traits, pairs)) {
      Build(kJU, true, u.text, &u.src, n);
    }
  }
}

void EncodedRewriter::Search(std::string_view view_text,
                             const std::vector<uint32_t>* src,
                             std::string_view text) {
  std::span<const Replacement> pairs = pairs_;
  for (size_t k = 0; k < pairs.size(); ++k) {
    std::string_view secret = pairs[k].original;
    if (secret.empty() || secret.size() > view_text.size()) {
      continue;
    }
    const size_t rare = rare_offsets_[k];
    for (size_t at = Find(view_text, secret, rare, 0); at != std::string_view::npos;
         at = Find(view_text, secret, rare, at + 1)) {
      size_t b = at;
      size_t e = at + secret.size();
      // A match ending inside a multi-byte decoded escape covers the whole escape.
      while (e < view_text.size() && SrcOf(src, e) == SrcOf(src, e - 1)) {
        ++e;
      }
      uint32_t begin = SrcOf(src, b);
      uint32_t end = SrcOf(src, e);
      if (pairs[k].bounded && !StandsAlone(text, begin, end)) {
        continue;
      }
      intervals_.push_back(Interval{begin, end, static_cast<uint32_t>(k)});
    }
  }
}

namespace {

// What each byte of a secret tells about the encodings that can change it (PairTraits),
// as a table: SetPairs runs over every byte of every secret of every event.
enum : uint8_t { kJsonSpecial = 1, kUrlSpecial = 2, kSpace = 4 };

const std::array<uint8_t, 256>& SecretByteTraits() {
  static const std::array<uint8_t, 256> kTable = [] {
    std::array<uint8_t, 256> t{};
    for (size_t b = 0; b < t.size(); ++b) {
      const auto c = static_cast<char>(b);
      t[b] = static_cast<uint8_t>((IsJsonSafe(c) ? 0 : kJsonSpecial) |
                                  (IsUrlSafe(c) ? 0 : kUrlSpecial) | (c == ' ' ? kSpace : 0));
    }
    return t;
  }();
  return kTable;
}

}  // namespace

void EncodedRewriter::SetPairs(std::span<const Replacement> pairs) {
  pairs_ = pairs;
  rare_offsets_.clear();
  const std::array<uint8_t, 256>& byte_traits = SecretByteTraits();
  uint8_t traits = 0;
  for (const Replacement& r : pairs) {
    rare_offsets_.push_back(RareByteOffset(r.original));
    for (char c : r.original) {
      traits |= byte_traits[static_cast<unsigned char>(c)];
    }
  }
  pair_traits_ = PairTraits{};
  pair_traits_.json_special = (traits & kJsonSpecial) != 0;
  pair_traits_.url_special = (traits & kUrlSpecial) != 0;
  pair_traits_.space = (traits & kSpace) != 0;
}

bool EncodedRewriter::Rewrite(std::string_view text, std::string* out) {
  if (pairs_.empty() || text.empty()) {
    return false;
  }
  intervals_.clear();
  Search(text, nullptr, text);
  BuildViews(text, Analyze(text), pair_traits_);
  for (const View& v : views_) {
    if (v.built) {
      Search(v.text, &v.src, text);
    }
  }
  if (intervals_.empty()) {
    return false;
  }
  std::sort(intervals_.begin(), intervals_.end(), [](const Interval& a, const Interval& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  out->clear();
  size_t pos = 0;
  size_t k = 0;
  while (k < intervals_.size()) {
    // Merge overlapping occurrences; the longest one names the replacement.
    size_t begin = intervals_[k].begin;
    size_t end = intervals_[k].end;
    size_t best = k;
    size_t j = k + 1;
    for (; j < intervals_.size() && intervals_[j].begin < end; ++j) {
      const Interval& iv = intervals_[j];
      if (iv.end - iv.begin > intervals_[best].end - intervals_[best].begin) {
        best = j;
      }
      end = std::max<size_t>(end, iv.end);
    }
    out->append(text.data() + pos, begin - pos);
    out->append(pairs_[intervals_[best].pair].replacement);
    pos = end;
    k = j;
  }
  out->append(text.data() + pos, text.size() - pos);
  return true;
}

}  // namespace rampart::enrich::internal
