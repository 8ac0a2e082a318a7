// The per-event matcher: which fields are looked at (kFieldRoleTable, the one place to add
// a field), how each kind of value is taken apart, and the lookups. Steady state allocates
// nothing: values are lower-cased into stack buffers and looked up by string_view; only a
// hit appends to the caller's vector.

#include <array>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/field_dict.h"
#include "core/strings.h"
#include "detect/ioc/internal/ioc_internal.h"
#include "detect/ioc/ioc.h"

namespace rampart::ioc::internal {
namespace {

struct RoleName {
  std::string_view name;
  Role role;
};

// Fields the matcher reads, by role. Besides these, every field whose name ends in ".ip"
// is read as an address.
constexpr std::array<RoleName, 37> kFieldRoleTable = {{
    // ECS
    {"source.ip", Role::kIp},
    {"destination.ip", Role::kIp},
    {"client.ip", Role::kIp},
    {"server.ip", Role::kIp},
    {"host.ip", Role::kIp},
    {"source.address", Role::kHost},
    {"destination.address", Role::kHost},
    {"client.address", Role::kHost},
    {"server.address", Role::kHost},
    {"source.domain", Role::kHost},  // syslog: sshd "from <host>"
    {"destination.domain", Role::kHost},
    {"client.domain", Role::kHost},
    {"server.domain", Role::kHost},
    {"url.domain", Role::kHost},  // Host header
    {"dns.question.name", Role::kHost},
    {"http.request.headers.x_forwarded_for", Role::kHostList},
    {"url.original", Role::kUrl},
    {"url.full", Role::kUrl},
    {"http.request.referrer", Role::kUrl},
    {"file.hash.md5", Role::kHashes},
    {"file.hash.sha1", Role::kHashes},
    {"file.hash.sha256", Role::kHashes},
    {"process.hash.md5", Role::kHashes},
    {"process.hash.sha1", Role::kHashes},
    {"process.hash.sha256", Role::kHashes},
    // Windows EventData (Sysmon, Security, Filtering Platform)
    {"SourceIp", Role::kIp},
    {"DestinationIp", Role::kIp},
    {"IpAddress", Role::kIp},
    {"SourceAddress", Role::kIp},
    {"DestAddress", Role::kIp},
    {"ClientAddress", Role::kIp},
    {"SourceHostname", Role::kHost},
    {"DestinationHostname", Role::kHost},
    {"QueryName", Role::kHost},         // Sysmon 22 (DNS query)
    {"QueryResults", Role::kHostList},  // Sysmon 22: "type:  5 cdn.example.net;::ffff:1.2.3.4;"
    {"Hashes", Role::kHashes},          // Sysmon 1/6/7/15/23: "MD5=..,SHA256=..,IMPHASH=.."
    {"Hash", Role::kHashes},
}};

bool EndsWithIp(std::string_view name) {
  return name.size() > 3 && name.substr(name.size() - 3) == ".ip";
}

// Big enough for any URL indicator (kMaxIndicatorBytes) after normalisation.
constexpr size_t kUrlBufferBytes = kMaxIndicatorBytes + 2;
constexpr size_t kMaxDomainBytes = 253;

class Matcher {
 public:
  Matcher(std::span<const IocIndex* const> sets, std::vector<IocHit>* out)
      : sets_(sets), out_(out), start_(out->size()) {
    for (const IocIndex* s : sets) {
      has_ip_ = has_ip_ || s->has_ip();
      has_domain_ = has_domain_ || !s->domains.empty();
      has_hash_ = has_hash_ || !s->hashes.empty();
      max_url_bytes_ = std::max(max_url_bytes_, s->urls.empty() ? 0 : s->max_url_bytes);
    }
  }

  void Field(FieldId id, Role role, std::string_view value) {
    switch (role) {
      case Role::kNone:
        break;
      case Role::kIp:
        Host(id, value, /*allow_domain=*/false);
        break;
      case Role::kHost:
        Host(id, value, /*allow_domain=*/true);
        break;
      case Role::kHostList:
        HostList(id, value);
        break;
      case Role::kUrl:
        Url(id, value);
        break;
      case Role::kHashes:
        Hashes(id, value);
        break;
    }
  }

