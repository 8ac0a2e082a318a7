// Secret scanners (the masking policy's free-text `detectors`; not detect/detector/):
// hand-written matchers run in one pass by Scanner. They are tuned
// to miss little (a missed secret is stored forever) while staying cheap on the common
// case of text without secrets: most bytes are rejected by one table lookup.

#include "enrich/internal/secret_scanners.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/strings.h"

namespace rampart::enrich::internal {
namespace {

size_t DigitRun(std::string_view t, size_t j) {
  size_t k = j;
  while (k < t.size() && IsDigit(t[k])) {
    ++k;
  }
  return k - j;
}

bool IsB64Url(char c) {
  return IsAlnum(c) || c == '-' || c == '_';
}

size_t B64UrlRun(std::string_view t, size_t j) {
  size_t k = j;
  while (k < t.size() && IsB64Url(t[k])) {
    ++k;
  }
  return k - j;
}

bool IsLeapYear(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) {
    return 29;
  }
  return kDays[month - 1];
}

int Digit(char c) {
  return c - '0';
}

// Is the backslash at text[k] the start of an escape (not itself escaped: "\\\\n" is a
// backslash and a letter n)?
bool IsEscapingBackslash(std::string_view t, size_t k) {
  size_t run = 0;
  while (run <= k && t[k - run] == '\\') {
    ++run;
  }
  return run % 2 == 1;
}

// Does a number ending before text[e] stand on its own (no letter or digit follows)?
bool DigitEndBoundary(std::string_view t, size_t e) {
  return e >= t.size() || !IsAlnum(t[e]);
}

// Extensions of files that appear as "name@host.ext" in paths and are no e-mail domains.
bool IsFileExtension(std::string_view tld) {
  // None of these is a top-level domain (".zip" and ".mov" are, and are left out).
  static constexpr std::array<std::string_view, 35> kExtensions = {
      "exe",  "dll", "cpl",  "sys", "evtx", "evt",  "bat", "cmd",  "vbs", "vbe", "js",  "jse",
      "wsf",  "hta", "scr",  "msi", "lnk",  "txt",  "log", "tmp",  "dat", "ini", "cfg", "xml",
      "json", "csv", "html", "htm", "doc",  "docx", "xls", "xlsx", "pdf", "png", "jpg"};
  for (std::string_view e : kExtensions) {
    if (EqualsIgnoreCase(e, tld)) {
      return true;
    }
  }
  return false;
}

constexpr std::array<std::string_view, 15> kAuthSchemes = {
    "bearer", "basic", "digest", "token", "apikey", "negotiate",        "ntlm",          "dpop",
    "mac",    "hoba",  "mutual", "vapid", "gnap",   "aws4-hmac-sha256", "scram-sha-256",
};

bool IsAuthSchemeWord(std::string_view w) {
  for (std::string_view s : kAuthSchemes) {
    if (EqualsIgnoreCase(s, w)) {
      return true;
    }
  }
  return false;
}

bool IsTokenChar(char c) {
  return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' ||
         c == '=';
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+' || c == '-') {
    return 62;
  }
  if (c == '/' || c == '_') {
    return 63;
  }
  return -1;
}

// True when the base64 text decodes to bytes containing ':' (Basic credentials).
bool Base64HasColon(std::string_view b64) {
  uint32_t acc = 0;
  int bits = 0;
  for (char c : b64) {
    int v = Base64Value(c);
    if (v < 0) {
      continue;  // padding, "\/" escapes
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (((acc >> bits) & 0xFF) == ':') {
        return true;
      }
    }
  }
  return false;
}

bool IsLocalPartChar(char c) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '+' || c == '-';
}

bool IsKeyChar(char c) {
  return IsAlnum(c) || c == '_' || c == '-' || c == '.' || c == '[' || c == ']';
}

// Where an unquoted key=value value ends.
bool IsValueTerminator(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case '&':
    case ',':
    case ';':
    case '"':
    case '\'':
    case '}':
    case ']':
    case ')':
    case '<':
    case '>':
    case '\\':
      return true;
    default:
      return false;
  }
}

}  // namespace

