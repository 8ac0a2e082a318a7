#include "core/time_util.h"

#include <cstdint>

#include "core/strings.h"

namespace rampart {
namespace {

// Reads exactly `n` digits at s[*pos].
bool Digits(std::string_view s, size_t* pos, int n, int* out) {
  if (*pos + n > s.size()) {
    return false;
  }
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (!IsDigit(c)) {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

// Fraction digits after '.' or ',' → nanoseconds (extra digits beyond 9 are ignored).
int64_t Fraction(std::string_view s, size_t* pos) {
  int64_t ns = 0;
  int n = 0;
  while (*pos < s.size() && IsDigit(s[*pos])) {
    if (n < 9) {
      ns = ns * 10 + (s[*pos] - '0');
      ++n;
    }
    ++*pos;
  }
  while (n < 9) {
    ns *= 10;
    ++n;
  }
  return ns;
}

// Zone "Z", "+hh:mm", "+hhmm", "+hh" at s[*pos]; sets offset seconds east of UTC.
bool Zone(std::string_view s, size_t* pos, int64_t* offset_s) {
  *offset_s = 0;
  if (*pos >= s.size()) {
    return true;
  }
  char c = s[*pos];
  if (c == 'Z' || c == 'z') {
    ++*pos;
    return true;
  }
  if (c != '+' && c != '-') {
    return false;
  }
  ++*pos;
  int hh = 0;
  int mm = 0;
  if (!Digits(s, pos, 2, &hh)) {
    return false;
  }
  if (*pos < s.size() && s[*pos] == ':') {
    ++*pos;
  }
  if (*pos < s.size() && IsDigit(s[*pos]) && !Digits(s, pos, 2, &mm)) {
    return false;
  }
  if (hh > 23 || mm > 59) {
    return false;
  }
  *offset_s = (int64_t{hh} * 3600 + int64_t{mm} * 60) * (c == '-' ? -1 : 1);
  return true;
}

bool ValidDate(int y, int mo, int d) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1]) {
    return false;
  }
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(mo == 2 && d == 29 && !leap);
}

// Nanoseconds since the epoch fit int64 only for years 1678..2261; outside that the
// time is refused rather than wrapped (found by fuzzing).
bool ToNs(
    int y, int mo, int d, int h, int mi, int sec, int64_t frac_ns, int64_t offset_s, int64_t* out) {
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + int64_t{h} * 3600 + int64_t{mi} * 60 + sec - offset_s;
  constexpr int64_t kMaxSecs = INT64_MAX / kNsPerSec - 1;
  if (secs > kMaxSecs || secs < -kMaxSecs) {
    return false;
  }
  *out = secs * kNsPerSec + frac_ns;
  return true;
}

bool ValidTime(int h, int mi, int sec) {
  return h <= 23 && mi <= 59 && sec <= 60;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2 ? 1 : 0);
}

void Put(char* buf, size_t* pos, int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    buf[*pos + i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  *pos += width;
}

}  // namespace

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsPlausibleEventTime(int64_t ns) {
  static const int64_t kMin = DaysFromCivil(kMinEventYear, 1, 1) * 86400 * kNsPerSec;
  static const int64_t kEnd = DaysFromCivil(kMaxEventYear + 1, 1, 1) * 86400 * kNsPerSec;
  return ns >= kMin && ns < kEnd;
}

bool ParseIso8601(std::string_view s, int64_t* out_ns) {
  size_t p = 0;
  int y = 0;
  int mo = 0;
  int d = 0;
  int h = 0;
  int mi = 0;
  int sec = 0;
  if (!Digits(s, &p, 4, &y) || p >= s.size() || s[p++] != '-' || !Digits(s, &p, 2, &mo) ||
      p >= s.size() || s[p++] != '-' || !Digits(s, &p, 2, &d)) {
    return false;
  }
  if (p == s.size()) {
    return ValidDate(y, mo, d) && ToNs(y, mo, d, 0, 0, 0, 0, 0, out_ns);  // date only
  }
  if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') {
    return false;
  }
  ++p;
  if (!Digits(s, &p, 2, &h) || p >= s.size() || s[p++] != ':' || !Digits(s, &p, 2, &mi)) {
    return false;
  }
  if (p < s.size() && s[p] == ':') {
    ++p;
    if (!Digits(s, &p, 2, &sec)) {
      return false;
    }
  }
  int64_t frac = 0;
  if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
    ++p;
    if (p >= s.size() || !IsDigit(s[p])) {
      return false;
    }
    frac = Fraction(s, &p);
  }
  if (p < s.size() && s[p] == ' ') {
    ++p;  // "2026-01-01 10:00:00 +0900"
  }
  int64_t offset = 0;
  if (!Zone(s, &p, &offset) || p != s.size()) {
    return false;
  }
  if (!ValidDate(y, mo, d) || !ValidTime(h, mi, sec)) {
    return false;
  }
  return ToNs(y, mo, d, h, mi, sec, frac, offset, out_ns);
}

