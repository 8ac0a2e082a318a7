#pragma once
// Tokenizer-based SQL injection and XSS detectors for one request parameter value.
//
// Contract:
// - `value` is already decoded (URL-decoding, form '+', etc. are the caller's job); any bytes
//   are accepted (binary, invalid UTF-8, NULs).
// - No heap allocation and no exceptions; work is linear in the input and most of it is
//   bounded: the SQL side looks only at the first kSqlMaxTokens significant tokens of each
//   context, the HTML side scans at most kXssMaxScan bytes.
// - `out` may be null. On a detection it gets a short fingerprint (evidence, NUL-terminated)
//   and the byte range [begin, end) of the suspicious fragment inside `value`. On no
//   detection it is left untouched.
//
// The SQL side is a token fingerprinter (the idea popularised by libinjection, our own code
// and rules): the value is tokenized as SQL as is, after a closing ' and after a closing ",
// the first tokens are reduced to a string of class letters and that string is matched
// against a small table of injection patterns (see sqli.cc). The XSS side is a small HTML
// tokenizer (data, tag open, tag name, attribute name/value, comment states) that looks at
// what a browser would build from the value: dangerous elements, event-handler attributes,
// script URLs and script-capable CSS (see xss.cc).
//
// Threads: pure functions, no shared state.

#include <cstddef>
#include <string_view>

namespace rampart::detect::web {

struct TokenizerResult {
  // NUL-terminated evidence. SQLi: token-class fingerprint, e.g. "s&sos", prefixed by the
  // context ("'" or "\"") when the value was parsed after a closing quote. XSS: kind and
  // name, e.g. "tag:script", "on:onerror", "url:javascript", "css:expression".
  char fingerprint[16] = {};
  size_t begin = 0;  // byte range of the suspicious fragment in the input
  size_t end = 0;
};

// Significant SQL tokens (after folding) that make up a fingerprint.
inline constexpr size_t kSqlMaxTokens = 8;
// Bytes of a value the HTML tokenizer reads; an attack is rarely past the first 64 KiB and
// a parameter of megabytes must not cost a full scan per context.
inline constexpr size_t kXssMaxScan = size_t{64} * 1024;

// True when `value` looks like SQL injection: parsed as SQL in the three contexts an
// injected value can start in (as is, after a closing ' and after a closing "), some context
// gives a token fingerprint typical of injection.
bool DetectSqli(std::string_view value, TokenizerResult* out);

// True when `value` contains HTML/JS that would execute in a page: tags like script/iframe/
// svg/object/embed/base/meta/style, event-handler attributes (on*=), javascript:/vbscript:/
// data:text/html URLs in attributes, style with expression( etc. A whole value that is a
// script URL ("javascript:alert(1)") also counts: values are often reflected into href/src.
// The value is parsed as HTML text and, when it contains a quote, also as the rest of a
// quoted attribute value (`" onmouseover=alert(1) x="`).
bool DetectXss(std::string_view value, TokenizerResult* out);

}  // namespace rampart::detect::web
