#include "core/ip.h"

#include <cstring>

#include "core/strings.h"

namespace rampart {

bool ParseIpv4(std::string_view s, uint32_t* out) {
  if (s.size() < 7 || s.size() > 15) {
    return false;
  }
  uint32_t v = 0;
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') {
        return false;
      }
      ++i;
    }
    const size_t start = i;
    uint32_t n = 0;
    while (i < s.size() && IsDigit(s[i]) && i - start < 3) {
      n = n * 10 + static_cast<uint32_t>(s[i] - '0');
      ++i;
    }
    const size_t len = i - start;
    if (len == 0 || n > 255 || (len > 1 && s[start] == '0')) {
      return false;
    }
    v = (v << 8) | n;
  }
  if (i != s.size()) {
    return false;
  }
  *out = v;
  return true;
}

bool ParseIpv6(std::string_view s, std::array<uint8_t, 16>* out) {
  if (s.size() < 2 || s.size() > 45) {
    return false;
  }
  std::array<uint16_t, 8> groups{};
  int n = 0;
  int gap = -1;  // index in `groups` where "::" stands
  size_t i = 0;
  if (s[0] == ':') {
    if (s[1] != ':') {
      return false;
    }
    gap = 0;
    i = 2;
  }
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && IsHexDigit(s[j]) && j - i < 5) {
      ++j;
    }
    if (j < s.size() && s[j] == '.') {  // embedded IPv4: the last 32 bits
      uint32_t v4 = 0;
      if (n > 6 || !ParseIpv4(s.substr(i), &v4)) {
        return false;
      }
      groups[n++] = static_cast<uint16_t>(v4 >> 16);
      groups[n++] = static_cast<uint16_t>(v4 & 0xFFFF);
      i = s.size();
      break;
    }
    if (j == i || j - i > 4 || n == 8) {
      return false;
    }
    uint16_t g = 0;
    for (size_t k = i; k < j; ++k) {
      g = static_cast<uint16_t>((g << 4) | HexValue(s[k]));
    }
    groups[n++] = g;
    i = j;
    if (i == s.size()) {
      break;
    }
    if (s[i] != ':') {
      return false;
    }
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) {
        return false;
      }
      gap = n;
      ++i;
    } else if (i == s.size()) {
      return false;  // a single trailing ':'
    }
  }
  if (gap < 0 ? n != 8 : n > 7) {
    return false;
  }
  std::array<uint16_t, 8> full{};
  if (gap < 0) {
    full = groups;
  } else {
    const int tail = n - gap;
    for (int k = 0; k < gap; ++k) {
      full[k] = groups[k];
    }
    for (int k = 0; k < tail; ++k) {
      full[8 - tail + k] = groups[gap + k];
    }
  }
  for (size_t k = 0; k < full.size(); ++k) {
    (*out)[2 * k] = static_cast<uint8_t>(full[k] >> 8);
    (*out)[2 * k + 1] = static_cast<uint8_t>(full[k] & 0xFF);
  }
  return true;
}

bool ParseIpAddress(std::string_view s, IpAddress* out) {
  if (s.find(':') != std::string_view::npos) {
    std::array<uint8_t, 16> bytes{};
    if (!ParseIpv6(s, &bytes)) {
      return false;
    }
    out->v6 = true;
    out->bytes = bytes;
    return true;
  }
  uint32_t v4 = 0;
  if (!ParseIpv4(s, &v4)) {
    return false;
  }
  out->v6 = false;
  out->bytes = {};
  out->bytes[0] = static_cast<uint8_t>(v4 >> 24);
  out->bytes[1] = static_cast<uint8_t>(v4 >> 16);
  out->bytes[2] = static_cast<uint8_t>(v4 >> 8);
  out->bytes[3] = static_cast<uint8_t>(v4);
  return true;
}

namespace {

// Keeps the first `length` bits of `bytes`.
void ClearHostBits(std::array<uint8_t, 16>& bytes, int length, int bits) {
  for (int i = length; i < bits; ++i) {
    bytes[static_cast<size_t>(i / 8)] &= static_cast<uint8_t>(~(0x80 >> (i % 8)));
  }
}

}  // namespace

bool ParseIpPrefix(std::string_view s, IpPrefix* out) {
  const size_t slash = s.find('/');
  IpPrefix p;
  if (!ParseIpAddress(s.substr(0, slash), &p.address)) {
    return false;
  }
  const int bits = p.address.v6 ? 128 : 32;
  p.length = bits;
  if (slash != std::string_view::npos) {
    const std::string_view len = s.substr(slash + 1);
    if (len.empty() || len.size() > 3 || (len.size() > 1 && len[0] == '0') ||
        !ParseInt(len, &p.length) || p.length < 0 || p.length > bits) {
      return false;
    }
  }
  ClearHostBits(p.address.bytes, p.length, bits);
  *out = p;
  return true;
}

bool PrefixContains(const IpPrefix& prefix, const IpAddress& address) {
  if (prefix.address.v6 != address.v6) {
    return false;
  }
  const int full = prefix.length / 8;
  if (std::memcmp(prefix.address.bytes.data(), address.bytes.data(), static_cast<size_t>(full)) !=
      0) {
    return false;
  }
  const int rest = prefix.length % 8;
  if (rest == 0) {
    return true;
  }
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (prefix.address.bytes[static_cast<size_t>(full)] & mask) ==
         (address.bytes[static_cast<size_t>(full)] & mask);
}

}  // namespace rampart
