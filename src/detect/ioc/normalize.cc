// Indicator text → type and normal form; address, URL and domain helpers shared with the
// matcher. Nothing here allocates except the functions that return std::string.

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/strings.h"
#include "detect/ioc/internal/ioc_internal.h"
#include "detect/ioc/ioc.h"

namespace rampart::ioc {
namespace internal {
namespace {

bool IsAlpha(char c) {
  const char l = AsciiLower(c);
  return l >= 'a' && l <= 'z';
}

bool AllHex(std::string_view s) {
  for (char c : s) {
    if (!IsHexDigit(c)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool ParseIpv6(std::string_view s, U128* out) {
  std::array<uint8_t, 16> bytes{};
  if (!rampart::ParseIpv6(s, &bytes)) {
    return false;
  }
  U128 v;
  for (int k = 0; k < 8; ++k) {
    v.hi = (v.hi << 8) | bytes[k];
    v.lo = (v.lo << 8) | bytes[8 + k];
  }
  *out = v;
  return true;
}

bool ParseIp(std::string_view s, IpAddr* out) {
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {
    s = s.substr(1, s.size() - 2);
  }
  if (s.empty()) {
    return false;
  }
  if (IsDigit(s[0]) && s.find(':') == std::string_view::npos) {
    uint32_t v4 = 0;
    if (!ParseIpv4(s, &v4)) {
      return false;
    }
    *out = IpAddr{false, v4, {}};
    return true;
  }
  const size_t zone = s.find('%');
  if (zone != std::string_view::npos) {
    s = s.substr(0, zone);
  }
  U128 v6;
  if (!ParseIpv6(s, &v6)) {
    return false;
  }
  if (v6.hi == 0 && (v6.lo >> 32) == 0xFFFF) {
    *out = IpAddr{false, static_cast<uint32_t>(v6.lo), {}};
  } else {
    *out = IpAddr{true, 0, v6};
  }
  return true;
}

std::string FormatIpv4(uint32_t v) {
  std::string out;
  out.reserve(15);
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += std::to_string((v >> shift) & 0xFF);
    if (shift > 0) {
      out += '.';
    }
  }
  return out;
}

std::string FormatIpv6(const U128& v) {
  std::array<uint16_t, 8> g{};
  for (int k = 0; k < 4; ++k) {
    g[k] = static_cast<uint16_t>(v.hi >> (48 - 16 * k));
    g[4 + k] = static_cast<uint16_t>(v.lo >> (48 - 16 * k));
  }
  // RFC 5952: the longest run of two or more zero groups (the first on a tie) becomes "::".
  int best = -1;
  int best_len = 1;
  for (int k = 0; k < 8;) {
    if (g[k] != 0) {
      ++k;
      continue;
    }
    int end = k;
    while (end < 8 && g[end] == 0) {
      ++end;
    }
    if (end - k > best_len) {
      best = k;
      best_len = end - k;
    }
    k = end;
  }
  std::string out;
  out.reserve(39);
  char buf[8];
  for (int k = 0; k < 8; ++k) {
    if (k == best) {
      out += "::";
      k += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') {
      out += ':';
    }
    auto r = std::to_chars(buf, buf + sizeof(buf), g[k], 16);
    out.append(buf, r.ptr);
  }
  return out;
}

uint32_t MaskV4(uint32_t v, int prefix) {
  if (prefix <= 0) {
    return 0;
  }
  if (prefix >= 32) {
    return v;
  }
  return v & ~((uint32_t{1} << (32 - prefix)) - 1);
}

U128 MaskV6(const U128& v, int prefix) {
  U128 m;
  if (prefix <= 0) {
    return m;
  }
  if (prefix >= 128) {
    return v;
  }
  if (prefix <= 64) {
    m.hi = prefix == 64 ? v.hi : v.hi & ~((uint64_t{1} << (64 - prefix)) - 1);
    return m;
  }
  m.hi = v.hi;
  m.lo = v.lo & ~((uint64_t{1} << (128 - prefix)) - 1);
  return m;
}

std::string_view StripPort(std::string_view s) {
  if (!s.empty() && s.front() == '[') {
    const size_t close = s.find(']');
    return close == std::string_view::npos ? s : s.substr(1, close - 1);
  }
  const size_t colon = s.find(':');
  if (colon != std::string_view::npos && s.find(':', colon + 1) == std::string_view::npos) {
    return s.substr(0, colon);
  }
  return s;
}

bool SplitUrl(std::string_view s, UrlParts* out) {
  const size_t sep = s.find("://");
  if (sep == std::string_view::npos || sep == 0 || sep > 32) {
    return false;
  }
  UrlParts p;
  p.scheme = s.substr(0, sep);
  if (!IsAlpha(p.scheme[0])) {
    return false;
  }
  for (char c : p.scheme) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  const size_t start = sep + 3;
  size_t end = s.find_first_of("/?#", start);
  if (end == std::string_view::npos) {
    end = s.size();
  }
  std::string_view authority = s.substr(start, end - start);
  p.rest = s.substr(end);
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    p.userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
  }
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return false;
    }
    p.host = authority.substr(1, close - 1);
    p.bracketed = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return false;
      }
      p.port = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      p.host = authority.substr(0, colon);
      p.port = authority.substr(colon + 1);
    } else {
      p.host = authority;
    }
  }
  for (char c : p.port) {
    if (!IsDigit(c)) {
      return false;
    }
  }
  if (p.host.empty()) {
    return false;
  }
  // Host characters: RFC 3986 unreserved and percent escapes, UTF-8 bytes (IDN written
  // raw), and ':' inside brackets. Brackets and other punctuation in a host are refused so
  // that normalising (which edits only the host) cannot form a defanging pattern such as
  // "[.]" and normal forms stay stable.
  for (char c : p.host) {
    const bool ok = IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
                    c == '%' || static_cast<unsigned char>(c) >= 0x80 || (c == ':' && p.bracketed);
    if (!ok) {
      return false;
    }
  }
  *out = p;
  return true;
}