size_t NormalizeKey(std::string_view key, char (&buf)[kMaxKeyLength]) {
  // Filled from the end so an over-long key keeps its last bytes (suffix words still work).
  size_t count = 0;
  for (size_t k = key.size(); k > 0 && count < kMaxKeyLength; --k) {
    char c = key[k - 1];
    if (c == '_' || c == '-' || c == '.' || c == ' ') {
      continue;
    }
    buf[kMaxKeyLength - 1 - count] = AsciiLower(c);
    ++count;
  }
  std::memmove(buf, buf + kMaxKeyLength - count, count);
  return count;
}

std::string_view LastKeySegment(std::string_view name) {
  while (!name.empty() && name.back() == ']') {
    name.remove_suffix(1);
  }
  for (size_t p = name.size(); p > 0; --p) {
    char c = name[p - 1];
    if (c == '.' || c == '[' || c == ':') {
      return name.substr(p);
    }
  }
  return name;
}

SecretKeyMatcher::SecretKeyMatcher(const MaskingPolicy& policy) {
  auto copy = [this](const SecretKeyWords& in, Words* out) {
    auto norm = [](const std::string& w) {
      char buf[kMaxKeyLength];
      return std::string(buf, NormalizeKey(w, buf));
    };
    for (const std::string& w : in.exact) {
      out->exact.push_back(norm(w));
    }
    for (const std::string& w : in.suffix) {
      out->suffix.push_back(norm(w));
    }
    for (const std::string& w : in.contains) {
      std::string n = norm(w);
      if (n.size() >= 2) {
        contains_bigrams_.set((static_cast<unsigned char>(n[0]) << 8) |
                              static_cast<unsigned char>(n[1]));
        out->contains.push_back(std::move(n));
      } else if (!n.empty()) {
        out->exact.push_back(std::move(n));  // the loader rejects these; be safe anyway
      }
    }
  };
  copy(policy.mask_keys, &mask_);
  copy(policy.hash_keys, &hash_);
  for (const std::string& w : policy.ignore_keys) {
    char buf[kMaxKeyLength];
    ignore_.emplace_back(buf, NormalizeKey(w, buf));
  }
}

bool SecretKeyMatcher::Matches(const Words& w, std::string_view k) const {
  for (const std::string& e : w.exact) {
    if (e == k) {
      return true;
    }
  }
  for (const std::string& s : w.suffix) {
    if (k.size() >= s.size() && k.back() == s.back() &&
        std::memcmp(k.data() + k.size() - s.size(), s.data(), s.size()) == 0) {
      return true;
    }
  }
  if (w.contains.empty()) {
    return false;
  }
  for (size_t i = 0; i + 1 < k.size(); ++i) {
    if (!contains_bigrams_.test((static_cast<unsigned char>(k[i]) << 8) |
                                static_cast<unsigned char>(k[i + 1]))) {
      continue;
    }
    for (const std::string& c : w.contains) {
      // Words are >= 2 bytes; comparing the bigram first skips most memcmp calls.
      if (c[0] == k[i] && c[1] == k[i + 1] && k.size() - i >= c.size() &&
          std::memcmp(k.data() + i + 2, c.data() + 2, c.size() - 2) == 0) {
        return true;
      }
    }
  }
  return false;
}

MaskAction SecretKeyMatcher::Classify(std::string_view key) const {
  char buf[kMaxKeyLength];
  std::string_view k(buf, NormalizeKey(key, buf));
  if (k.size() < 2) {
    return MaskAction::kScan;
  }
  for (const std::string& w : ignore_) {
    if (w == k) {
      return MaskAction::kScan;
    }
  }
  if (Matches(mask_, k)) {
    return MaskAction::kMask;
  }
  if (Matches(hash_, k)) {
    return MaskAction::kHash;
  }
  return MaskAction::kScan;
}

