#pragma once
// IP address text → bytes: the one parser every stage uses (indicator lists, Sigma `cidr`,
// query CIDR terms, syslog peers), so an address one stage accepts the others accept too.
// Strict (no octal-looking "010", no zones or brackets: callers strip what their input
// allows), allocation-free, never throws.

#include <array>
#include <cstdint>
#include <string_view>

namespace rampart {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses bytes[0..3]
};

// Strict dotted quad: four decimal parts 0..255, no leading zeros ("010" is refused: some
// tools read it as octal). *out is a.b.c.d as (a << 24 | b << 16 | c << 8 | d).
bool ParseIpv4(std::string_view s, uint32_t* out);
// RFC 4291 text forms: full, "::"-compressed, embedded IPv4 tail ("::ffff:10.0.0.1").
// No zone, no brackets. *out in network order.
bool ParseIpv6(std::string_view s, std::array<uint8_t, 16>* out);
// Either family: IPv6 when the text has a ':', else IPv4.
bool ParseIpAddress(std::string_view s, IpAddress* out);

// An address range: "10.0.0.0/8", "2001:db8::/32", or a plain address (full length). Host
// bits beyond the length are cleared.
struct IpPrefix {
  IpAddress address;
  int length = 0;  // 0..32 (IPv4) or 0..128 (IPv6)
};
bool ParseIpPrefix(std::string_view s, IpPrefix* out);
// Whether `address` lies in `prefix` (never across families).
bool PrefixContains(const IpPrefix& prefix, const IpAddress& address);

}  // namespace rampart
