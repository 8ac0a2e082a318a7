#pragma once
// Timestamp parsing and formatting for log formats. All results are UTC nanoseconds since
// the epoch. Parsers return false on malformed input; they never throw or allocate.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rampart {

inline constexpr int64_t kNsPerSec = 1'000'000'000;

// The event times a record may carry: 1970-01-01T00:00:00Z up to the end of 2200 (UTC).
// The parsers below accept what fits int64 nanoseconds (years 1678..2261), which queries
// and indicator lists may need; a log record's own time outside this range is a
// placeholder (9999-12-31), a zero value (0001-01-01) or a forgery, not when it happened,
// so the log parsers treat it as invalid (docs/formats/timestamps.md).
inline constexpr int kMinEventYear = 1970;
inline constexpr int kMaxEventYear = 2200;
bool IsPlausibleEventTime(int64_t ns);

// Days since 1970-01-01 for a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

// "2026-11-20T00:00:00+09:00", "2026-11-20T00:00:00.123456Z", "2026-11-20 00:00:00",
// "2026-11-20" (midnight UTC); optional fraction (at least one digit; digits past
// nanoseconds are ignored), zone Z / +hh:mm / +hhmm / none (= UTC).
bool ParseIso8601(std::string_view s, int64_t* out_ns);

// nginx/Apache $time_local: "10/Oct/2000:13:55:36 -0700".
bool ParseClfTime(std::string_view s, int64_t* out_ns);

// Month abbreviation "Jan".."Dec" (case-insensitive) → 1..12, or 0.
unsigned ParseMonthAbbrev(std::string_view s);

// BSD syslog "Dec 10 06:55:46" (day may be space-padded, "Dec  1"), no year. The year is
// chosen so the result is not more than one day after `reference_ns` (the time the record
// was received or the file's modification time): a December line read in January belongs
// to the previous year.
bool ParseBsdTime(std::string_view s, int64_t reference_ns, int64_t* out_ns);

// Unix epoch numbers: seconds (may have a fraction), milliseconds, microseconds or
// nanoseconds as named by `unit` ("s", "ms", "us", "ns").
bool ParseEpoch(std::string_view s, std::string_view unit, int64_t* out_ns);

// strptime-like parse with a subset of conversions: %Y %m %d %H %M %S %f (fraction)
// %b (month abbrev) %z (+hhmm/+hh:mm/Z) %e (space-padded day) %% and literal characters.
bool ParseWithFormat(std::string_view s, std::string_view format, int64_t* out_ns);

// Formats as "2026-11-20T00:00:00.123Z" (milliseconds, UTC) into `buf` (>= 32 bytes);
// returns the length.
size_t FormatIso8601Ms(int64_t ns, char* buf);
// ISO-8601 UTC with as many fraction digits as needed: 3 (ms), 6 (us) or 9 (ns),
// e.g. "2026-11-20T00:00:00.000Z", "2026-11-26T23:10:45.976217Z".
std::string FormatIso8601(int64_t ns);
// "2026-11-20" of the UTC day containing `ns`, into `buf` (>= 11 bytes); returns 10.
size_t FormatDay(int64_t ns, char* buf);

inline constexpr int64_t kNsPerDay = 86400 * kNsPerSec;
// Days since 1970-01-01 of the UTC day containing `ns` (floor, also before 1970): the key of
// a day file.
constexpr int64_t UtcDayOf(int64_t ns) {
  return ns >= 0 ? ns / kNsPerDay : (ns - kNsPerDay + 1) / kNsPerDay;
}

// "90s", "10m", "12h", "7d", "2w" (or plain seconds) in ns; nullopt when malformed,
// negative or over ten years.
std::optional<int64_t> ParseDurationNs(std::string_view text);

}  // namespace rampart