size_t NormalizeUrlInto(std::string_view s, char* buf, size_t cap) {
  UrlParts p;
  if (!SplitUrl(s, &p)) {
    return 0;
  }
  std::string_view host = p.host;
  while (!p.bracketed && host.size() > 1 && host.back() == '.') {
    host.remove_suffix(1);
  }
  std::string_view port = p.port;
  if ((port == "80" && EqualsIgnoreCase(p.scheme, "http")) ||
      (port == "443" && EqualsIgnoreCase(p.scheme, "https"))) {
    port = {};
  }
  // scheme "://" [userinfo "@"] ["["] host ["]"] [":" port] ("/" | rest)
  const size_t need = p.scheme.size() + 3 + (p.userinfo.empty() ? 0 : p.userinfo.size() + 1) +
                      host.size() + (p.bracketed ? 2 : 0) + (port.empty() ? 0 : port.size() + 1) +
                      p.rest.size() + 1;
  if (need > cap) {
    return 0;
  }
  size_t n = 0;
  for (char c : p.scheme) {
    buf[n++] = AsciiLower(c);
  }
  buf[n++] = ':';
  buf[n++] = '/';
  buf[n++] = '/';
  if (!p.userinfo.empty()) {
    for (char c : p.userinfo) {
      buf[n++] = c;
    }
    buf[n++] = '@';
  }
  if (p.bracketed) {
    buf[n++] = '[';
  }
  for (char c : host) {
    buf[n++] = AsciiLower(c);
  }
  if (p.bracketed) {
    buf[n++] = ']';
  }
  if (!port.empty()) {
    buf[n++] = ':';
    for (char c : port) {
      buf[n++] = c;
    }
  }
  if (p.rest.empty() || p.rest.front() != '/') {
    buf[n++] = '/';
  }
  for (char c : p.rest) {
    buf[n++] = c;
  }
  return n;
}

bool IsDomainName(std::string_view d) {
  if (d.empty() || d.size() > 253) {
    return false;
  }
  size_t labels = 0;
  size_t label_len = 0;
  bool last_all_digits = true;
  for (char c : d) {
    if (c == '.') {
      if (label_len == 0) {
        return false;
      }
      ++labels;
      label_len = 0;
      last_all_digits = true;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || IsDigit(c) || c == '-' || c == '_')) {
      return false;
    }
    if (!IsDigit(c)) {
      last_all_digits = false;
    }
    if (++label_len > 63) {
      return false;
    }
  }
  if (label_len == 0) {
    return false;
  }
  ++labels;
  return labels >= 2 && !last_all_digits;
}