  // A free-standing value: a hash, a URL, or a host.
  void Any(std::string_view value) {
    value = Trim(value);
    if (value.size() == 32 || value.size() == 40 || value.size() == 64) {
      Hashes(kDroppedField, value);
    }
    if (value.find("://") != std::string_view::npos) {
      Url(kDroppedField, value);
    } else {
      Host(kDroppedField, value, /*allow_domain=*/true);
    }
  }

 private:
  void Host(FieldId id, std::string_view value, bool allow_domain) {
    value = Trim(value);
    if (value.empty() || value == "-") {
      return;
    }
    const std::string_view host = StripPort(value);
    if (has_ip_) {
      IpAddr ip;
      if (ParseIp(host, &ip)) {
        Ip(id, ip, host);
        return;
      }
    }
    if (allow_domain && has_domain_) {
      Domain(id, host);
    }
  }

  void Ip(FieldId id, const IpAddr& ip, std::string_view value) {
    for (const IocIndex* s : sets_) {
      if (!ip.v6) {
        if (auto it = s->ipv4.find(ip.v4); it != s->ipv4.end()) {
          Emit(it->second, id, value);
        }
        if (const Indicator* net = s->cidr4.Find(ip.v4)) {
          Emit(net, id, value);  // the longest prefix only
        }
      } else {
        if (auto it = s->ipv6.find(ip.v6addr); it != s->ipv6.end()) {
          Emit(it->second, id, value);
        }
        if (const Indicator* net = s->cidr6.Find(ip.v6addr)) {
          Emit(net, id, value);
        }
      }
    }
  }

  // Looks up the domain and each parent, most specific first; reports the full host.
  void Domain(FieldId id, std::string_view host) {
    std::string_view d = host;
    if (d.size() > 1 && d.back() == '.') {
      d.remove_suffix(1);
    }
    if (d.empty() || d.size() > kMaxDomainBytes) {
      return;
    }
    char buf[kMaxDomainBytes];
    for (size_t i = 0; i < d.size(); ++i) {
      buf[i] = AsciiLower(d[i]);
    }
    const std::string_view lowered(buf, d.size());
    for (const IocIndex* s : sets_) {
      size_t pos = 0;
      // Indicators have at least two labels, so stop before the last one.
      while (lowered.find('.', pos) != std::string_view::npos) {
        if (auto it = s->domains.find(lowered.substr(pos)); it != s->domains.end()) {
          Emit(it->second, id, host);
          break;
        }
        pos = lowered.find('.', pos) + 1;
      }
    }
  }

  void HostList(FieldId id, std::string_view value) {
    while (!value.empty()) {
      const size_t sep = value.find_first_of(",;");
      std::string_view item = Trim(value.substr(0, sep));
      value = sep == std::string_view::npos ? std::string_view() : value.substr(sep + 1);
      // Sysmon QueryResults items may be "type:  5 name": the host is the last word.
      const size_t space = item.find_last_of(" \t");
      if (space != std::string_view::npos) {
        item = item.substr(space + 1);
      }
      Host(id, item, /*allow_domain=*/true);
    }
  }

  void Url(FieldId id, std::string_view value) {
    value = Trim(value);
    if (value.empty()) {
      return;
    }
    if (value.find("://") == std::string_view::npos) {
      // Origin-form ("/path?q") has no host; authority-form ("host:443", CONNECT) does.
      if (value.front() != '/' && value.front() != '*') {
        Host(id, value, /*allow_domain=*/true);
      }
      return;
    }
    // Normalisation changes the length by a few bytes at most ("/" added, ":80" removed).
    if (max_url_bytes_ > 0 && value.size() <= max_url_bytes_ + 8) {
      char buf[kUrlBufferBytes];
      const size_t n = NormalizeUrlInto(value, buf, sizeof(buf));
      if (n > 0 && n <= max_url_bytes_) {
        const std::string_view normalized(buf, n);
        for (const IocIndex* s : sets_) {
          if (auto it = s->urls.find(normalized); it != s->urls.end()) {
            Emit(it->second, id, value);
          }
        }
      }
    }
    UrlParts parts;
    if ((has_ip_ || has_domain_) && SplitUrl(value, &parts)) {
      Host(id, parts.host, /*allow_domain=*/true);
    }
  }

