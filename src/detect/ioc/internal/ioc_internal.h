#pragma once
// Private to src/detect/ioc: address parsing, URL/host helpers, the index behind IocSet, the
// field-role table of the matcher, and the context the list loaders share.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <simdjson.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "core/ip.h"
#include "core/strings.h"
#include "detect/ioc/ioc.h"

namespace rampart::ioc::internal {

// ---------------------------------------------------------------------------------------
// Addresses

struct U128 {
  uint64_t hi = 0;
  uint64_t lo = 0;
  bool operator==(const U128&) const = default;
  // Numeric order: hi, then lo.
  bool operator<(const U128& o) const { return hi < o.hi || (hi == o.hi && lo < o.lo); }
  bool operator<=(const U128& o) const { return !(o < *this); }
};

struct U128Hash {
  size_t operator()(const U128& v) const {
    uint64_t h = v.hi * 0x9E3779B97F4A7C15ull;
    h ^= v.lo + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2);
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

struct IpAddr {
  bool v6 = false;
  uint32_t v4 = 0;  // when !v6
  U128 v6addr;      // when v6
};

// IPv4 is core/ip.h's ParseIpv4 (strict dotted quad). IPv6 text (core/ip.h's ParseIpv6:
// RFC 4291 forms, no zone, no brackets) as the two halves the indicator index keys on.
bool ParseIpv6(std::string_view s, U128* out);
// Either family. Accepts "[v6]" and a "%zone" suffix; IPv4-mapped IPv6 (::ffff:a.b.c.d)
// becomes IPv4, so "::ffff:10.0.0.1" from Windows matches a 10.0.0.1 indicator.
bool ParseIp(std::string_view s, IpAddr* out);

std::string FormatIpv4(uint32_t v);
std::string FormatIpv6(const U128& v);  // RFC 5952
uint32_t MaskV4(uint32_t v, int prefix);
U128 MaskV6(const U128& v, int prefix);

// "host:port", "[v6]:port", "[v6]" → host; a bare IPv6 address (several ':') unchanged.
std::string_view StripPort(std::string_view s);

// ---------------------------------------------------------------------------------------
// URLs

// Splits "scheme://authority/rest". False when `s` is not an absolute URL with a valid
// scheme and a non-empty host.
struct UrlParts {
  std::string_view scheme;
  std::string_view userinfo;  // without '@'; empty when absent
  std::string_view host;      // without brackets and port
  std::string_view port;      // without ':'; empty when absent
  std::string_view rest;      // from the first '/', '?' or '#' after the authority; may be ""
  bool bracketed = false;     // IPv6 literal host
};
bool SplitUrl(std::string_view s, UrlParts* out);

// Writes the normal form of an absolute URL into `buf` (scheme and host lower case, the
// host's trailing dot removed, "/" for an empty path). Returns the length, or 0 when `s` is
// not an absolute URL or does not fit in `cap`.
size_t NormalizeUrlInto(std::string_view s, char* buf, size_t cap);

// Lower case; a trailing dot removed. False when `s` is not a plausible domain name (labels
// of letters, digits, '-' and '_', 1..63 bytes, at least two labels, at most 253 bytes,
// not an all-numeric last label).
bool IsDomainName(std::string_view lowered);

// ---------------------------------------------------------------------------------------
// The index behind an IocSet. Pointers refer into IocSet::indicators_.

// Networks flattened into disjoint address ranges sorted by start, each owned by the most
// specific network that covers it, so a longest-prefix lookup is one binary search over a
// contiguous array (networks are always nested or disjoint).
template <typename Addr>
struct RangeTable {
  struct Range {
    Addr lo{};
    Addr hi{};
    const Indicator* indicator = nullptr;
  };
  std::vector<Range> ranges;

  bool empty() const { return ranges.empty(); }
  const Indicator* Find(const Addr& a) const {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), a,
                               [](const Addr& x, const Range& r) { return x < r.lo; });
    if (it == ranges.begin()) {
      return nullptr;
    }
    --it;
    return a <= it->hi ? it->indicator : nullptr;
  }
};

// `networks` are [first, last] address ranges of networks (nested or disjoint, no two
// equal); the result has the ranges described above.
RangeTable<uint32_t> BuildRanges(std::vector<RangeTable<uint32_t>::Range> networks);
RangeTable<U128> BuildRanges(std::vector<RangeTable<U128>::Range> networks);

