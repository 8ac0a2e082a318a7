// XSS by HTML tokenizing. A small state machine modelled on the HTML5 tokenizer (data, tag
// open, tag name, attribute name, attribute value quoted/unquoted, comment, bogus comment)
// reads the value the way a browser would and judges each element and attribute it builds:
//   - an element that runs script or loads active content by itself (script, iframe,
//     object, embed, svg, base, meta, style, ...; kDangerousTags), also with a namespace
//     prefix (<x:script>);
//   - an event handler attribute: on + at least three letters with a value (onerror=);
//   - a URL attribute (href, src, action, formaction, data, ...) whose value, after the
//     browser's own clean-up (entities decoded, tabs/newlines/controls dropped), starts with
//     javascript:, vbscript: or an HTML/SVG/script data: URL;
//   - a style attribute with script-capable CSS (expression(, javascript:, -moz-binding,
//     behavior:, @import); srcdoc holding markup.
// Text is not judged: "a < b and c > d", "I <3 you" and "<john@example.com>" build no
// dangerous element, and harmless elements (<b>, <p>, <a href="/x">) pass.
//
// Contexts: the value is read as page text and, when it holds a quote, as the rest of an
// attribute value quoted with it (so `" onmouseover=alert(1) x="` is seen as a handler).
// In those quote contexts a handler must be written name= (no blanks) so that prose like
// "it's online = yes" is not taken for markup. A whole value that is a script URL
// ("javascript:alert(1)", "data:text/html,...") counts too, since values are reflected into
// href/src; "JavaScript: The Good Parts" (blank after the colon, no call) does not.
//
// Content of raw-text elements (textarea, title, style, script) is parsed as markup on
// purpose: the value's reflection context is unknown and the attacker closes them anyway.
// Entity-encoded (&lt;script&gt;) and full-width (U+FF1C) brackets do not open tags in a
// browser and are not flagged. Work: at most kXssMaxScan bytes, linear.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "detect/web/tokenizers.h"

