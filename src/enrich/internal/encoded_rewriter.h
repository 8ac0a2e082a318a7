#pragma once
// Private to src/enrich: finds a secret in text whatever encoding it went through on its
// way into a log line, and rewrites every occurrence.
//
// Instead of generating encoded variants of each secret (which misses mixtures, such as an
// encoder that escapes '!' but not '*', or \u escapes in either hex case), the text is
// decoded into a few views, each with a map from every decoded byte back to the text:
//   J(text)   JSON-unescaped: \" \\ \/ \' \b \f \n \r \t, \uXXXX (surrogate pairs
//             too) and nginx's \xHH;
//   J(J(text)) a JSON document inside a JSON string (the Body Log request_body);
//   U(text), U(J(text)), U(J(J(text)))  URL-decoded: %XX in either case, '+' = space;
//   J(U(text)) a JSON document inside a form value.
// Each secret is searched literally in the text and in every view that differs from its
// source and could hold a secret the others do not (a view is skipped when no secret has
// a byte that its encoding changes); matches are mapped back, merged, and replaced.
// Linear in the text per secret.
// Decoding is greedy (invalid escapes stay literal), which is exact for well-formed JSON
// and URL encoding; a secret that is half literal, half escaped by a broken encoder can
// be missed.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::enrich::internal {

// A secret and the text that replaces it. Views must outlive the Rewrite call.
struct Replacement {
  std::string_view original;
  std::string_view replacement;
  // Short secrets (a 3-digit CVV) are only replaced where they stand alone: not glued to a
  // letter, digit or '.' on either side ("0.123" keeps its digits).
  bool bounded = false;
};

class EncodedRewriter {
 public:
  // Sets the secrets for the next Rewrite calls. The Replacements (and the bytes they
  // view) must stay alive and unchanged until SetPairs is called again.
  void SetPairs(std::span<const Replacement> pairs);

  // Writes `text` with every occurrence of each original, in any of the encodings above,
  // replaced into *out and returns true; returns false (and leaves *out unspecified) when
  // nothing matched. Where occurrences overlap, the merged span gets the replacement of
  // the longest occurrence, so no piece of either survives.
  bool Rewrite(std::string_view text, std::string* out);

 private:
  // Which escapes a text contains.
  struct TextTraits {
    bool backslash = false;
    bool code_escape = false;        // \u or \x: may stand for any character
    bool percent = false;            // a valid %XX
    bool percent_code = false;       // a %XX of an unreserved character (encode-all style)
    bool percent_backslash = false;  // %5C: JSON escapes appear after URL decoding
    bool plus = false;
  };
  // What the secrets contain: which encodings can change them at all.
  struct PairTraits {
    bool json_special = false;  // a byte some JSON encoder escapes
    bool url_special = false;   // a byte outside RFC 3986 unreserved
    bool space = false;         // '+' may stand for it
  };
  struct View {
    std::string text;
    std::vector<uint32_t> src;  // src[j]: offset in the original text where byte j starts;
                                // src[text.size()] = original size
    TextTraits traits;
    bool built = false;
  };
  struct Interval {
    uint32_t begin;
    uint32_t end;
    uint32_t pair;
  };
  enum ViewIndex { kJ, kJJ, kU, kUJ, kUJJ, kJU, kViewCount };

  static TextTraits Analyze(std::string_view s);
  static bool NeedJson(const TextTraits& t, const PairTraits& p);
  static bool NeedUrl(const TextTraits& t, const PairTraits& p);
  void Build(ViewIndex to,
             bool json,
             std::string_view from,
             const std::vector<uint32_t>* src,
             size_t original_size);
  void BuildViews(std::string_view text, const TextTraits& traits, const PairTraits& pairs);
  // Adds the occurrences of every secret in `view_text` (mapped by `src`, null for the
  // text itself) to intervals_.
  void Search(std::string_view view_text, const std::vector<uint32_t>* src, std::string_view text);

  std::span<const Replacement> pairs_;
  std::vector<size_t> rare_offsets_;  // per pair: the byte memchr looks for
  PairTraits pair_traits_;
  std::array<View, kViewCount> views_;
  std::vector<Interval> intervals_;
};

}  // namespace rampart::enrich::internal