unsigned ParseMonthAbbrev(std::string_view s) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (s.size() != 3) {
    return 0;
  }
  for (unsigned i = 0; i < 12; ++i) {
    if (EqualsIgnoreCase(s, kMonths[i])) {
      return i + 1;
    }
  }
  return 0;
}

bool ParseClfTime(std::string_view s, int64_t* out_ns) {
  // 10/Oct/2000:13:55:36 -0700
  size_t p = 0;
  int d = 0;
  int y = 0;
  int h = 0;
  int mi = 0;
  int sec = 0;
  if (!Digits(s, &p, 2, &d) || p >= s.size() || s[p++] != '/' || p + 4 > s.size()) {
    return false;
  }
  unsigned mo = ParseMonthAbbrev(s.substr(p, 3));
  p += 3;
  if (mo == 0 || s[p++] != '/' || !Digits(s, &p, 4, &y) || p >= s.size() || s[p++] != ':' ||
      !Digits(s, &p, 2, &h) || p >= s.size() || s[p++] != ':' || !Digits(s, &p, 2, &mi) ||
      p >= s.size() || s[p++] != ':' || !Digits(s, &p, 2, &sec)) {
    return false;
  }
  int64_t frac = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    frac = Fraction(s, &p);
  }
  int64_t offset = 0;
  if (p < s.size()) {
    if (s[p] != ' ') {
      return false;
    }
    ++p;
    if (!Zone(s, &p, &offset) || p != s.size()) {
      return false;
    }
  }
  if (!ValidDate(y, static_cast<int>(mo), d) || !ValidTime(h, mi, sec)) {
    return false;
  }
  return ToNs(y, static_cast<int>(mo), d, h, mi, sec, frac, offset, out_ns);
}

bool ParseBsdTime(std::string_view s, int64_t reference_ns, int64_t* out_ns) {
  // "Dec 10 06:55:46" or "Dec  1 06:55:46"
  if (s.size() < 15) {
    return false;
  }
  unsigned mo = ParseMonthAbbrev(s.substr(0, 3));
  if (mo == 0 || s[3] != ' ') {
    return false;
  }
  size_t p = 4;
  int d = 0;
  if (s[p] == ' ') {
    ++p;
    if (!Digits(s, &p, 1, &d)) {
      return false;
    }
  } else if (!Digits(s, &p, 2, &d)) {
    return false;
  }
  int h = 0;
  int mi = 0;
  int sec = 0;
  if (p >= s.size() || s[p++] != ' ' || !Digits(s, &p, 2, &h) || p >= s.size() || s[p++] != ':' ||
      !Digits(s, &p, 2, &mi) || p >= s.size() || s[p++] != ':' || !Digits(s, &p, 2, &sec)) {
    return false;
  }
  int64_t frac = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    frac = Fraction(s, &p);
  }
  if (p != s.size() || !ValidTime(h, mi, sec)) {
    return false;
  }
  int64_t ry = 0;
  unsigned rm = 0;
  unsigned rd = 0;
  CivilFromDays(reference_ns / kNsPerSec / 86400, &ry, &rm, &rd);
  auto y = static_cast<int>(ry);
  // Feb 29 exists only in leap years: look back up to 8 years for one.
  for (int back = 0; back < 8 && !ValidDate(y, static_cast<int>(mo), d); ++back) {
    --y;
  }
  if (!ValidDate(y, static_cast<int>(mo), d)) {
    return false;
  }
  int64_t t = 0;
  if (!ToNs(y, static_cast<int>(mo), d, h, mi, sec, frac, 0, &t)) {
    return false;
  }
  if (t > reference_ns + 86400 * kNsPerSec) {
    --y;
    for (int back = 0; back < 8 && !ValidDate(y, static_cast<int>(mo), d); ++back) {
      --y;
    }
    if (!ToNs(y, static_cast<int>(mo), d, h, mi, sec, frac, 0, &t)) {
      return false;
    }
  }
  *out_ns = t;
  return true;
}

bool ParseEpoch(std::string_view s, std::string_view unit, int64_t* out_ns) {
  s = Trim(s);
  bool neg = !s.empty() && s[0] == '-';
  if (neg) {
    s.remove_prefix(1);
  }
  size_t p = 0;
  int64_t whole = 0;
  size_t digits = 0;
  while (p < s.size() && IsDigit(s[p])) {
    if (whole > INT64_MAX / 10 - 10) {
      return false;
    }
    whole = whole * 10 + (s[p] - '0');
    ++p;
    ++digits;
  }
  if (digits == 0) {
    return false;
  }
  int64_t frac = 0;  // fraction of the unit, in ns of a second when unit is s
  if (p < s.size() && s[p] == '.') {
    ++p;
    frac = Fraction(s, &p);
  }
  if (p != s.size()) {
    return false;
  }
  int64_t mult = 0;
  if (unit == "s") {
    mult = kNsPerSec;
  } else if (unit == "ms") {
    mult = 1'000'000;
  } else if (unit == "us") {
    mult = 1'000;
  } else if (unit == "ns") {
    mult = 1;
  } else {
    return false;
  }
  if (whole > INT64_MAX / mult) {
    return false;
  }
  int64_t extra = frac * mult / kNsPerSec;  // frac < 1e9 and mult <= 1e9: no overflow
  if (whole * mult > INT64_MAX - extra) {
    return false;
  }
  int64_t v = whole * mult + extra;
  *out_ns = neg ? -v : v;
  return true;
}