std::string Refang(std::string_view s) {
  struct Replacement {
    std::string_view from;
    std::string_view to;
  };
  static constexpr std::array<Replacement, 10> kReplacements = {{
      {"[.]", "."},
      {"(.)", "."},
      {"{.}", "."},
      {"[dot]", "."},
      {"(dot)", "."},
      {"[:]", ":"},
      {"[://]", "://"},
      {"[/]", "/"},
      {"[@]", "@"},
      {"[at]", "@"},
  }};
  std::string out;
  out.reserve(s.size());
  // Defanged schemes: hxxp, hxxps, hXXp, fxp.
  if (s.size() >= 4 && EqualsIgnoreCase(s.substr(0, 4), "hxxp")) {
    out += "http";
    s.remove_prefix(4);
  } else if (s.size() >= 6 && EqualsIgnoreCase(s.substr(0, 6), "fxp://")) {
    out += "ftp://";
    s.remove_prefix(6);
  }
  // Rewrite at the tail of the output as each byte arrives, so nested forms ("[[.]]")
  // collapse in one pass and the result contains no pattern: refanging is idempotent, which
  // keeps normal forms stable. Every pattern ends in a closing bracket and no replacement
  // contains one, so one replacement per byte suffices.
  for (char c : s) {
    out += c;
    if (c != ']' && c != ')' && c != '}') {
      continue;
    }
    for (const Replacement& r : kReplacements) {
      if (out.size() >= r.from.size() &&
          EqualsIgnoreCase(std::string_view(out).substr(out.size() - r.from.size()), r.from)) {
        out.resize(out.size() - r.from.size());
        out += r.to;
        break;
      }
    }
  }
  return out;
}

std::string_view Snippet(std::string_view s) {
  if (s.size() <= kMaxRejectionTextBytes) {
    return s;
  }
  size_t cut = kMaxRejectionTextBytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) {
    --cut;  // do not split a UTF-8 sequence
  }
  return s.substr(0, cut);
}

namespace {

enum class IpParse : uint8_t { kNotIp, kOk, kBad };

// An address or network. `error` is set for kBad (an address with a bad prefix).
IpParse ParseIpOrNetwork(std::string_view v, NormalizedIndicator* out, std::string* error) {
  const size_t slash = v.rfind('/');
  IpAddr ip;
  if (slash == std::string_view::npos) {
    if (!ParseIp(v, &ip)) {
      return IpParse::kNotIp;
    }
    *out = ip.v6 ? NormalizedIndicator{IndicatorType::kIpv6, FormatIpv6(ip.v6addr)}
                 : NormalizedIndicator{IndicatorType::kIpv4, FormatIpv4(ip.v4)};
    return IpParse::kOk;
  }
  std::string_view addr = v.substr(0, slash);
  std::string_view len = v.substr(slash + 1);
  // A network written with a mapped IPv6 prefix ("::ffff:10.0.0.0/104") counts the
  // mapped bits; ParseIp folds the address to IPv4, so remember the written family.
  const bool written_v6 = addr.find(':') != std::string_view::npos;
  if (!ParseIp(addr, &ip)) {
    return IpParse::kNotIp;
  }
  int prefix = 0;
  // Digits only: from_chars would take "-4" or "+4".
  if (len.empty() || len.size() > 3 || !IsDigit(len.front()) || !ParseInt(len, &prefix)) {
    *error = "bad network prefix '/" + std::string(Snippet(len)) + "'";
    return IpParse::kBad;
  }
  if (written_v6 && !ip.v6) {
    if (prefix < 96 || prefix > 128) {
      *error = "prefix /" + std::to_string(prefix) + " out of range for an IPv4-mapped network";
      return IpParse::kBad;
    }
    prefix -= 96;
  }
  const int max = ip.v6 ? 128 : 32;
  if (prefix > max) {
    *error = "prefix /" + std::to_string(prefix) + " out of range for " + (ip.v6 ? "IPv6" : "IPv4");
    return IpParse::kBad;
  }
  if (prefix == 0) {
    *error = "prefix /0 would match every address";
    return IpParse::kBad;
  }
  if (ip.v6) {
    if (prefix == max) {
      *out = {IndicatorType::kIpv6, FormatIpv6(ip.v6addr)};
    } else {
      *out = {IndicatorType::kCidr6,
              FormatIpv6(MaskV6(ip.v6addr, prefix)) + "/" + std::to_string(prefix)};
    }
  } else if (prefix == max) {
    *out = {IndicatorType::kIpv4, FormatIpv4(ip.v4)};
  } else {
    *out = {IndicatorType::kCidr4,
            FormatIpv4(MaskV4(ip.v4, prefix)) + "/" + std::to_string(prefix)};
  }
  return IpParse::kOk;
}

// Lower case, leading "*." / "." and trailing "." removed. Empty `error` on success.
bool NormalizeDomain(std::string_view v, std::string* out, std::string* error) {
  if (StartsWith(v, "*.")) {
    v.remove_prefix(2);
  } else if (StartsWith(v, ".")) {
    v.remove_prefix(1);
  }
  if (v.size() > 1 && v.back() == '.') {
    v.remove_suffix(1);
  }
  if (HasNonAscii(v)) {
    *error = "non-ASCII domain name (write the punycode xn-- form)";
    return false;
  }
  std::string lowered = ToLower(v);
  if (!IsDomainName(lowered)) {
    *error = "not a valid domain name";
    return false;
  }
  *out = std::move(lowered);
  return true;
}

Result<NormalizedIndicator> NormalizeUrl(std::string_view v) {
  UrlParts parts;
  if (!SplitUrl(v, &parts)) {
    return InvalidArgument("not a valid absolute URL");
  }
  std::string buf(kMaxIndicatorBytes + 2, '\0');
  const size_t n = NormalizeUrlInto(v, buf.data(), buf.size());
  if (n == 0 || n > kMaxIndicatorBytes) {
    return InvalidArgument("URL longer than 4096 bytes");
  }
  buf.resize(n);
  return NormalizedIndicator{IndicatorType::kUrl, std::move(buf)};
}

Result<NormalizedIndicator> NormalizeHash(std::string_view v, TypeHint hint) {
  if (!AllHex(v)) {
    return InvalidArgument("a hash must be hexadecimal");
  }
  IndicatorType type;
  switch (v.size()) {
    case 32:
      type = IndicatorType::kMd5;
      break;
    case 40:
      type = IndicatorType::kSha1;
      break;
    case 64:
      type = IndicatorType::kSha256;
      break;
    default:
      return InvalidArgument("hash of " + std::to_string(v.size()) +
                             " hex digits (MD5 has 32, SHA-1 40, SHA-256 64)");
  }
  if ((hint == TypeHint::kMd5 && type != IndicatorType::kMd5) ||
      (hint == TypeHint::kSha1 && type != IndicatorType::kSha1) ||
      (hint == TypeHint::kSha256 && type != IndicatorType::kSha256)) {
    const std::string_view want = hint == TypeHint::kMd5    ? "an MD5 hash (32 hex digits)"
                                  : hint == TypeHint::kSha1 ? "a SHA-1 hash (40 hex digits)"
                                                            : "a SHA-256 hash (64 hex digits)";
    return InvalidArgument("expected " + std::string(want) + ", got " + std::to_string(v.size()) +
                           " hex digits");
  }
  return NormalizedIndicator{type, ToLower(v)};
}

}  // namespace
}  // namespace internal