namespace rampart::detect::web {
namespace {

// Bytes of an attribute value that are normalised for the URL-scheme and CSS checks.
constexpr size_t kUrlPrefix = 64;
constexpr size_t kCssWindow = 4096;
constexpr size_t kMaxName = 32;  // longer tag/attribute names are never in our tables

constexpr std::string_view kDangerousTags[] = {
    "script", "iframe", "frame", "frameset", "object", "embed",  "applet",   "base",
    "meta",   "style",  "link",  "svg",      "xml",    "import", "vmlframe", "isindex",
};

// Attributes whose value the browser loads or navigates to.
constexpr std::string_view kUrlAttributes[] = {
    "href",     "src",    "action",   "formaction", "data",     "background", "dynsrc",
    "lowsrc",   "poster", "codebase", "code",       "classid",  "archive",    "cite",
    "longdesc", "usemap", "profile",  "ping",       "manifest", "icon",       "srcset",
    "content",  "to",     "from",     "values",     "by",       "folder",     "datasrc",
};

// Normalised prefixes of URLs that run script. data: is limited to types a browser renders
// as a document or script; data:image/png and friends are fine.
constexpr std::string_view kScriptUrls[] = {
    "javascript:",
    "vbscript:",
    "livescript:",
    "data:text/html",
    "data:image/svg",
    "data:text/xml",
    "data:application/xml",
    "data:application/xhtml",
    "data:text/javascript",
    "data:application/javascript",
    "data:application/x-javascript",
    "data:text/ecmascript",
    "data:,",
};

constexpr std::string_view kCssDanger[] = {
    "expression(", "javascript:", "vbscript:", "-moz-binding", "behavior:", "@import"};

inline char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
inline bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
// HTML whitespace that separates attributes.
inline bool IsHtmlSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// Lower-cased `name` after any namespace prefix ("x:script" -> "script", "xlink:href" ->
// "href") into `buf`; empty when too long to be interesting.
std::string_view LocalName(std::string_view name, char (&buf)[kMaxName]) {
  size_t colon = name.rfind(':');
  if (colon != std::string_view::npos) {
    name.remove_prefix(colon + 1);
  }
  if (name.size() > kMaxName) {
    return {};
  }
  for (size_t i = 0; i < name.size(); ++i) {
    buf[i] = Lower(name[i]);
  }
  return {buf, name.size()};
}

// Decodes the character reference at v[*i] ('&'), advancing *i past it. Returns the code
// point (only ASCII matters here; others give 0xFFFD), or -1 if it is a plain '&'.
int32_t DecodeEntity(std::string_view v, size_t* i) {
  size_t j = *i + 1;
  if (j < v.size() && v[j] == '#') {
    ++j;
    bool hex = j < v.size() && (v[j] == 'x' || v[j] == 'X');
    j += hex ? 1 : 0;
    size_t digits_begin = j;
    uint32_t cp = 0;
    while (j < v.size()) {
      char c = v[j];
      int d = (c >= '0' && c <= '9')          ? c - '0'
              : (hex && c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (hex && c >= 'A' && c <= 'F') ? c - 'A' + 10
                                              : -1;
      if (d < 0) {
        break;
      }
      cp = std::min<uint32_t>(cp * (hex ? 16 : 10) + static_cast<uint32_t>(d), 0x110000);
      ++j;
    }
    if (j == digits_begin) {
      return -1;
    }
    if (j < v.size() && v[j] == ';') {
      ++j;
    }
    *i = j;
    return cp < 0x80 ? static_cast<int32_t>(cp) : 0xFFFD;
  }
  struct Named {
    std::string_view name;
    char c;
  };
  static constexpr Named kNamed[] = {
      {"colon;", ':'}, {"tab;", '\t'},  {"newline;", '\n'}, {"lpar;", '('},  {"rpar;", ')'},
      {"sol;", '/'},   {"lt;", '<'},    {"gt;", '>'},       {"amp;", '&'},   {"quot;", '"'},
      {"apos;", '\''}, {"grave;", '`'}, {"period;", '.'},   {"comma;", ','},
  };
  for (const Named& e : kNamed) {
    if (v.size() - j >= e.name.size()) {
      bool eq = true;
      for (size_t k = 0; k < e.name.size() && eq; ++k) {
        eq = Lower(v[j + k]) == e.name[k];
      }
      if (eq) {
        *i = j + e.name.size();
        return e.c;
      }
    }
  }
  return -1;
}

// The attribute value as the URL/CSS parser sees it: entities decoded, lower-cased, every
// control and blank dropped (browsers strip tabs/newlines inside schemes), optionally CSS
// escapes (\) and comments dropped. Writes at most `cap` bytes, reads the value once.
size_t Normalize(std::string_view v, bool css, char* out, size_t cap) {
  size_t n = 0;
  size_t i = 0;
  while (i < v.size() && n < cap) {
    char c = v[i];
    if (c == '&') {
      int32_t cp = DecodeEntity(v, &i);
      if (cp < 0) {
        ++i;
        cp = '&';
      }
      c = cp < 0x80 ? static_cast<char>(cp) : '\x80';
    } else {
      ++i;
    }
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      continue;
    }
    if (css && c == '\\') {
      continue;
    }
    if (css && c == '/' && i < v.size() && v[i] == '*') {
      size_t close = v.find("*/", i + 1);
      i = close == std::string_view::npos ? v.size() : close + 2;
      continue;
    }
    out[n++] = Lower(c);
  }
  return n;
}

bool StartsWithScriptUrl(std::string_view norm, std::string_view* which) {
  for (std::string_view p : kScriptUrls) {
    if (norm.starts_with(p)) {
      *which = p;
      return true;
    }
  }
  return false;
}

void Report(
    TokenizerResult* out, std::string_view kind, std::string_view name, size_t begin, size_t end) {
  if (out == nullptr) {
    return;
  }
  size_t n = 0;
  for (std::string_view part : {kind, std::string_view(":"), name}) {
    for (char c : part) {
      if (n + 1 < sizeof(out->fingerprint)) {
        out->fingerprint[n++] = c;
      }
    }
  }
  out->fingerprint[n] = '\0';
  out->begin = begin;
  out->end = end;
}

class HtmlScanner {
 public:
  enum class State : uint8_t {
    kData,
    kTagOpen,
    kEndTagOpen,
    kTagName,
    kBeforeAttrName,
    kAttrName,
    kAfterAttrName,
    kBeforeAttrValue,
    kAttrValueQuoted,
    kAttrValueUnquoted,
    kAfterAttrValue,
    kComment,
    kBogusComment,
  };