bool LuhnValid(std::string_view digits) {
  if (digits.empty()) {
    return false;
  }
  int sum = 0;
  bool dbl = false;
  for (size_t k = digits.size(); k > 0; --k) {
    char c = digits[k - 1];
    if (!IsDigit(c)) {
      return false;
    }
    int d = Digit(c);
    if (dbl) {
      d *= 2;
      if (d > 9) {
        d -= 9;
      }
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

size_t MatchRrn(std::string_view t, size_t i, bool* check_digit_ok) {
  const size_t n = t.size();
  if (i + 13 > n || DigitRun(t, i) < 6) {
    return 0;
  }
  size_t j = i + 6;
  bool dash = t[j] == '-';
  if (dash) {
    ++j;
  }
  if (j + 7 > n || DigitRun(t, j) != 7) {
    return 0;  // also rejects a 13-digit run continuing into more digits
  }
  if (!dash && DigitRun(t, i) != 13) {
    return 0;
  }
  int s = Digit(t[j]);
  if (s < 1 || s > 8) {
    return 0;
  }
  int yy = Digit(t[i]) * 10 + Digit(t[i + 1]);
  int mm = Digit(t[i + 2]) * 10 + Digit(t[i + 3]);
  int dd = Digit(t[i + 4]) * 10 + Digit(t[i + 5]);
  // 1,2 and 5,6 (foreign residents): born 1900-1999; 3,4 and 7,8: 2000-2099.
  int year = (s == 1 || s == 2 || s == 5 || s == 6) ? 1900 + yy : 2000 + yy;
  if (mm < 1 || mm > 12 || dd < 1 || dd > DaysInMonth(year, mm)) {
    return 0;
  }
  static constexpr int kWeights[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};
  int digits[13];
  for (int k = 0; k < 6; ++k) {
    digits[k] = Digit(t[i + k]);
  }
  for (int k = 0; k < 7; ++k) {
    digits[6 + k] = Digit(t[j + k]);
  }
  int sum = 0;
  for (int k = 0; k < 12; ++k) {
    sum += digits[k] * kWeights[k];
  }
  if (check_digit_ok != nullptr) {
    *check_digit_ok = (11 - sum % 11) % 10 == digits[12];
  }
  return j + 7 - i;
}

size_t MatchCard(std::string_view t, size_t i) {
  const size_t n = t.size();
  char first = t[i];
  if (!(first >= '2' && first <= '6') && first != '9') {
    return 0;
  }
  size_t g1 = DigitRun(t, i);
  if (g1 >= 13) {
    return g1 <= 19 && LuhnValid(t.substr(i, g1)) ? g1 : 0;
  }
  if (g1 < 4 || g1 > 6 || i + g1 >= n) {
    return 0;
  }
  char sep = t[i + g1];
  if (sep != ' ' && sep != '-') {
    return 0;
  }
  char digits[19];
  std::memcpy(digits, t.data() + i, g1);
  size_t total = g1;
  size_t j = i + g1;
  size_t best = 0;
  while (j + 1 < n && t[j] == sep && IsDigit(t[j + 1])) {
    size_t g = DigitRun(t, j + 1);
    if (g < 3 || g > 6 || total + g > 19) {
      break;
    }
    std::memcpy(digits + total, t.data() + j + 1, g);
    total += g;
    j += 1 + g;
    if (total >= 13 && LuhnValid(std::string_view(digits, total))) {
      best = j - i;
    }
  }
  return best;
}

size_t MatchDomesticPhone(std::string_view t, size_t i, size_t* keep_digits) {
  const size_t n = t.size();
  if (i + 9 > n || t[i] != '0') {
    return 0;
  }
  char c1 = t[i + 1];
  char c2 = t[i + 2];
  const bool mobile =
      c1 == '1' && (c2 == '0' || c2 == '1' || c2 == '6' || c2 == '7' || c2 == '8' || c2 == '9');
  const bool area = c1 >= '3' && c1 <= '6' && c2 >= '1' && c2 <= '5';
  const bool internet = c1 == '7' && c2 == '0';
  size_t prefix = 0;
  if (c1 == '2') {
    prefix = 2;  // Seoul
  } else if (mobile || area || internet) {
    prefix = 3;
  } else {
    return 0;
  }
  size_t j = i + prefix;
  char sep = t[j];
  if (sep == '-' || sep == ' ' || sep == '.') {
    ++j;
    size_t mid = DigitRun(t, j);
    if (mid < 3 || mid > 4) {
      return 0;
    }
    j += mid;
    if (j >= n || t[j] != sep) {
      return 0;
    }
    ++j;
    if (DigitRun(t, j) != 4) {
      return 0;
    }
    *keep_digits = prefix;
    return j + 4 - i;
  }
  size_t run = DigitRun(t, j);
  if (run != 7 && run != 8) {
    return 0;
  }
  *keep_digits = prefix;
  return prefix + run;
}

size_t MatchE164Phone(std::string_view t, size_t i, size_t* keep_digits) {
  const size_t n = t.size();
  size_t j = i + 1;
  if (t[i] == '%' && (t.compare(i, 3, "%2B") == 0 || t.compare(i, 3, "%2b") == 0)) {
    j = i + 3;  // a URL-encoded '+'
  } else if (t[i] != '+') {
    return 0;
  }
  if (j >= n || !IsDigit(t[j]) || t[j] == '0') {
    return 0;
  }
  char digits[15];
  size_t total = 0;
  size_t groups = 0;
  size_t first_group = 0;
  while (true) {
    size_t g = DigitRun(t, j);
    if (g == 0) {
      break;
    }
    if (total + g > 15) {
      return 0;
    }
    std::memcpy(digits + total, t.data() + j, g);
    total += g;
    if (++groups == 1) {
      first_group = g;
    }
    j += g;
    size_t s = j;
    while (s < n && s - j < 2 &&
           (t[s] == ' ' || t[s] == '-' || t[s] == '.' || t[s] == '(' || t[s] == ')')) {
      ++s;
    }
    if (s > j && s < n && IsDigit(t[s])) {
      j = s;
      continue;
    }
    break;
  }
  if (total < 8) {
    return 0;
  }
  size_t keep = 2;
  if (digits[0] == '8' && digits[1] == '2') {
    keep = digits[2] == '2' ? 3 : 4;  // +82 2 (Seoul) or +82 10 / +82 31 ...
  } else if (groups > 1 && first_group <= 3) {
    keep = first_group;
  }
  *keep_digits = std::min(keep, total - 6);
  return j - i;
}

size_t MatchJwt(std::string_view t, size_t i) {
  if (t.compare(i, 3, "eyJ") != 0) {
    return 0;
  }
  size_t j = i;
  size_t h = B64UrlRun(t, j);
  if (h < 10) {
    return 0;
  }
  j += h;
  if (j >= t.size() || t[j] != '.') {
    return 0;
  }
  ++j;
  size_t p = B64UrlRun(t, j);
  if (p < 8) {
    return 0;
  }
  j += p;
  if (j < t.size() && t[j] == '.') {
    j += 1 + B64UrlRun(t, j + 1);
  }
  return j - i;
}

size_t MatchAuthScheme(std::string_view t, size_t i, size_t* token_begin) {
  const size_t n = t.size();
  size_t len = 0;
  bool basic = false;
  if (EqualsIgnoreCase(t.substr(i, 6), "bearer")) {
    len = 6;
  } else if (EqualsIgnoreCase(t.substr(i, 5), "basic")) {
    len = 5;
    basic = true;
  } else {
    return 0;
  }
  size_t j = i + len;
  while (j < n) {
    if (t[j] == ' ' || t[j] == '+') {
      ++j;
    } else if (t.compare(j, 3, "%20") == 0) {
      j += 3;
    } else {
      break;
    }
  }
  if (j == i + len || IsPseudonymAt(t, j)) {
    return 0;
  }
  size_t tb = j;
  bool non_lower = false;
  while (j < n) {
    char c = t[j];
    if (IsTokenChar(c)) {
      non_lower |= !(c >= 'a' && c <= 'z');
      ++j;
    } else if (c == '\\' && j + 1 < n && t[j + 1] == '/') {
      non_lower = true;
      j += 2;
    } else {
      break;
    }
  }
  std::string_view token = t.substr(tb, j - tb);
  if (basic) {
    if (token.size() < 4 || !Base64HasColon(token)) {
      return 0;
    }
  } else if (token.size() < 8 || !non_lower) {
    return 0;  // "bearer authentication" is prose, not a credential
  }
  *token_begin = tb;
  return j - i;
}

size_t AuthSchemePrefix(std::string_view value) {
  size_t w = 0;
  while (w < value.size() && (IsAlnum(value[w]) || value[w] == '-')) {
    ++w;
  }
  if (w == 0 || w >= value.size() || value[w] != ' ' || !IsAuthSchemeWord(value.substr(0, w))) {
    return 0;
  }
  size_t s = w;
  while (s < value.size() && value[s] == ' ') {
    ++s;
  }
  return s < value.size() ? s : 0;
}

bool MatchEmail(
    std::string_view t, size_t at, size_t at_len, size_t floor, size_t* begin, size_t* end) {
  const size_t n = t.size();
  size_t b = at;
  while (b > floor && at - b < 64 && IsLocalPartChar(t[b - 1])) {
    --b;
  }
  // "%3Duser%40..." is "=user@": the local part starts after the escape.
  if (b >= 1 && t[b - 1] == '%' && at - b > 2 && IsHexDigit(t[b]) && IsHexDigit(t[b + 1])) {
    b += 2;
  }
  while (b < at && t[b] == '.') {
    ++b;
  }
  if (b == at) {
    return false;
  }
  size_t d = at + at_len;
  size_t e = d;
  while (e < n && e - d < 253 && (IsAlnum(t[e]) || t[e] == '-' || t[e] == '.')) {
    ++e;
  }
  while (e > d && (t[e - 1] == '.' || t[e - 1] == '-')) {
    --e;
  }
  std::string_view domain = t.substr(d, e - d);
  size_t dot = domain.rfind('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0) {
    return false;
  }
  std::string_view tld = domain.substr(dot + 1);
  if (tld.size() < 2) {
    return false;
  }
  for (char c : tld) {
    if (!IsAlpha(c)) {
      return false;
    }
  }
  if (IsFileExtension(tld)) {
    return false;  // "Invoice@0582.cpl" is a file name
  }
  *begin = b;
  *end = e;
  return true;
}

bool IsPseudonymAt(std::string_view t, size_t i) {
  if (i + kPseudonymLength > t.size() || t.compare(i, 5, "hmac:") != 0) {
    return false;
  }
  for (size_t k = i + 5; k < i + kPseudonymLength; ++k) {
    char c = t[k];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

Scanner::Scanner(const DetectorSettings& settings,
                 const SecretKeyMatcher* keys,
                 std::string mask_text)
    : settings_(settings), keys_(keys), mask_text_(std::move(mask_text)) {
  auto on = [](DetectorAction a) {
    return a != DetectorAction::kOff;
  };
  digits_on_ = on(settings_.rrn) || on(settings_.card) || on(settings_.phone);
  // Letters and digits are handled word by word in Scan(); these start the other checks.
  for (int c = 0; c < 256; ++c) {
    class_[c] = IsAlnum(static_cast<char>(c)) ? kWordByte : 0;
  }
  if (on(settings_.phone)) {
    class_['+'] = kTriggerByte;
    class_['%'] = kTriggerByte;  // "%2B" before a phone number
  }
  if (on(settings_.email)) {
    class_['@'] = kTriggerByte;
    class_['%'] = kTriggerByte;  // "%40"
  }
  if (settings_.key_value && keys_ != nullptr) {
    class_['='] = kTriggerByte;
    class_[':'] = kTriggerByte;
  }
}

bool Scanner::TryDigits(std::string_view t, size_t i, Finding* f) const {
  auto set = [&](Detector kind, size_t len, size_t keep) {
    if (!DigitEndBoundary(t, i + len)) {
      return false;
    }
    *f = Finding{kind,
                 MaskAction::kScan,
                 static_cast<uint32_t>(i),
                 static_cast<uint32_t>(i + len),
                 static_cast<uint32_t>(i),
                 static_cast<uint32_t>(keep)};
    return true;
  };
  // Most numbers are short (ports, ids, times): the run length rules them out cheaply.
  const size_t run = DigitRun(t, i);
  if (run < 2) {
    return false;
  }
  const bool grouped = run <= 6 && i + run < t.size() && (t[i + run] == '-' || t[i + run] == ' ');
  if (settings_.rrn != DetectorAction::kOff && (run == 13 || (run == 6 && grouped))) {
    bool check_ok = false;
    if (size_t len = MatchRrn(t, i, &check_ok); len != 0 && set(Detector::kRrn, len, 0)) {
      return true;
    }
  }
  if (settings_.card != DetectorAction::kOff &&
      ((run >= 13 && run <= 19) || (run >= 4 && grouped))) {
    if (size_t len = MatchCard(t, i); len != 0 && set(Detector::kCard, len, 0)) {
      return true;
    }
  }
  if (settings_.phone != DetectorAction::kOff && t[i] == '0') {
    size_t keep = 0;
    if (size_t len = MatchDomesticPhone(t, i, &keep);
        len != 0 && set(Detector::kPhone, len, keep)) {
      return true;
    }
  }
  return false;
}

MaskAction Scanner::ClassifyKey(std::string_view raw_key) const {
  if (raw_key.size() > sizeof(KeyCacheEntry::key)) {
    return keys_->Classify(LastKeySegment(raw_key));
  }
  // Hash of the length and the first and last (up to) 8 bytes: enough to spread keys.
  uint64_t head = 0;
  uint64_t tail = 0;
  size_t len = raw_key.size();
  std::memcpy(&head, raw_key.data(), std::min<size_t>(len, 8));
  if (len > 8) {
    std::memcpy(&tail, raw_key.data() + len - 8, 8);
  }
  uint64_t h = (head * 0x9E3779B97F4A7C15ull) ^ (tail + len) * 0xC2B2AE3D27D4EB4Full;
  h ^= h >> 29;
  KeyCacheEntry& e = key_cache_[h & (key_cache_.size() - 1)];
  if (e.len == raw_key.size() && std::memcmp(e.key, raw_key.data(), raw_key.size()) == 0) {
    return e.action;
  }
  MaskAction action = keys_->Classify(LastKeySegment(raw_key));
  e.len = static_cast<uint8_t>(raw_key.size());
  std::memcpy(e.key, raw_key.data(), raw_key.size());
  e.action = action;
  return action;
}

bool Scanner::AlreadyReplaced(std::string_view rest) const {
  return StartsWith(rest, "hmac:") || StartsWith(rest, mask_text_);
}

namespace {

// The shell's working-directory variables as sudo and login records write them
// ("PWD=/home/alice"): upper case and an absolute path. The key normalises to `pwd`, a
// password name on web forms (WordPress posts `pwd=`), so only this exact form is exempt.
bool IsShellDirectory(std::string_view key, std::string_view value) {
  return (key == "PWD" || key == "OLDPWD") && !value.empty() && value.front() == '/';
}

}  // namespace

bool Scanner::TryKeyValue(std::string_view t, size_t sep, size_t floor, Finding* f) const {
  const size_t n = t.size();
  // The key: "key=", "key: ", "\"key\": ", "\\\"key\\\": " (JSON inside a JSON string).
  size_t k = sep;
  while (k > floor && t[k - 1] == ' ') {
    --k;
  }
  if (k > floor && (t[k - 1] == '"' || t[k - 1] == '\'')) {
    --k;
    if (k > floor && t[k - 1] == '\\') {
      --k;
    }
  }
  size_t key_end = k;
  size_t limit = std::max(floor, key_end > 128 ? key_end - 128 : size_t{0});
  bool has_letter = false;
  while (k > limit && IsKeyChar(t[k - 1])) {
    has_letter |= IsAlpha(t[k - 1]);
    --k;
  }
  if (!has_letter) {
    return false;  // "12:34:56", "C:" ... no secret key is made of digits
  }
  MaskAction action = ClassifyKey(t.substr(k, key_end - k));
  if (action != MaskAction::kMask && action != MaskAction::kHash) {
    return false;
  }
  // The value.
  size_t v = sep + 1;
  while (v < n && (t[v] == ' ' || t[v] == '\t')) {
    ++v;
  }
  if (v >= n || IsShellDirectory(t.substr(k, key_end - k), t.substr(v))) {
    return false;
  }
  size_t vb = v;
  size_t ve = v;
  bool quoted = true;
  if (t[v] == '"') {
    vb = ve = v + 1;
    while (ve < n && t[ve] != '"') {
      ve += t[ve] == '\\' ? 2 : 1;
    }
  } else if (t[v] == '\\' && v + 1 < n && t[v + 1] == '"') {
    // A string of a JSON document that is itself inside a JSON string: it ends at the
    // next \" that is not escaped at the inner level (\\\" is an inner escaped quote).
    vb = ve = v + 2;
    bool inner_escape = false;
    while (ve < n) {
      char inner = t[ve];
      size_t len = 1;
      if (inner == '\\' && ve + 1 < n) {
        inner = t[ve + 1] == '\\' ? '\\' : t[ve + 1] == '"' ? '"' : 'x';
        len = 2;
      } else if (inner == '"') {
        break;  // the outer string ends: malformed, stop here
      }
      if (inner == '"' && !inner_escape) {
        break;
      }
      inner_escape = !inner_escape && inner == '\\';
      ve += len;
    }
  } else if (t[v] == '\'') {
    vb = ve = v + 1;
    while (ve < n && t[ve] != '\'') {
      ++ve;
    }
  } else {
    quoted = false;
    if (t[sep] == ':' && (t[v] == '{' || t[v] == '[')) {
      return false;  // a JSON object or array: its own keys are visited
    }
    while (ve < n && !IsValueTerminator(t[ve])) {
      ++ve;
    }
  }
  ve = std::min(ve, n);
  if (ve <= vb) {
    return false;
  }
  std::string_view value = t.substr(vb, ve - vb);
  if (!quoted && (value == "null" || value == "true" || value == "false")) {
    return false;
  }
  // "$password = $cred.GetNetworkCredential()" is code, and "%%1842" a Windows message
  // reference: masking them would only blind detection rules.
  if (value[0] == '$' || StartsWith(value, "%%")) {
    return false;
  }
  size_t scheme = AuthSchemePrefix(value);
  if (scheme == 0 && !quoted && IsAuthSchemeWord(value) && ve < n && t[ve] == ' ') {
    // "Authorization: Bearer abc": the unquoted value stopped at the space.
    size_t tb = ve;
    while (tb < n && t[tb] == ' ') {
      ++tb;
    }
    size_t te = tb;
    while (te < n && !IsValueTerminator(t[te])) {
      ++te;
    }
    if (te > tb) {
      scheme = tb - vb;
      ve = te;
      value = t.substr(vb, ve - vb);
    }
  }
  if (value.size() <= scheme || AlreadyReplaced(t.substr(vb + scheme))) {
    return false;
  }
  if (action == MaskAction::kHash && value.size() - scheme < kMinHashedKeyValue) {
    return false;  // "TerminalSessionId": "1" is no credential
  }
  *f = Finding{Detector::kKeyValue,
               action,
               static_cast<uint32_t>(vb),
               static_cast<uint32_t>(ve),
               static_cast<uint32_t>(vb + scheme),
               0};
  return true;
}

bool Scanner::TryWordAt(std::string_view t, size_t p, Finding* f) const {
  char c = t[p];
  if (IsDigit(c)) {
    return digits_on_ && TryDigits(t, p, f);
  }
  if (c == 'e' && settings_.jwt != DetectorAction::kOff) {
    if (size_t len = MatchJwt(t, p)) {
      *f = Finding{Detector::kJwt,           MaskAction::kScan,
                   static_cast<uint32_t>(p), static_cast<uint32_t>(p + len),
                   static_cast<uint32_t>(p), 0};
      return true;
    }
  } else if ((c == 'b' || c == 'B') && settings_.bearer != DetectorAction::kOff) {
    size_t tb = 0;
    if (size_t len = MatchAuthScheme(t, p, &tb)) {
      *f = Finding{Detector::kBearer,         MaskAction::kScan,
                   static_cast<uint32_t>(p),  static_cast<uint32_t>(p + len),
                   static_cast<uint32_t>(tb), 0};
      return true;
    }
  }
  return false;
}

void Scanner::Scan(std::string_view t, std::vector<Finding>* out) const {
  const size_t n = t.size();
  size_t i = 0;
  size_t floor = 0;  // end of the last finding: look-backs must not reach before it
  Finding f;
  while (i < n) {
    // Bytes that are neither part of a word nor a trigger: the bulk of most text.
    while (i < n && class_[static_cast<unsigned char>(t[i])] == 0) {
      ++i;
    }
    if (i >= n) {
      break;
    }
    const char c = t[i];
    bool hit = false;
    if (class_[static_cast<unsigned char>(c)] == kWordByte) {
      // A word: detectors start only where a word starts, so the rest of it is skipped
      // in one tight loop (hex hashes, GUIDs and base64 are long words).
      size_t j = i + 1;
      while (j < n && class_[static_cast<unsigned char>(t[j])] == kWordByte) {
        ++j;
      }
      if (c == 'h' && IsPseudonymAt(t, i)) {
        i += kPseudonymLength;
        continue;
      }
      bool decimal_fraction = i >= 2 && t[i - 1] == '.' && IsDigit(t[i - 2]) && IsDigit(c);
      hit = !decimal_fraction && TryWordAt(t, i, &f);
      // Words that begin with an escape: "%20" + "5112...", "\n" + "010-...", "\u0020"...
      if (!hit && i > 0) {
        size_t skip = 0;
        if (t[i - 1] == '%' && j - i > 2 && IsHexDigit(c) && IsHexDigit(t[i + 1])) {
          skip = 2;
        } else if (t[i - 1] == '\\' && IsEscapingBackslash(t, i - 1)) {
          if (c == 'n' || c == 't' || c == 'r' || c == 'b' || c == 'f') {
            skip = 1;
          } else if (c == 'u' && j - i > 5) {
            skip = 5;
          }
        }
        if (skip != 0 && i + skip < j) {
          hit = TryWordAt(t, i + skip, &f);
        }
      }
      if (!hit) {
        i = j;
        continue;
      }
    } else {
      switch (c) {
        case '+':
        case '%':
          if (settings_.phone != DetectorAction::kOff && (i == 0 || !IsAlnum(t[i - 1]))) {
            size_t keep = 0;
            size_t len = MatchE164Phone(t, i, &keep);
            if (len != 0 && DigitEndBoundary(t, i + len)) {
              f = Finding{Detector::kPhone,         MaskAction::kScan,
                          static_cast<uint32_t>(i), static_cast<uint32_t>(i + len),
                          static_cast<uint32_t>(i), static_cast<uint32_t>(keep)};
              hit = true;
              break;
            }
          }
          if (c == '+' || settings_.email == DetectorAction::kOff || t.compare(i, 3, "%40") != 0) {
            break;
          }
          [[fallthrough]];
        case '@': {
          size_t at_len = c == '@' ? 1 : 3;
          size_t b = 0;
          size_t e = 0;
          if (MatchEmail(t, i, at_len, floor, &b, &e)) {
            f = Finding{Detector::kEmail,         MaskAction::kScan,
                        static_cast<uint32_t>(b), static_cast<uint32_t>(e),
                        static_cast<uint32_t>(b), static_cast<uint32_t>(i - b)};
            hit = true;
          }
          break;
        }
        case '=':
        case ':':
          hit = TryKeyValue(t, i, floor, &f);
          break;
        default:
          break;
      }
    }
    if (hit) {
      out->push_back(f);
      i = f.end;
      floor = f.end;
    } else {
      ++i;
    }
  }
}

}  // namespace rampart::enrich::internal
