#pragma once
// Private to src/enrich: finds a secret in text whatever encoding it went through on its
// way into a log line, and rewrites every occurrence.
//
// Instead of generating encoded variants of each secret (which misses mixtures, such as an
// encoder that escapes '!' but not '*', or \u escapes in either hex case), the text is
// decoded into a few views, each with a map from every decoded byte back to the text:
//   J  = JSON-unescaped (\" \\ \/ \' \b \f \n \r \t, \uXXXX with surrogate pairs, and nginx
//        \xHH); JJ = J unescaped again (a JSON document inside a JSON string);
//   U  = URL-decoded (%XX in either case, '+' = space), of the text, of J and of JJ;
//   UJ = U JSON-unescaped (a JSON document inside a form value).
// Each secret is searched literally in the text and in every view that differs from its
// source; matches are mapped back, merged, and replaced. Linear in the text per secret.
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
  // Writes `text` with every occurrence of each original, in any of the encodings above,
  // replaced into *out and returns true; returns false (and leaves *out unspecified) when
  // nothing matched. Where occurrences overlap, the merged span gets the replacement of
  // the longest occurrence, so no piece of either survives.
  bool Rewrite(std::string_view text, std::span<const Replacement> pairs, std::string* out);

 private:
  struct View {
    std::string text;
    std::vector<uint32_t> src;  // src[j]: offset in the original text where byte j starts;
                                // src[text.size()] = original size
    bool built = false;
  };
  struct Interval {
    uint32_t begin;
    uint32_t end;
    uint32_t pair;
  };
  enum ViewIndex { kJ, kJJ, kU, kUJ, kUJJ, kJU, kViewCount };

  void BuildViews(std::string_view text);
  void Search(std::string_view view_text,
              const std::vector<uint32_t>* src,
              std::string_view text,
              std::span<const Replacement> pairs);

  std::array<View, kViewCount> views_;
  std::vector<Interval> intervals_;
};

}  // namespace rampart::enrich::internal