std::string_view IndicatorTypeName(IndicatorType t) {
  static constexpr std::array<std::string_view, kIndicatorTypeCount> kNames = {
      "ipv4", "ipv6", "ipv4-cidr", "ipv6-cidr", "domain", "url", "md5", "sha1", "sha256"};
  return kNames[static_cast<size_t>(t)];
}

std::string_view ListFormatName(ListFormat f) {
  static constexpr std::array<std::string_view, 5> kNames = {"auto", "text", "csv", "stix", "misp"};
  return kNames[static_cast<size_t>(f)];
}

std::optional<TypeHint> ParseTypeHint(std::string_view name) {
  struct Entry {
    std::string_view name;
    TypeHint hint;
  };
  static constexpr std::array<Entry, 40> kNames = {{
      {"ip", TypeHint::kIp},
      {"ipv4", TypeHint::kIp},
      {"ipv6", TypeHint::kIp},
      {"ip-src", TypeHint::kIp},
      {"ip-dst", TypeHint::kIp},
      {"ipv4-addr", TypeHint::kIp},
      {"ipv6-addr", TypeHint::kIp},
      {"ip-address", TypeHint::kIp},
      {"ip_address", TypeHint::kIp},
      {"ipaddress", TypeHint::kIp},
      {"address", TypeHint::kIp},
      {"cidr", TypeHint::kIp},
      {"ipv4-cidr", TypeHint::kIp},
      {"ipv6-cidr", TypeHint::kIp},
      {"network", TypeHint::kIp},
      {"subnet", TypeHint::kIp},
      {"host", TypeHint::kHost},
      {"domain", TypeHint::kDomain},
      {"domain-name", TypeHint::kDomain},
      {"domain_name", TypeHint::kDomain},
      {"hostname", TypeHint::kDomain},
      {"fqdn", TypeHint::kDomain},
      {"url", TypeHint::kUrl},
      {"hash", TypeHint::kHash},
      {"filehash", TypeHint::kHash},
      {"file-hash", TypeHint::kHash},
      {"md5", TypeHint::kMd5},
      {"filehash-md5", TypeHint::kMd5},
      {"hash-md5", TypeHint::kMd5},
      {"file-md5", TypeHint::kMd5},
      {"sha1", TypeHint::kSha1},
      {"sha-1", TypeHint::kSha1},
      {"filehash-sha1", TypeHint::kSha1},
      {"hash-sha1", TypeHint::kSha1},
      {"file-sha1", TypeHint::kSha1},
      {"sha256", TypeHint::kSha256},
      {"sha-256", TypeHint::kSha256},
      {"filehash-sha256", TypeHint::kSha256},
      {"hash-sha256", TypeHint::kSha256},
      {"file-sha256", TypeHint::kSha256},
  }};
  name = Trim(name);
  for (const Entry& e : kNames) {
    if (EqualsIgnoreCase(name, e.name)) {
      return e.hint;
    }
  }
  return std::nullopt;
}

