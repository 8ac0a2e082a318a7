#include "query/internal/util.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/ip.h"
#include "core/strings.h"
#include "core/time_util.h"

namespace rampart::query::internal {
namespace {

bool IsAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}

void ClearHostBits(IpNet* net) {
  for (int bit = net->prefix; bit < 128; ++bit) {
    net->addr[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
}

bool ParseAddress(std::string_view s, IpNet* out) {
  IpAddress ip;
  if (!ParseIpAddress(s, &ip)) {
    return false;
  }
  if (ip.v6) {
    out->addr = ip.bytes;
    return true;
  }
  // IPv4 as IPv4-mapped IPv6, so one comparison serves both families.
  out->addr.fill(0);
  out->addr[10] = 0xff;
  out->addr[11] = 0xff;
  std::memcpy(out->addr.data() + 12, ip.bytes.data(), 4);
  return true;
}

bool IsMappedV4(const IpNet& net) {
  for (int i = 0; i < 10; ++i) {
    if (net.addr[i] != 0) {
      return false;
    }
  }
  return net.addr[10] == 0xff && net.addr[11] == 0xff;
}

bool ParseNet(std::string_view s, bool require_prefix, IpNet* out) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) {
    if (require_prefix) {
      return false;
    }
    size_t pct = s.find('%');  // IPv6 zone id ("fe80::1%eth0") is not part of the address
    if (pct != std::string_view::npos && s.find(':') != std::string_view::npos) {
      s = s.substr(0, pct);
    }
    out->prefix = 128;
    return ParseAddress(s, out);
  }
  std::string_view addr = s.substr(0, slash);
  std::string_view bits = s.substr(slash + 1);
  int prefix = 0;
  if (bits.empty() || bits.size() > 3) {
    return false;
  }
  for (char c : bits) {
    if (!IsAsciiDigit(c)) {
      return false;
    }
    prefix = prefix * 10 + (c - '0');
  }
  if (!ParseAddress(addr, out)) {
    return false;
  }
  const bool v4 = addr.find(':') == std::string_view::npos;
  if (prefix > (v4 ? 32 : 128)) {
    return false;
  }
  out->prefix = v4 ? prefix + 96 : prefix;
  ClearHostBits(out);
  return true;
}

}  // namespace

bool ParseNumber(std::string_view s, double* out) {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    ++i;
  }
  size_t digits = 0;
  while (i < n && IsAsciiDigit(s[i])) {
    ++i;
    ++digits;
  }
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && IsAsciiDigit(s[i])) {
      ++i;
      ++digits;
    }
  }
  if (digits == 0) {
    return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
      ++i;
    }
    size_t exp_digits = 0;
    while (i < n && IsAsciiDigit(s[i])) {
      ++i;
      ++exp_digits;
    }
    if (exp_digits == 0) {
      return false;
    }
  }
  if (i != n) {
    return false;
  }
  std::string_view body = s[0] == '+' ? s.substr(1) : s;
  double v = 0;
  auto r = std::from_chars(body.data(), body.data() + body.size(), v);
  if (r.ec != std::errc() || r.ptr != body.data() + body.size() || !std::isfinite(v)) {
    return false;
  }
  *out = v;
  return true;
}

bool ParseIpOrNet(std::string_view s, IpNet* out) {
  return ParseNet(s, false, out);
}

bool ParseCidr(std::string_view s, IpNet* out) {
  return ParseNet(s, true, out);
}

bool NetContains(const IpNet& net, const IpNet& inner) {
  if (inner.prefix < net.prefix) {
    return false;
  }
  const int full = net.prefix / 8;
  if (std::memcmp(net.addr.data(), inner.addr.data(), full) != 0) {
    return false;
  }
  const int rest = net.prefix % 8;
  if (rest == 0) {
    return true;
  }
  const uint8_t mask = static_cast<uint8_t>(0xff00u >> rest);
  return (net.addr[full] & mask) == (inner.addr[full] & mask);
}

std::string FormatNet(const IpNet& net) {
  char buf[INET6_ADDRSTRLEN];
  std::string out;
  if (IsMappedV4(net) && net.prefix >= 96) {
    inet_ntop(AF_INET, net.addr.data() + 12, buf, sizeof(buf));
    out = buf;
    out += '/';
    out += std::to_string(net.prefix - 96);
  } else {
    inet_ntop(AF_INET6, net.addr.data(), buf, sizeof(buf));
    out = buf;
    out += '/';
    out += std::to_string(net.prefix);
  }
  return out;
}

bool ParseIsoTime(std::string_view s, int64_t* out_ns) {
  return ParseIso8601(s, out_ns);
}

std::string FormatTime(int64_t ns) {
  return FormatIso8601(ns);
}

int64_t FloorToInterval(int64_t ns, int64_t interval_ns) {
  int64_t q = ns / interval_ns;
  if (ns % interval_ns != 0 && ns < 0) {
    --q;
  }
  return q * interval_ns;
}

char32_t DecodeUtf8(std::string_view s, size_t* i) {
  const auto b0 = static_cast<unsigned char>(s[*i]);
  if (b0 < 0x80) {
    ++*i;
    return b0;
  }
  int len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    ++*i;
    return 0xFFFD;
  }
  if (*i + len > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[*i + k]);
    if ((b & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*i;
    return 0xFFFD;
  }
  *i += len;
  return cp;
}

void AppendUtf8(std::string& out, char32_t cp) {
  ::rampart::AppendUtf8(out, static_cast<uint32_t>(cp));
}

int CodepointWidth(char32_t cp) {
  struct Range {
    char32_t lo, hi;
  };
  // Zero-width: combining marks, Hangul medial/final jamo (they join the preceding
  // syllable), zero-width spaces and joiners, variation selectors.
  static constexpr Range kZero[] = {
      {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x1160, 0x11FF},
      {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x20D0, 0x20FF},
      {0xD7B0, 0xD7FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xE0100, 0xE01EF},
  };
  // East Asian Wide (W) and Fullwidth (F) blocks.
  static constexpr Range kWide[] = {
      {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
      {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x26AA, 0x26AB},
      {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26F2, 0x26F5},   {0x2705, 0x2705},
      {0x270A, 0x270B},   {0x2728, 0x2728},   {0x274C, 0x274C},   {0x2753, 0x2755},
      {0x2795, 0x2797},   {0x2B1B, 0x2B1C},   {0x2E80, 0x303E},   {0x3041, 0x33FF},
      {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xA960, 0xA97F},
      {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},
      {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x18CFF}, {0x1B000, 0x1B2FF},
      {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF},
      {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
  };
  if (cp < 0x300) {
    return 1;
  }
  for (const Range& r : kZero) {
    if (cp >= r.lo && cp <= r.hi) {
      return 0;
    }
  }
  for (const Range& r : kWide) {
    if (cp >= r.lo && cp <= r.hi) {
      return 2;
    }
  }
  return 1;
}

size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    width += CodepointWidth(DecodeUtf8(s, &i));
  }
  return width;
}

}  // namespace rampart::query::internal
