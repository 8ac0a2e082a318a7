#pragma once
// Private to src/detect/sigma: turning one value of a field condition into the byte patterns
// the matcher compares with. Sigma's transformation modifiers (windash, utf16*, base64,
// base64offset) apply left to right and may turn one value into several variants; the
// match modifiers (contains/startswith/endswith) then add wildcards at the ends.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "detect/sigma/sigma.h"

namespace rampart::sigma::internal {

// A value after escape processing: literal bytes and wildcards.
using Pattern = std::vector<StringPart>;

using Placeholders = std::map<std::string, std::vector<std::string>, std::less<>>;

// The variants of `value` under the modifiers of `fc` (string values only; numbers and
// booleans are passed as their text). Placeholders (|expand) are substituted from
// `placeholders` (each configured value is one more variant); an unknown name is an error.
// Adjacent literals are merged and wildcard runs collapsed, so equal variants compare equal.
Result<std::vector<Pattern>> ExpandValue(const FieldCondition& fc,
                                         const Value& value,
                                         const Placeholders* placeholders);

// The five dashes windash substitutes: '-', '/', U+2013, U+2014, U+2015.
inline constexpr std::string_view kWindashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94",
                                                  "\xE2\x80\x95"};

// Every windash spelling of `text` (pySigma: each '-' or '/' at a \B[-/]\b position, that is
// preceded by a non-word character or the start and followed by a word character, replaced
// by each of kWindashes; all combinations). The original spelling comes first.
std::vector<std::string> WindashVariants(std::string_view text);

std::string Base64Encode(std::string_view bytes);
// pySigma's base64offset: the three encodings of `bytes` shifted by 0, 1, 2 bytes with the
// characters that depend on unknown neighbours cut off.
std::vector<std::string> Base64OffsetVariants(std::string_view bytes);
// UTF-8 text to UTF-16 bytes (invalid UTF-8 bytes become U+FFFD).
std::string Utf16Le(std::string_view utf8);
std::string Utf16Be(std::string_view utf8);

// A regular expression (Vectorscan/PCRE syntax) matching a pattern against a whole value:
// literals escaped (bytes >= 0x80 and controls as \xHH), * as .* and ? as one UTF-8
// character; anchored at both ends with \A and \z unless the pattern starts/ends with *.
std::string PatternToRegex(const Pattern& pattern);

// The longest run of ASCII bytes that every match of `regex` (PCRE syntax) must contain, or
// "" when none is found. Conservative: only the top-level sequence is read (a top-level
// `|`, `\Q`, an extended-mode flag or a `{` that is not a quantifier give ""); groups,
// classes, `.`, anchors and escapes other than an escaped punctuation character end a
// run; a quantified character ends it (and leaves it when it may be absent: `?`, `*`,
// `{0,`). Case is not considered: compare caselessly.
std::string RequiredLiteral(std::string_view regex);

// One part of the date written at the start of `value` (`YYYY-MM-DD`, then optionally
// `T` or a space and `hh:mm`), as written: no time-zone conversion (Sigma v2.1 time
// modifiers). kWeek is the ISO 8601 week number (1..53). False when the value does not
// start with such a date, or lacks the time for kHour/kMinute.
bool DatePart(std::string_view value, TimePart part, int* out);

// True when the pattern is nothing but literals (possibly empty).
bool IsLiteral(const Pattern& pattern);
// True when the pattern is one or more * only (matches any value, the empty one too).
bool IsAnyValue(const Pattern& pattern);

}  // namespace rampart::sigma::internal