  HtmlScanner(std::string_view s, TokenizerResult* out) : s_(s), out_(out) {}

  // Scans from `start`: kData for page text, kAttrValueQuoted with `quote` for the rest of
  // an attribute value (the context attribute itself is not judged).
  bool Run(State start, char quote) {
    state_ = start;
    quote_ = quote;
    strict_ = start != State::kData;
    context_attr_ = start == State::kAttrValueQuoted;
    value_begin_ = 0;
    size_t i = 0;
    const size_t n = s_.size();
    while (i < n) {
      char c = s_[i];
      switch (state_) {
        case State::kData: {
          const void* lt = std::memchr(s_.data() + i, '<', n - i);
          if (lt == nullptr) {
            return false;
          }
          i = static_cast<const char*>(lt) - s_.data();
          tag_begin_ = i++;
          state_ = State::kTagOpen;
          break;
        }
        case State::kTagOpen:
          if (IsAlpha(c)) {
            name_begin_ = i++;
            state_ = State::kTagName;
          } else if (c == '/') {
            ++i;
            state_ = State::kEndTagOpen;
          } else if (c == '!') {
            if (s_.substr(i, 3) == "!--") {
              i += 3;
              state_ = State::kComment;
            } else {
              state_ = State::kBogusComment;  // <!DOCTYPE, <![CDATA[
            }
          } else if (c == '?') {
            state_ = State::kBogusComment;  // <?xml ...?>
          } else {
            state_ = State::kData;  // "a < b", "<3": text; c is read again as data
          }
          break;
        case State::kEndTagOpen:
          // End tags carry nothing that runs; skip to '>' like the browser ignores them.
          state_ = (IsAlpha(c) || c != '>') ? State::kBogusComment : State::kData;
          i += c == '>' ? 1 : 0;
          break;
        case State::kTagName:
          if (IsHtmlSpace(c) || c == '/' || c == '>') {
            if (CheckTag(i)) {
              return true;
            }
            state_ = c == '>' ? State::kData : State::kBeforeAttrName;
          }
          ++i;
          break;
        case State::kBeforeAttrName:
          if (c == '>') {
            state_ = State::kData;
            ++i;
          } else if (IsHtmlSpace(c) || c == '/') {
            ++i;
          } else {
            StartAttr(i++);
          }
          break;
        case State::kAttrName:
          if (IsHtmlSpace(c) || c == '/' || c == '>' || c == '=') {
            attr_name_end_ = i;
            if (c == '=') {
              state_ = State::kBeforeAttrValue;
              ++i;
            } else {
              state_ = State::kAfterAttrName;
            }
          } else {
            ++i;
          }
          break;
        case State::kAfterAttrName:
          if (IsHtmlSpace(c)) {
            ++i;
          } else if (c == '=') {
            spaced_equals_ = true;
            state_ = State::kBeforeAttrValue;
            ++i;
          } else {
            // A valueless attribute (<details open ...>) is harmless by itself.
            state_ = State::kBeforeAttrName;
          }
          break;
        case State::kBeforeAttrValue:
          if (IsHtmlSpace(c)) {
            spaced_equals_ = true;
            ++i;
          } else if (c == '"' || c == '\'' || c == '`') {
            quote_ = c;
            value_begin_ = ++i;
            state_ = State::kAttrValueQuoted;
          } else if (c == '>') {
            value_begin_ = i;
            if (FinishAttr(i, i)) {
              return true;
            }
            state_ = State::kData;
            ++i;
          } else {
            value_begin_ = i;
            state_ = State::kAttrValueUnquoted;
          }
          break;
        case State::kAttrValueQuoted: {
          const void* q = std::memchr(s_.data() + i, quote_, n - i);
          size_t close = q == nullptr ? n : static_cast<const char*>(q) - s_.data();
          if (context_attr_) {
            context_attr_ = false;  // the value the input was injected into
          } else if (FinishAttr(close, close + 1)) {
            return true;
          }
          i = close + 1;
          state_ = State::kAfterAttrValue;
          break;
        }
        case State::kAttrValueUnquoted:
          if (IsHtmlSpace(c) || c == '>') {
            if (FinishAttr(i, i)) {
              return true;
            }
            state_ = c == '>' ? State::kData : State::kBeforeAttrName;
          }
          ++i;
          break;
        case State::kAfterAttrValue:
          if (c == '>') {
            state_ = State::kData;
            ++i;
          } else {
            state_ = State::kBeforeAttrName;  // "a"b=c: the browser starts a new attribute
          }
          break;
        case State::kComment: {
          // <!--> and <!---> close at once; otherwise the first -->.
          if (c == '>' || s_.substr(i, 2) == "->") {
            i += c == '>' ? 1 : 2;
            state_ = State::kData;
            break;
          }
          size_t close = s_.find("-->", i);
          if (close == std::string_view::npos) {
            return false;  // an unclosed comment hides the rest
          }
          i = close + 3;
          state_ = State::kData;
          break;
        }
        case State::kBogusComment: {
          const void* gt = std::memchr(s_.data() + i, '>', n - i);
          if (gt == nullptr) {
            return false;
          }
          i = static_cast<const char*>(gt) - s_.data() + 1;
          state_ = State::kData;
          break;
        }
      }
    }
    // The value ends inside a tag: the page's own markup after it completes the tag.
    switch (state_) {
      case State::kTagName:
        return CheckTag(n);
      case State::kAttrName:
        attr_name_end_ = n;
        return false;  // no value
      case State::kBeforeAttrValue:
        value_begin_ = n;
        return FinishAttr(n, n);
      case State::kAttrValueUnquoted:
        return FinishAttr(n, n);
      default:
        return false;
    }
  }