  void Hashes(FieldId id, std::string_view value) {
    if (!has_hash_) {
      return;
    }
    while (!value.empty()) {
      const size_t comma = value.find(',');
      std::string_view item = Trim(value.substr(0, comma));
      value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
      size_t want = 0;  // 0: any digest length
      const size_t eq = item.find('=');
      if (eq != std::string_view::npos) {
        const std::string_view alg = Trim(item.substr(0, eq));
        item = Trim(item.substr(eq + 1));
        if (EqualsIgnoreCase(alg, "MD5")) {
          want = 32;
        } else if (EqualsIgnoreCase(alg, "SHA1") || EqualsIgnoreCase(alg, "SHA-1")) {
          want = 40;
        } else if (EqualsIgnoreCase(alg, "SHA256") || EqualsIgnoreCase(alg, "SHA-256")) {
          want = 64;
        } else {
          continue;  // IMPHASH is not a file hash; SHA384/512 are not indexed
        }
      }
      if (want != 0 ? item.size() != want
                    : item.size() != 32 && item.size() != 40 && item.size() != 64) {
        continue;
      }
      char buf[64];
      for (size_t i = 0; i < item.size(); ++i) {
        buf[i] = AsciiLower(item[i]);
      }
      const std::string_view lowered(buf, item.size());
      for (const IocIndex* s : sets_) {
        if (auto it = s->hashes.find(lowered); it != s->hashes.end()) {
          Emit(it->second, id, item);
        }
      }
    }
  }

  // One hit per indicator per event: the same indicator in a second field (Windows events
  // carry IpAddress and source.ip) or in both the global and the tenant set is not repeated.
  void Emit(const Indicator* ind, FieldId id, std::string_view value) {
    for (size_t i = start_; i < out_->size(); ++i) {
      const Indicator* o = (*out_)[i].indicator;
      if (o == ind || (o->type == ind->type && o->value == ind->value)) {
        return;
      }
    }
    out_->push_back(IocHit{ind, id, value});
  }

  std::span<const IocIndex* const> sets_;
  std::vector<IocHit>* out_;
  size_t start_;
  bool has_ip_ = false;
  bool has_domain_ = false;
  bool has_hash_ = false;
  size_t max_url_bytes_ = 0;
};

}  // namespace

Role FieldRoles::Get(FieldId id) const {
  if (id < by_id.size()) {
    return by_id[id];
  }
  if (id == kDroppedField) {
    return Role::kNone;
  }
  return EndsWithIp(FieldDict::Name(id)) ? Role::kIp : Role::kNone;
}

std::shared_ptr<const FieldRoles> CurrentFieldRoles() {
  static std::mutex mu;
  static std::shared_ptr<const FieldRoles>* cached = new std::shared_ptr<const FieldRoles>();
  std::lock_guard<std::mutex> lock(mu);
  if (*cached && (*cached)->by_id.size() == FieldDict::size()) {
    return *cached;
  }
  std::array<FieldId, kFieldRoleTable.size()> ids{};
  for (size_t i = 0; i < kFieldRoleTable.size(); ++i) {
    ids[i] = FieldDict::Intern(kFieldRoleTable[i].name);
  }
  auto roles = std::make_shared<FieldRoles>();
  const size_t n = FieldDict::size();
  roles->by_id.resize(n, Role::kNone);
  for (size_t id = 0; id < n; ++id) {
    if (EndsWithIp(FieldDict::Name(static_cast<FieldId>(id)))) {
      roles->by_id[id] = Role::kIp;
    }
  }
  for (size_t i = 0; i < kFieldRoleTable.size(); ++i) {
    roles->by_id[ids[i]] = kFieldRoleTable[i].role;
  }
  *cached = std::move(roles);
  return *cached;
}

void MatchEvent(std::span<const IocIndex* const> sets,
                const FieldRoles& roles,
                const EventBatch& batch,
                const Event& e,
                std::vector<IocHit>* out) {
  Matcher m(sets, out);
  for (const Field& f : batch.fields(e)) {
    const Role role = roles.Get(f.id);
    if (role != Role::kNone && !f.value.empty()) {
      m.Field(f.id, role, f.value);
    }
  }
}

void LookupValue(std::span<const IocIndex* const> sets,
                 std::string_view value,
                 std::vector<const Indicator*>* out) {
  std::vector<IocHit> hits;
  Matcher m(sets, &hits);
  m.Any(value);
  for (const IocHit& h : hits) {
    out->push_back(h.indicator);
  }
}

}  // namespace rampart::ioc::internal
