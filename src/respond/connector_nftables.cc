// NftablesSyncer: the desired block elements in memory, rendered as one atomic `nft -f -`
// transaction that replaces Rampart's own table and nothing else.
//
// The script, for table `rampart`:
//
//   add table inet rampart           # so the delete below cannot fail on a missing table
//   delete table inet rampart
//   table inet rampart {
//     set block_v4 { type ipv4_addr; flags interval, timeout; elements = { ... } }
//     set block_v6 { type ipv6_addr; flags interval, timeout; elements = { ... } }
//     chain input   { type filter hook input priority -10; policy accept;
//                     ip saddr @block_v4 drop; ip6 saddr @block_v6 drop }
//     chain forward { type filter hook forward priority -10; policy accept; (same rules) }
//   }
//
// Priority -10: after conntrack (-200) and the mangle/NAT hooks, before the usual `filter`
// chains (0), so blocked traffic is dropped before other tables spend work on it. A drop in
// any base chain is final, so another table's accept cannot undo it.

#include <arpa/inet.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/ip.h"
#include "core/strings.h"
#include "respond/connectors.h"
#include "respond/internal/connector_process.h"

namespace rampart::respond {
namespace {

__extension__ using U128 = unsigned __int128;  // GCC and Clang on 64-bit targets

constexpr int kMinPrefixV4 = 8;  // a shorter prefix is refused: it would cut off a continent
constexpr int kMinPrefixV6 = 16;
constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

U128 ToU128(const std::array<uint8_t, 16>& b, bool v6) {
  U128 v = 0;
  for (int i = 0; i < (v6 ? 16 : 4); ++i) {
    v = (v << 8) | b[static_cast<size_t>(i)];
  }
  return v;
}

std::array<uint8_t, 16> FromU128(U128 v, bool v6) {
  std::array<uint8_t, 16> b{};
  for (int i = (v6 ? 15 : 3); i >= 0; --i) {
    b[static_cast<size_t>(i)] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
  return b;
}

std::string AddressText(U128 v, bool v6) {
  std::array<uint8_t, 16> b = FromU128(v, v6);
  char buf[INET6_ADDRSTRLEN];
  ::inet_ntop(v6 ? AF_INET6 : AF_INET, b.data(), buf, sizeof(buf));
  return buf;
}

U128 MaxOf(bool v6) {
  return v6 ? ~U128{0} : U128{0xffffffffU};
}

// "a", "a/len" or "a-b" for the inclusive range [first, last].
std::string RangeText(U128 first, U128 last, bool v6) {
  if (first == last) {
    return AddressText(first, v6);
  }
  const int width = v6 ? 128 : 32;
  U128 size_minus_one = last - first;
  // A prefix when the size is a power of two and `first` is aligned to it.
  if ((size_minus_one & (size_minus_one + 1)) == 0 && (first & size_minus_one) == 0) {
    int host_bits = 0;
    while (host_bits < width && ((size_minus_one >> host_bits) & 1) != 0) {
      ++host_bits;
    }
    return AddressText(first, v6) + "/" + std::to_string(width - host_bits);
  }
  return AddressText(first, v6) + "-" + AddressText(last, v6);
}

struct Segment {
  U128 first = 0;
  U128 last = 0;
  int64_t expires_ns = kNever;
};

struct Span {
  U128 first;
  U128 last;
  int64_t expires_ns;  // kNever for no timeout
};

// Splits the union of `spans` into disjoint, maximal segments, each expiring when the last
// span covering it does.
std::vector<Segment> Segments(std::vector<Span> spans, bool v6) {
  // Sweep over boundaries: a span opens at `first` and closes after `last`.
  struct Edge {
    U128 at;
    bool open;
    int64_t expires_ns;
  };
  std::vector<Edge> edges;
  for (const Span& s : spans) {
    edges.push_back({s.first, true, s.expires_ns});
    if (s.last != MaxOf(v6)) {
      edges.push_back({s.last + 1, false, s.expires_ns});
    }
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return a.at < b.at; });
  std::multiset<int64_t> active;
  std::vector<Segment> out;
  for (size_t i = 0; i < edges.size();) {
    const U128 at = edges[i].at;
    for (; i < edges.size() && edges[i].at == at; ++i) {
      if (edges[i].open) {
        active.insert(edges[i].expires_ns);
      } else {
        active.erase(active.find(edges[i].expires_ns));
      }
    }
    if (active.empty()) {
      continue;
    }
    const U128 last = i < edges.size() ? edges[i].at - 1 : MaxOf(v6);
    const int64_t expires = *active.rbegin();
    if (!out.empty() && out.back().last + 1 == at && out.back().expires_ns == expires) {
      out.back().last = last;
    } else {
      out.push_back({at, last, expires});
    }
  }
  return out;
}

void AppendSet(std::string& s,
               std::string_view name,
               bool v6,
               const std::vector<Segment>& segments,
               int64_t now_ns) {
  s += "  set ";
  s += name;
  s += v6 ? " {\n    type ipv6_addr\n" : " {\n    type ipv4_addr\n";
  s += "    flags interval, timeout\n";
  if (!segments.empty()) {
    s += "    elements = {";
    for (size_t i = 0; i < segments.size(); ++i) {
      const Segment& seg = segments[i];
      s += i == 0 ? "\n      " : ",\n      ";
      s += RangeText(seg.first, seg.last, v6);
      if (seg.expires_ns != kNever) {
        // Round up: an element must not expire before its decision does.
        int64_t ms = (seg.expires_ns - now_ns + 999'999) / 1'000'000;
        s += " timeout " + std::to_string(std::max<int64_t>(ms, 1)) + "ms";
      }
    }
    s += "\n    }\n";
  }
  s += "  }\n";
}

void AppendChain(std::string& s, std::string_view hook) {
  s += "  chain ";
  s += hook;
  s += " {\n    type filter hook ";
  s += hook;
  s += " priority -10; policy accept;\n";
  s += "    ip saddr @block_v4 drop\n";
  s += "    ip6 saddr @block_v6 drop\n";
  s += "  }\n";
}

}  // namespace

NftablesSyncer::NftablesSyncer(NftablesConfig config) : config_(std::move(config)) {}

bool NftablesSyncer::Handles(const Decision& d) {
  return (d.action == Action::kBlock || d.action == Action::kIsolate) &&
         (d.scope == Scope::kIp || d.scope == Scope::kRange) && !d.shadow;
}

Result<NftablesSyncer::Element> NftablesSyncer::ParseElement(const Decision& d) {
  std::string_view text = d.value;
  std::string_view length_text;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    if (d.scope != Scope::kRange) {
      return InvalidArgument("nftables: scope ip with a prefix \"" + d.value + "\"");
    }
    length_text = text.substr(slash + 1);
    text = text.substr(0, slash);
  }
  IpAddress ip;
  if (!ParseIpAddress(text, &ip)) {
    return InvalidArgument("nftables: not an IP address: \"" + d.value + "\"");
  }
  const int width = ip.v6 ? 128 : 32;
  int length = width;
  if (!length_text.empty() || slash != std::string_view::npos) {
    if (!ParseInt(length_text, &length) || length < 0 || length > width) {
      return InvalidArgument("nftables: bad prefix length in \"" + d.value + "\"");
    }
    if (length < (ip.v6 ? kMinPrefixV6 : kMinPrefixV4)) {
      return InvalidArgument("nftables: refusing to block a prefix wider than /" +
                             std::to_string(ip.v6 ? kMinPrefixV6 : kMinPrefixV4) + ": \"" +
                             d.value + "\"");
    }
  }
  const U128 host_mask = length == width ? U128{0} : (MaxOf(ip.v6) >> length);
  const U128 v = ToU128(ip.bytes, ip.v6);
  Element e;
  e.v6 = ip.v6;
  e.first = FromU128(v & ~host_mask & MaxOf(ip.v6), ip.v6);
  e.last = FromU128((v & ~host_mask & MaxOf(ip.v6)) | host_mask, ip.v6);
  e.expires_ns = d.expires_ns;
  return e;
}

Status NftablesSyncer::Apply(const Decision& d, int64_t now_ns) {
  if (!Handles(d) || !d.Enforced(now_ns)) {
    return Remove(d, now_ns);
  }
  auto e = ParseElement(d);
  if (!e.ok()) {
    return e.status();
  }
  elements_[d.id] = *e;
  return Sync(now_ns);
}

Status NftablesSyncer::Remove(const Decision& d, int64_t now_ns) {
  elements_.erase(d.id);
  return Sync(now_ns);
}

Status NftablesSyncer::Reconcile(const std::vector<Decision>& active, int64_t now_ns) {
  elements_.clear();
  std::string refused;
  for (const Decision& d : active) {
    if (!Handles(d) || !d.Enforced(now_ns)) {
      continue;
    }
    auto e = ParseElement(d);
    if (!e.ok()) {
      refused += refused.empty() ? "" : "; ";
      refused += d.id + ": " + std::string(e.status().message());
      continue;
    }
    elements_[d.id] = *e;
  }
  RAMPART_RETURN_IF_ERROR(Sync(now_ns));
  if (!refused.empty()) {
    return InvalidArgument("nftables: table written without " + refused);
  }
  return Status::Ok();
}

std::string NftablesSyncer::RenderScript(int64_t now_ns) const {
  std::vector<Span> spans[2];
  for (const auto& [id, e] : elements_) {
    if (e.expires_ns != 0 && e.expires_ns <= now_ns) {
      continue;  // the kernel has dropped it already, or will before it matters
    }
    spans[e.v6 ? 1 : 0].push_back(
        {ToU128(e.first, e.v6), ToU128(e.last, e.v6), e.expires_ns == 0 ? kNever : e.expires_ns});
  }
  const std::string table = config_.family + " " + config_.table;
  std::string s = "add table " + table + "\ndelete table " + table + "\ntable " + table + " {\n";
  AppendSet(s, "block_v4", false, Segments(std::move(spans[0]), false), now_ns);
  AppendSet(s, "block_v6", true, Segments(std::move(spans[1]), true), now_ns);
  AppendChain(s, "input");
  AppendChain(s, "forward");
  s += "}\n";
  return s;
}

Status NftablesSyncer::Sync(int64_t now_ns) {
  internal::ProcessSpec spec;
  spec.argv = config_.nft_prefix;
  spec.argv.push_back(config_.nft);
  spec.argv.push_back("-f");
  spec.argv.push_back("-");
  spec.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"};
  spec.timeout_ms = config_.timeout_ms;
  last_script_ = RenderScript(now_ns);
  spec.stdin_data = last_script_;
  internal::ProcessOutcome run = internal::RunProcess(spec);
  if (!run.ok()) {
    return Unavailable("nft: " + run.Describe(config_.timeout_ms));
  }
  return Status::Ok();
}

}  // namespace rampart::respond