namespace {

// An IP address, a network or a domain name; nullopt when `v` is none of them (`error`
// then says why it is not a domain). A network with a bad prefix is an error result.
std::optional<Result<NormalizedIndicator>> IpOrDomain(std::string_view v, std::string* error) {
  NormalizedIndicator ip;
  switch (internal::ParseIpOrNetwork(v, &ip, error)) {
    case internal::IpParse::kOk:
      return Result<NormalizedIndicator>(std::move(ip));
    case internal::IpParse::kBad:
      return Result<NormalizedIndicator>(InvalidArgument(*error));
    case internal::IpParse::kNotIp:
      break;
  }
  std::string domain;
  if (internal::NormalizeDomain(v, &domain, error)) {
    return Result<NormalizedIndicator>(
        NormalizedIndicator{IndicatorType::kDomain, std::move(domain)});
  }
  return std::nullopt;
}

}  // namespace

Result<NormalizedIndicator> NormalizeIndicator(std::string_view text, TypeHint hint) {
  std::string_view t = Trim(text);
  if (t.empty()) {
    return InvalidArgument("empty indicator");
  }
  if (t.size() > kMaxIndicatorBytes) {
    return InvalidArgument("indicator longer than 4096 bytes");
  }
  const std::string refanged = internal::Refang(t);
  const std::string_view v = refanged;
  for (char c : v) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7F) {
      return InvalidArgument("indicator contains whitespace or control characters");
    }
  }

  NormalizedIndicator out;
  std::string error;
  switch (hint) {
    case TypeHint::kAny: {
      if (v.find("://") != std::string_view::npos) {
        return internal::NormalizeUrl(v);
      }
      if ((v.size() == 32 || v.size() == 40 || v.size() == 64) && internal::AllHex(v)) {
        return internal::NormalizeHash(v, hint);
      }
      if (std::optional<Result<NormalizedIndicator>> r = IpOrDomain(v, &error)) {
        return std::move(*r);
      }
      const size_t slash = v.find('/');
      if (slash != std::string_view::npos && slash > 0) {
        std::string ignored;
        std::string domain;
        internal::IpAddr ip;
        if (internal::NormalizeDomain(internal::StripPort(v.substr(0, slash)), &domain, &ignored) ||
            internal::ParseIp(internal::StripPort(v.substr(0, slash)), &ip)) {
          return InvalidArgument("URL without a scheme (write http://...)");
        }
      }
      if (error.find("non-ASCII") != std::string::npos) {
        return InvalidArgument(error);
      }
      return InvalidArgument(
          "not a recognised indicator (IPv4, IPv6, CIDR, domain, URL, MD5/SHA-1/SHA-256)");
    }
    case TypeHint::kIp:
      if (internal::ParseIpOrNetwork(v, &out, &error) == internal::IpParse::kOk) {
        return out;
      }
      return InvalidArgument(error.empty() ? "expected an IP address or network" : error);
    case TypeHint::kHost:
      if (std::optional<Result<NormalizedIndicator>> r = IpOrDomain(v, &error)) {
        return std::move(*r);
      }
      return InvalidArgument("expected an IP address or domain name");
    case TypeHint::kDomain: {
      std::string domain;
      if (internal::NormalizeDomain(v, &domain, &error)) {
        return NormalizedIndicator{IndicatorType::kDomain, std::move(domain)};
      }
      return InvalidArgument("expected a domain name: " + error);
    }
    case TypeHint::kUrl:
      if (v.find("://") == std::string_view::npos) {
        return InvalidArgument("expected an absolute URL (scheme://host/...)");
      }
      return internal::NormalizeUrl(v);
    case TypeHint::kHash:
    case TypeHint::kMd5:
    case TypeHint::kSha1:
    case TypeHint::kSha256:
      return internal::NormalizeHash(v, hint);
  }
  return InvalidArgument("unknown type hint");
}

}  // namespace rampart::ioc