bool ParseWithFormat(std::string_view s, std::string_view format, int64_t* out_ns) {
  int y = 1970;
  int mo = 1;
  int d = 1;
  int h = 0;
  int mi = 0;
  int sec = 0;
  int64_t frac = 0;
  int64_t offset = 0;
  size_t p = 0;
  for (size_t f = 0; f < format.size(); ++f) {
    if (format[f] != '%') {
      if (p >= s.size() || s[p] != format[f]) {
        return false;
      }
      ++p;
      continue;
    }
    if (++f >= format.size()) {
      return false;
    }
    bool ok = true;
    switch (format[f]) {
      case 'Y':
        ok = Digits(s, &p, 4, &y);
        break;
      case 'm':
        ok = Digits(s, &p, 2, &mo);
        break;
      case 'd':
        ok = Digits(s, &p, 2, &d);
        break;
      case 'e':
        if (p < s.size() && s[p] == ' ') {
          ++p;
          ok = Digits(s, &p, 1, &d);
        } else {
          ok = Digits(s, &p, 2, &d) || Digits(s, &p, 1, &d);
        }
        break;
      case 'H':
        ok = Digits(s, &p, 2, &h);
        break;
      case 'M':
        ok = Digits(s, &p, 2, &mi);
        break;
      case 'S':
        ok = Digits(s, &p, 2, &sec);
        break;
      case 'f':
        frac = Fraction(s, &p);
        break;
      case 'b':
        ok = p + 3 <= s.size() && (mo = static_cast<int>(ParseMonthAbbrev(s.substr(p, 3)))) != 0;
        p += 3;
        break;
      case 'z':
        ok = Zone(s, &p, &offset);
        break;
      case '%':
        ok = p < s.size() && s[p++] == '%';
        break;
      default:
        return false;
    }
    if (!ok) {
      return false;
    }
  }
  if (p != s.size() || !ValidDate(y, mo, d) || !ValidTime(h, mi, sec)) {
    return false;
  }
  return ToNs(y, mo, d, h, mi, sec, frac, offset, out_ns);
}

size_t FormatIso8601Ms(int64_t ns, char* buf) {
  int64_t secs = ns / kNsPerSec;
  int64_t rem = ns % kNsPerSec;
  if (rem < 0) {
    rem += kNsPerSec;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(days, &y, &m, &d);
  size_t p = 0;
  Put(buf, &p, y, 4);
  buf[p++] = '-';
  Put(buf, &p, m, 2);
  buf[p++] = '-';
  Put(buf, &p, d, 2);
  buf[p++] = 'T';
  Put(buf, &p, sod / 3600, 2);
  buf[p++] = ':';
  Put(buf, &p, (sod / 60) % 60, 2);
  buf[p++] = ':';
  Put(buf, &p, sod % 60, 2);
  buf[p++] = '.';
  Put(buf, &p, rem / 1'000'000, 3);
  buf[p++] = 'Z';
  return p;
}

std::string FormatIso8601(int64_t ns) {
  char buf[40];
  size_t n = FormatIso8601Ms(ns, buf);  // "...:SS.mmmZ"
  int64_t sub_ms = ns % 1'000'000;
  if (sub_ms < 0) {
    sub_ms += 1'000'000;
  }
  if (sub_ms == 0) {
    return std::string(buf, n);
  }
  size_t pos = n - 1;  // overwrite the 'Z'
  int digits = sub_ms % 1000 == 0 ? 3 : 6;
  int64_t v = digits == 3 ? sub_ms / 1000 : sub_ms;
  Put(buf, &pos, v, digits);
  buf[pos++] = 'Z';
  return std::string(buf, pos);
}

size_t FormatDay(int64_t ns, char* buf) {
  char tmp[32];
  FormatIso8601Ms(ns, tmp);
  for (int i = 0; i < 10; ++i) {
    buf[i] = tmp[i];
  }
  return 10;
}

std::optional<int64_t> ParseDurationNs(std::string_view text) {
  int64_t unit = 1'000'000'000;
  if (!text.empty()) {
    switch (text.back()) {
      case 's':
        text.remove_suffix(1);
        break;
      case 'm':
        unit *= 60;
        text.remove_suffix(1);
        break;
      case 'h':
        unit *= 3600;
        text.remove_suffix(1);
        break;
      case 'd':
        unit *= 86400;
        text.remove_suffix(1);
        break;
      case 'w':
        unit *= 7 * 86400;
        text.remove_suffix(1);
        break;
      default:
        break;
    }
  }
  int64_t value = 0;
  constexpr int64_t kTenYearsNs = int64_t{3653} * 86400 * 1'000'000'000;
  if (text.empty() || !ParseInt(text, &value) || value < 0 || value > kTenYearsNs / unit) {
    return std::nullopt;
  }
  return value * unit;
}

}  // namespace rampart