 private:
  bool CheckTag(size_t name_end) {
    char buf[kMaxName];
    std::string_view name = LocalName(s_.substr(name_begin_, name_end - name_begin_), buf);
    for (std::string_view tag : kDangerousTags) {
      if (name == tag) {
        Report(out_, "tag", tag, tag_begin_, name_end);
        return true;
      }
    }
    return false;
  }

  void StartAttr(size_t i) {
    attr_begin_ = i;
    attr_name_end_ = i;
    spaced_equals_ = false;
    state_ = State::kAttrName;
  }

  // Judges the attribute whose value is s_[value_begin_, value_end); `attr_end` is where the
  // attribute ends (after a closing quote) for the reported range.
  bool FinishAttr(size_t value_end, size_t attr_end) {
    attr_end = std::min(attr_end, s_.size());
    std::string_view raw_name = s_.substr(attr_begin_, attr_name_end_ - attr_begin_);
    std::string_view value = s_.substr(value_begin_, value_end - value_begin_);
    char buf[kMaxName];
    std::string_view name = LocalName(raw_name, buf);
    // Event handler: on + letters. Unknown on* names are flagged too: new events appear
    // every year and real forms do not send markup with on*= in it.
    if (name.size() >= 5 && name.starts_with("on") && !(strict_ && spaced_equals_) &&
        std::all_of(name.begin(), name.end(), IsAlpha)) {
      Report(out_, "on", name, attr_begin_, attr_end);
      return true;
    }
    if (name == "style") {
      char norm[kCssWindow];
      std::string_view css(norm, Normalize(value, true, norm, sizeof(norm)));
      for (std::string_view bad : kCssDanger) {
        if (css.find(bad) != std::string_view::npos) {
          Report(out_, "css", bad.substr(0, bad.size() - (bad.back() == '(' ? 1 : 0)), attr_begin_,
                 attr_end);
          return true;
        }
      }
      return false;
    }
    if (name == "srcdoc" && value.find('<') != std::string_view::npos) {
      Report(out_, "attr", name, attr_begin_, attr_end);
      return true;
    }
    for (std::string_view url_attr : kUrlAttributes) {
      if (name == url_attr) {
        char norm[kUrlPrefix];
        std::string_view which;
        if (StartsWithScriptUrl({norm, Normalize(value, false, norm, sizeof(norm))}, &which)) {
          Report(out_, "url", which.substr(0, which.find_first_of(":")), attr_begin_, attr_end);
          return true;
        }
        return false;
      }
    }
    return false;
  }