struct IocIndex {
  std::unordered_map<uint32_t, const Indicator*> ipv4;
  std::unordered_map<U128, const Indicator*, U128Hash> ipv6;
  RangeTable<uint32_t> cidr4;
  RangeTable<U128> cidr6;
  std::unordered_map<std::string_view, const Indicator*> domains;
  std::unordered_map<std::string_view, const Indicator*> urls;
  std::unordered_map<std::string_view, const Indicator*> hashes;  // all lengths
  size_t max_url_bytes = 0;
  size_t counts[kIndicatorTypeCount] = {};

  bool has_ip() const { return !ipv4.empty() || !ipv6.empty() || !cidr4.empty() || !cidr6.empty(); }
};

std::unique_ptr<const IocIndex> BuildIndex(std::span<const Indicator> indicators);

// ---------------------------------------------------------------------------------------
// The matcher's field table

enum class Role : uint8_t {
  kNone = 0,
  kIp,        // one address, maybe with a port
  kHost,      // an address or a domain, maybe with a port
  kHostList,  // ',' or ';' separated hosts (X-Forwarded-For, Sysmon QueryResults)
  kUrl,       // a URL: the full URL when absolute, and its host; else an authority
  kHashes,    // "MD5=..,SHA256=..,IMPHASH=.." or one bare hex digest
};

// Role by FieldId for every id interned when the table was built (names in the table are
// interned then). Ids interned later get kIp when their name ends in ".ip".
struct FieldRoles {
  std::vector<Role> by_id;

  Role Get(FieldId id) const;
};

// The table for the current field dictionary; rebuilt only when the dictionary has grown
// since the last call. Thread-safe.
std::shared_ptr<const FieldRoles> CurrentFieldRoles();

// Matches one event against several indexes (global + tenant); see IocSet::Match.
void MatchEvent(std::span<const IocIndex* const> sets,
                const FieldRoles& roles,
                const EventBatch& batch,
                const Event& e,
                std::vector<IocHit>* out);
void LookupValue(std::span<const IocIndex* const> sets,
                 std::string_view value,
                 std::vector<const Indicator*>* out);

// ---------------------------------------------------------------------------------------
// Loaders

// State shared by the loaders of one file: where indicators go and where problems are
// reported.
class FileLoad {
 public:
  FileLoad(FileReport& report, IocSetBuilder& builder, const LoadOptions& options)
      : report_(report), builder_(builder), options_(options) {}

  const LoadOptions& options() const { return options_; }
  const std::string& file() const { return report_.file; }
  FileReport& report() { return report_; }

  void Reject(uint32_t line,
              std::string_view where,
              std::string_view reason,
              std::string_view text);
  void Skip(std::string_view reason);
  // Normalises `text` with `hint` and adds it; a failure is a rejection with the
  // normaliser's reason. Returns true when added or a duplicate.
  bool Add(std::string_view text,
           TypeHint hint,
           uint32_t line,
           std::string_view where,
           std::string_view description,
           std::string_view reference,
           std::optional<Severity> level);

 private:
  FileReport& report_;
  IocSetBuilder& builder_;
  const LoadOptions& options_;
};

void LoadText(std::string_view content, FileLoad& load);
// Returns a file-level error when the header has no indicator column.
Status LoadCsv(std::string_view content, FileLoad& load);
// `root` is a parsed document; returns a file-level error when it is not a STIX bundle /
// indicator (LoadStix) or a MISP export (LoadMisp).
Status LoadStix(simdjson::dom::element root, FileLoad& load);
Status LoadMisp(simdjson::dom::element root, FileLoad& load);
// True when `root` looks like STIX (a bundle, or an object with "type" and "id"/"pattern").
bool LooksLikeStix(simdjson::dom::element root);

// How one MISP attribute type becomes indicators (also used for CSV `type` columns).
struct MispType {
  std::string_view name;
  TypeHint first;   // the value, or its first '|' part for composite types
  TypeHint second;  // composite types: the second part; kAny = not used
  bool use_first = true;
  bool use_second = false;
};
const MispType* FindMispType(std::string_view name);  // case-insensitive; null if unknown

// Replaces defanging ("hxxp", "[.]", "(.)", "[dot]", "[:]") in `s`.
std::string Refang(std::string_view s);

// At most kMaxRejectionTextBytes of `s`.
std::string_view Snippet(std::string_view s);

}  // namespace rampart::ioc::internal
