#pragma once
// Private helpers of the query stage: strict number parsing, IP/CIDR matching, ISO-8601
// time parsing and formatting, UTF-8 display widths and JSON escaping. They are shared by
// the parser, the SQL functions registered on every connection, the executor and the
// output writers, so each rule (what counts as a number, how wide a Hangul syllable is)
// exists exactly once.
// Time parsing and formatting delegate to core/time_util.h. JSON escaping stays here
// because the writers need the query output's own rules for control characters.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace rampart::query::internal {

// A strict decimal number: [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?.
// No spaces, no hex, no "inf"/"nan"; the result is finite. This is the rule for numeric
// comparisons (`field>=500`) and for numeric sorting.
bool ParseNumber(std::string_view s, double* out);

// An IPv4 or IPv6 network. IPv4 is kept as an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
// with prefix + 96, so one containment test serves both families and ::ffff:10.0.0.1
// matches 10.0.0.0/8.
struct IpNet {
  std::array<uint8_t, 16> addr{};
  int prefix = 128;  // 0..128, in IPv6 bits
};

// "10.0.0.1", "2001:db8::1", "fe80::1%eth0" (zone dropped) → a /32 (/128) network.
// "10.0.0.0/8", "2001:db8::/32" → that network (host bits are cleared).
bool ParseIpOrNet(std::string_view s, IpNet* out);
// Only the CIDR form "address/prefix" (what makes a query value a CIDR term).
bool ParseCidr(std::string_view s, IpNet* out);
// True when `inner` lies within `net` (a plain address is a /128 network).
bool NetContains(const IpNet& net, const IpNet& inner);
// Canonical text, e.g. "10.0.0.0/8" or "2001:db8::/32".
std::string FormatNet(const IpNet& net);

// ISO-8601 UTC instant: "2026-11-20", "2026-11-20T10:00", "2026-11-20T10:00:00",
// "2026-11-20 10:00:00.123456789", zone "Z", "+09:00", "+0900", "+09" or none (= UTC).
bool ParseIsoTime(std::string_view s, int64_t* out_ns);
// "2026-11-20T10:00:00.000Z": milliseconds always, microseconds or nanoseconds when the
// instant has them.
std::string FormatTime(int64_t ns);
// Floor division of a (possibly negative) instant into buckets of `interval_ns`.
int64_t FloorToInterval(int64_t ns, int64_t interval_ns);

// Decodes one UTF-8 code point at s[*i], advancing *i; invalid bytes yield U+FFFD and
// advance by one.
char32_t DecodeUtf8(std::string_view s, size_t* i);
void AppendUtf8(std::string& out, char32_t cp);
// Terminal columns of a code point: 0 for combining marks, 2 for East Asian wide and
// full-width characters (Hangul, CJK, full-width forms, most emoji), else 1.
int CodepointWidth(char32_t cp);
// Terminal columns of a UTF-8 string (invalid bytes count as U+FFFD, width 1).
size_t DisplayWidth(std::string_view s);

}  // namespace rampart::query::internal