  std::string_view s_;
  TokenizerResult* out_;
  State state_ = State::kData;
  char quote_ = '"';
  bool strict_ = false;         // quote contexts: handlers must be written name=
  bool context_attr_ = false;   // the first quoted value is the one injected into
  bool spaced_equals_ = false;  // blanks around the current attribute's '='
  size_t tag_begin_ = 0;
  size_t name_begin_ = 0;
  size_t attr_begin_ = 0;
  size_t attr_name_end_ = 0;
  size_t value_begin_ = 0;
};

// The whole value as a URL (reflected into href/src): a script scheme followed directly by
// code. "javascript:alert(1)" and "data:text/html,<b>" count; "JavaScript: The Good Parts"
// does not (a blank after the colon and nothing that calls).
bool WholeValueIsScriptUrl(std::string_view s, TokenizerResult* out) {
  size_t lead = 0;
  while (lead < s.size() && static_cast<unsigned char>(s[lead]) <= 0x20) {
    ++lead;
  }
  char norm[kUrlPrefix];
  std::string_view v = s.substr(lead);
  std::string_view which;
  if (!StartsWithScriptUrl({norm, Normalize(v, false, norm, sizeof(norm))}, &which)) {
    return false;
  }
  if (which.starts_with("data:")) {
    if (which == "data:,") {
      return false;  // only dangerous as a script src, and then <script is flagged
    }
  } else {
    // The raw colon may be written as &colon; then the whole prefix is the body.
    size_t colon = v.find(':');
    if (colon != std::string_view::npos && (colon + 1 >= v.size() || v[colon + 1] == ' ')) {
      return false;
    }
    std::string_view body = v.substr(colon == std::string_view::npos ? 0 : colon + 1, 4096);
    if (body.find_first_of("(`=") == std::string_view::npos) {
      return false;
    }
  }
  Report(out, "url", which.substr(0, which.find(':')), lead, s.size());
  return true;
}

}  // namespace

bool DetectXss(std::string_view value, TokenizerResult* out) {
  std::string_view s = value.substr(0, kXssMaxScan);
  if (WholeValueIsScriptUrl(s, out)) {
    return true;
  }
  if (HtmlScanner(s, out).Run(HtmlScanner::State::kData, 0)) {
    return true;
  }
  for (char quote : {'"', '\''}) {
    if (s.find(quote) != std::string_view::npos &&
        HtmlScanner(s, out).Run(HtmlScanner::State::kAttrValueQuoted, quote)) {
      return true;
    }
  }
  return false;
}

}  // namespace rampart::detect::web
