#pragma once
// Decoding transforms a web rule names: what an attacker uses to hide a payload from a
// pattern (%-encoding twice, HTML entities, \u escapes, comments between SQL keywords, $IFS
// between shell words, full-width letters...). A rule's chain runs left to right over a value;
// chains are shared by many rules, so a value is decoded once per distinct chain, not per rule.
//
// Every transform is bounded: output never exceeds input length by more than a constant
// factor (most shrink), repeated URL decoding stops after kMaxUrlDecodePasses. Invalid input
// (bad escapes, bad UTF-8) is kept as it is, never dropped.
//
// Threads: TransformScratch is per thread; the functions are pure.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rampart::detect::web {

enum class Transform : uint8_t {
  kUrlDecode,           // %XX, %uXXXX and '+', repeated until stable (bounded)
  kHtmlEntities,        // &lt; &#60; &#x3c; (';' optional), named entities that matter
  kJsEscapes,           // \uXXXX \u{X} \xXX \n \t \' \" \\ \/ and octal \NNN
  kBase64,              // a value that is valid base64 of printable text -> the text
  kLowercase,           // ASCII only (UTF-8 bytes untouched)
  kCompressWhitespace,  // runs of space, \t \r \n \v \f, NBSP -> one space
  kRemoveComments,      // /* ... */ (and MySQL /*! */ keeps its content), <!-- -->
  kShellNormalize,      // $IFS ${IFS} -> space; \ ' " ^ ` between word characters removed
  kNormalizePath,       // '\' -> '/', '//' -> '/', '/./' -> '/'; '..' is kept (rules look for it)
  kRemoveNulls,         // NUL bytes removed
  kUtf8Fold,            // overlong forms (C0 AE), full-width ASCII (U+FF01..FF5E) -> ASCII
};
inline constexpr size_t kTransformCount = 11;
inline constexpr int kMaxUrlDecodePasses = 4;

std::string_view TransformName(Transform t);
std::optional<Transform> ParseTransform(std::string_view name);

// At most this many steps in one chain.
inline constexpr size_t kMaxChainLength = 12;

struct TransformChain {
  std::array<Transform, kMaxChainLength> steps{};
  uint8_t size = 0;

  bool operator==(const TransformChain& o) const {
    if (size != o.size) {
      return false;
    }
    for (size_t i = 0; i < size; ++i) {
      if (steps[i] != o.steps[i]) {
        return false;
      }
    }
    return true;
  }
  std::string ToString() const;  // "url_decode,lowercase" ("none" when empty)
};

// Reused buffers for ApplyChain.
struct TransformScratch {
  std::string a;
  std::string b;
};

// The transforms that may change `s` (bit 1 << Transform); the others leave it as it is.
// One pass over the bytes: a request part computes it once for all its chains.
uint32_t TriggerMask(std::string_view s);
inline constexpr uint32_t kUnknownTriggers = ~0u;

// Runs `chain` over `in`. Returns a view of the result: `in` itself when no step changed it,
// else one of the scratch buffers (valid until the next call with the same scratch).
// `changed` (may be null) gets bit i set when step i changed the value: the decoding steps
// that revealed a match. `in_mask` is TriggerMask(in) when the caller has it.
std::string_view ApplyChain(const TransformChain& chain,
                            std::string_view in,
                            TransformScratch& scratch,
                            uint32_t* changed,
                            uint32_t in_mask = kUnknownTriggers);

// One step into `out` (cleared first); returns whether the value changed. For tests and for
// ApplyChain.
bool ApplyTransform(Transform t, std::string_view in, std::string& out);

// "url_decode,html_entities": the names of the steps whose bits are set in `changed`.
std::string ChangedStepNames(const TransformChain& chain, uint32_t changed);

}  // namespace rampart::detect::web
