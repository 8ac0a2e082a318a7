#pragma once
// Private to src/enrich: the secret scanners, which the masking policy calls its
// free-text `detectors` (unrelated to detect/detector/). Each is a hand-written single-pass
// matcher over bytes (no regex); Scanner runs them all in one left-to-right pass and
// reports non-overlapping findings. Replacing findings is the Masker's job.
//
// All functions take any bytes (invalid UTF-8, NULs) and never read outside `text`.

#include <array>
#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "enrich/enrich.h"

namespace rampart::enrich::internal {

inline bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool IsAlnum(char c) {
  return IsAlpha(c) || (c >= '0' && c <= '9');
}

// Longest normalised key considered; longer keys are cut to their last kMaxKeyLength bytes.
inline constexpr size_t kMaxKeyLength = 64;

// Normalises a key (lower case; drops '_', '-', '.', ' ') into `buf`; returns its length.
size_t NormalizeKey(std::string_view key, char (&buf)[kMaxKeyLength]);

// The policy's secret-key lists, compiled. Classify() costs a few dozen nanoseconds: exact
// and suffix words are compared directly, `contains` words only where a bigram filter hits.
class SecretKeyMatcher {
 public:
  explicit SecretKeyMatcher(const MaskingPolicy& policy);
  // kMask or kHash for a secret key (raw, not yet normalised), else kScan.
  MaskAction Classify(std::string_view key) const;

 private:
  struct Words {
    std::vector<std::string> exact, suffix, contains;
  };
  bool Matches(const Words& w, std::string_view k) const;

  Words mask_, hash_;
  std::vector<std::string> ignore_;
  std::bitset<65536> contains_bigrams_;  // first two bytes of every `contains` word
};

// The last segment of a field name or free-text key: after the last '.', '[' or ':';
// trailing ']' removed. "body.user.password" → "password", "user[pw]" → "pw".
std::string_view LastKeySegment(std::string_view name);

// --- Single detectors. Each returns the match length at text[i] (0 = no match). ---

bool LuhnValid(std::string_view digits);

// Korean resident registration number at i: YYMMDD, optional '-', [1-8], 6 digits, not
// inside a longer digit run. The date must exist (century from the 7th digit). The check
// digit is reported, not required (numbers issued since Oct 2020 have none).
size_t MatchRrn(std::string_view text, size_t i, bool* check_digit_ok);

// Digit-based matchers (RRN, card, phone) expect text[i] to start a number: the caller
// checks that neither side is glued to a letter or digit (hex hashes and GUIDs are full
// of digit runs).

// Payment card at i: 13-19 digits starting with 2-6 or 9, Luhn-valid, either one run or
// groups joined by one consistent ' ' or '-' (first group 4-6 digits, later 3-6).
size_t MatchCard(std::string_view text, size_t i);

// Korean phone at i (text[i] == '0'): mobile 01[016789], Seoul 02, area 0[3-6][1-5],
// 070; then 3-4 and 4 digits, all joined by one of '-', ' ', '.' or by nothing.
// *keep_digits = digits of the prefix that a mask keeps.
size_t MatchDomesticPhone(std::string_view text, size_t i, size_t* keep_digits);

// International phone at i ('+' or "%2B"): 8-15 digits in groups joined by ' ', '-',
// '.', '(' or ')'. *keep_digits = country code (+82: and the area/carrier code).
size_t MatchE164Phone(std::string_view text, size_t i, size_t* keep_digits);

// JWT-like token at i: "eyJ" + base64url header (>= 10), '.', payload (>= 8), optionally
// '.' + signature. Two-segment tokens count too: they are session tokens all the same.
size_t MatchJwt(std::string_view text, size_t i);

// "Bearer <token>" / "Basic <base64 of user:password>" at i, scheme case-insensitive,
// separated by spaces, '+' or "%20". *token_begin = where the credential starts.
size_t MatchAuthScheme(std::string_view text, size_t i, size_t* token_begin);

// If `value` starts with an HTTP auth scheme word (Bearer, Basic, Digest, Token, ...)
// followed by spaces and more text, returns the length of that prefix (word + spaces).
size_t AuthSchemePrefix(std::string_view value);

// E-mail around the '@' at `at` (at_len 1) or "%40" (at_len 3); the local part does not
// start before `floor`. Returns [*begin, *end).
bool MatchEmail(
    std::string_view text, size_t at, size_t at_len, size_t floor, size_t* begin, size_t* end);

// True at "hmac:" + 16 lowercase hex digits: a pseudonym already written.
bool IsPseudonymAt(std::string_view text, size_t i);
inline constexpr size_t kPseudonymLength = 5 + 16;

// --- The scanner ---

struct Finding {
  Detector kind;
  MaskAction key_action;  // kKeyValue only: kMask or kHash from the key lists
  uint32_t begin;         // span to rewrite
  uint32_t end;
  uint32_t secret_begin;  // the sensitive part, within [begin, end); before it is kept
  uint32_t keep;          // phone: prefix digits kept by a mask; email: offset of '@'
};

// Not thread-safe (it memoises key classifications): one per Masker.
class Scanner {
 public:
  // `keys` must outlive the Scanner.
  Scanner(const DetectorSettings& settings, const SecretKeyMatcher* keys, std::string mask_text);

  // Appends the findings in `text`, left to right, non-overlapping.
  void Scan(std::string_view text, std::vector<Finding>* out) const;

  const DetectorSettings& settings() const { return settings_; }

 private:
  // Detectors that start a word (digits, "eyJ", "Bearer"/"Basic") at text[p].
  bool TryWordAt(std::string_view t, size_t p, Finding* f) const;
  bool TryDigits(std::string_view t, size_t i, Finding* f) const;
  bool TryKeyValue(std::string_view t, size_t sep, size_t floor, Finding* f) const;
  // True when `rest` (the text from a value's start) begins with a pseudonym or the mask.
  bool AlreadyReplaced(std::string_view rest) const;
  // keys_->Classify of a raw free-text key, memoised: the same few dozen keys recur in
  // every record of a source.
  MaskAction ClassifyKey(std::string_view raw_key) const;

  struct KeyCacheEntry {
    uint8_t len = 0xFF;  // 0xFF: empty
    MaskAction action = MaskAction::kScan;
    char key[30];
  };

  DetectorSettings settings_;
  const SecretKeyMatcher* keys_;
  std::string mask_text_;
  static constexpr uint8_t kWordByte = 1;     // letters and digits
  static constexpr uint8_t kTriggerByte = 2;  // other bytes that start a check
  bool digits_on_ = false;
  uint8_t class_[256] = {};
  mutable std::array<KeyCacheEntry, 256> key_cache_{};
};

}  // namespace rampart::enrich::internal
