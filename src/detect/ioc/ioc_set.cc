// IocSetBuilder, IocSet and its index, IocView, and the IOC detection record.

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/detection.h"
#include "core/field_dict.h"
#include "detect/ioc/internal/ioc_internal.h"
#include "detect/ioc/ioc.h"

namespace rampart::ioc {
namespace internal {
namespace {

TypeHint HintFor(IndicatorType t) {
  switch (t) {
    case IndicatorType::kIpv4:
    case IndicatorType::kIpv6:
    case IndicatorType::kCidr4:
    case IndicatorType::kCidr6:
      return TypeHint::kIp;
    case IndicatorType::kDomain:
      return TypeHint::kDomain;
    case IndicatorType::kUrl:
      return TypeHint::kUrl;
    case IndicatorType::kMd5:
      return TypeHint::kMd5;
    case IndicatorType::kSha1:
      return TypeHint::kSha1;
    case IndicatorType::kSha256:
      return TypeHint::kSha256;
  }
  return TypeHint::kAny;
}

// Address arithmetic for the range sweep; false when there is no next address.
bool Next(uint32_t a, uint32_t* out) {
  if (a == UINT32_MAX) {
    return false;
  }
  *out = a + 1;
  return true;
}
bool Next(const U128& a, U128* out) {
  if (a.lo != UINT64_MAX) {
    *out = U128{a.hi, a.lo + 1};
    return true;
  }
  if (a.hi == UINT64_MAX) {
    return false;
  }
  *out = U128{a.hi + 1, 0};
  return true;
}
uint32_t Prev(uint32_t a) {
  return a - 1;  // callers pass a > 0
}
U128 Prev(const U128& a) {
  return a.lo != 0 ? U128{a.hi, a.lo - 1} : U128{a.hi - 1, UINT64_MAX};
}

uint32_t LastV4(uint32_t net, int prefix) {
  return prefix >= 32 ? net : net | ((uint32_t{1} << (32 - prefix)) - 1);
}
U128 LastV6(const U128& net, int prefix) {
  U128 last = net;
  if (prefix <= 64) {
    if (prefix < 64) {
      last.hi |= (uint64_t{1} << (64 - prefix)) - 1;
    }
    last.lo = UINT64_MAX;
  } else if (prefix < 128) {
    last.lo |= (uint64_t{1} << (128 - prefix)) - 1;
  }
  return last;
}

// Sweeps networks sorted by start (wider first on a tie) with a stack of the networks that
// contain the current position; each emitted range belongs to the innermost open network.
template <typename Addr>
RangeTable<Addr> Sweep(std::vector<typename RangeTable<Addr>::Range> networks) {
  using Range = typename RangeTable<Addr>::Range;
  std::sort(networks.begin(), networks.end(), [](const Range& a, const Range& b) {
    return a.lo < b.lo || (a.lo == b.lo && b.hi < a.hi);
  });
  RangeTable<Addr> table;
  std::vector<const Range*> open;
  Addr cursor{};
  bool cursor_valid = true;  // false once the sweep has passed the last address
  auto close = [&] {
    const Range* top = open.back();
    open.pop_back();
    if (cursor_valid && cursor <= top->hi) {
      table.ranges.push_back(Range{cursor, top->hi, top->indicator});
      cursor_valid = Next(top->hi, &cursor);
    }
  };
  for (const Range& n : networks) {
    while (!open.empty() && open.back()->hi < n.lo) {
      close();
    }
    if (!open.empty() && cursor_valid && cursor < n.lo) {
      table.ranges.push_back(Range{cursor, Prev(n.lo), open.back()->indicator});
    }
    cursor = n.lo;
    cursor_valid = true;
    open.push_back(&n);
  }
  while (!open.empty()) {
    close();
  }
  return table;
}

}  // namespace

std::unique_ptr<const IocIndex> BuildIndex(std::span<const Indicator> indicators) {
  auto index = std::make_unique<IocIndex>();
  std::vector<RangeTable<uint32_t>::Range> v4_networks;
  std::vector<RangeTable<U128>::Range> v6_networks;
  for (const Indicator& ind : indicators) {
    const std::string_view v = ind.value;
    bool indexed = true;
    switch (ind.type) {
      case IndicatorType::kIpv4: {
        uint32_t a = 0;
        indexed = ParseIpv4(v, &a) && index->ipv4.emplace(a, &ind).second;
        break;
      }
      case IndicatorType::kIpv6: {
        U128 a;
        indexed = ParseIpv6(v, &a) && index->ipv6.emplace(a, &ind).second;
        break;
      }
      case IndicatorType::kCidr4:
      case IndicatorType::kCidr6: {
        const size_t slash = v.rfind('/');
        int prefix = 0;
        indexed = slash != std::string_view::npos && ParseInt(v.substr(slash + 1), &prefix) &&
                  prefix > 0 && prefix <= (ind.type == IndicatorType::kCidr4 ? 32 : 128);
        if (!indexed) {
          break;
        }
        if (ind.type == IndicatorType::kCidr4) {
          uint32_t a = 0;
          indexed = ParseIpv4(v.substr(0, slash), &a);
          if (indexed) {
            v4_networks.push_back({a, LastV4(a, prefix), &ind});
          }
        } else {
          U128 a;
          indexed = ParseIpv6(v.substr(0, slash), &a);
          if (indexed) {
            v6_networks.push_back({a, LastV6(a, prefix), &ind});
          }
        }
        break;
      }
      case IndicatorType::kDomain:
        indexed = index->domains.emplace(v, &ind).second;
        break;
      case IndicatorType::kUrl:
        indexed = index->urls.emplace(v, &ind).second;
        index->max_url_bytes = std::max(index->max_url_bytes, v.size());
        break;
      case IndicatorType::kMd5:
      case IndicatorType::kSha1:
      case IndicatorType::kSha256:
        indexed = index->hashes.emplace(v, &ind).second;
        break;
    }
    if (indexed) {
      ++index->counts[static_cast<size_t>(ind.type)];
    }
  }
  index->cidr4 = BuildRanges(std::move(v4_networks));
  index->cidr6 = BuildRanges(std::move(v6_networks));
  return index;
}

RangeTable<uint32_t> BuildRanges(std::vector<RangeTable<uint32_t>::Range> networks) {
  return Sweep<uint32_t>(std::move(networks));
}

RangeTable<U128> BuildRanges(std::vector<RangeTable<U128>::Range> networks) {
  return Sweep<U128>(std::move(networks));
}

}  // namespace internal

// ---------------------------------------------------------------------------------------
// IocSetBuilder

IocSetBuilder::AddResult IocSetBuilder::Add(Indicator indicator) {
  Result<NormalizedIndicator> n =
      NormalizeIndicator(indicator.value, internal::HintFor(indicator.type));
  if (!n.ok()) {
    return AddResult::kInvalid;
  }
  indicator.type = n->type;
  indicator.value = std::move(n->value);
  return AddNormalized(std::move(indicator));
}

IocSetBuilder::AddResult IocSetBuilder::AddNormalized(Indicator indicator) {
  std::string key;
  key.reserve(1 + indicator.value.size());
  key += static_cast<char>(indicator.type);
  key += indicator.value;
  if (!seen_.insert(std::move(key)).second) {
    return AddResult::kDuplicate;
  }
  indicators_.push_back(std::move(indicator));
  return AddResult::kAdded;
}

std::shared_ptr<const IocSet> IocSetBuilder::Build() {
  // The constructor is private so that only builders make sets; hence no make_shared.
  std::shared_ptr<const IocSet> set(new IocSet(std::move(indicators_)));
  indicators_.clear();
  seen_.clear();
  return set;
}

// ---------------------------------------------------------------------------------------
// IocSet

IocSet::IocSet(std::vector<Indicator> indicators)
    : indicators_(std::move(indicators)),
      index_(internal::BuildIndex(indicators_)),
      roles_(internal::CurrentFieldRoles()) {}

IocSet::~IocSet() = default;

size_t IocSet::size() const {
  return indicators_.size();
}

size_t IocSet::count(IndicatorType t) const {
  return index_->counts[static_cast<size_t>(t)];
}

std::span<const Indicator> IocSet::indicators() const {
  return indicators_;
}

void IocSet::Match(const EventBatch& batch, const Event& e, std::vector<IocHit>* out) const {
  const internal::IocIndex* sets[] = {index_.get()};
  internal::MatchEvent(sets, *roles_, batch, e, out);
}

std::vector<const Indicator*> IocSet::Lookup(std::string_view value) const {
  const internal::IocIndex* sets[] = {index_.get()};
  std::vector<const Indicator*> out;
  internal::LookupValue(sets, value, &out);
  return out;
}

// ---------------------------------------------------------------------------------------
// IocView

IocView::IocView(std::shared_ptr<const IocSet> global, std::shared_ptr<const IocSet> tenant)
    : global_(std::move(global)), tenant_(std::move(tenant)) {}

void IocView::Match(const EventBatch& batch, const Event& e, std::vector<IocHit>* out) const {
  const internal::IocIndex* sets[2];
  size_t n = 0;
  const internal::FieldRoles* roles = nullptr;
  for (const IocSet* s : {global_.get(), tenant_.get()}) {
    if (s != nullptr && !s->empty()) {
      sets[n++] = s->index_.get();
      // The later-built table covers more ids; either is correct.
      if (roles == nullptr || s->roles_->by_id.size() > roles->by_id.size()) {
        roles = s->roles_.get();
      }
    }
  }
  if (n == 0) {
    return;
  }
  internal::MatchEvent(std::span<const internal::IocIndex* const>(sets, n), *roles, batch, e, out);
}

std::vector<const Indicator*> IocView::Lookup(std::string_view value) const {
  const internal::IocIndex* sets[2];
  size_t n = 0;
  for (const IocSet* s : {global_.get(), tenant_.get()}) {
    if (s != nullptr) {
      sets[n++] = s->index_.get();
    }
  }
  std::vector<const Indicator*> out;
  internal::LookupValue(std::span<const internal::IocIndex* const>(sets, n), value, &out);
  return out;
}

size_t IocView::size() const {
  return (global_ ? global_->size() : 0) + (tenant_ ? tenant_->size() : 0);
}

// ---------------------------------------------------------------------------------------
// Detections

Detection MakeDetection(const IocHit& hit, const Event& event) {
  const Indicator& ind = *hit.indicator;
  const std::string_view type = IndicatorTypeName(ind.type);
  Detection d;
  d.kind = DetectionKind::kIoc;
  d.rule_id.reserve(5 + type.size() + ind.value.size());
  d.rule_id.append("ioc:").append(type).append(":").append(ind.value);
  d.rule_title.append("IOC ")
      .append(type)
      .append(" ")
      .append(ind.value)
      .append(" (")
      .append(ind.source)
      .append(")");
  d.level = ind.level.value_or(Severity::kHigh);
  d.evidence.push_back(Evidence{std::string(FieldDict::Name(hit.field)), std::string(hit.value)});
  // What the list says about the indicator travels with the detection.
  if (!ind.description.empty()) {
    d.evidence.push_back(Evidence{"ioc.description", ind.description});
  }
  if (!ind.reference.empty()) {
    d.evidence.push_back(Evidence{"ioc.reference", ind.reference});
  }
  d.event_time_ns = event.timestamp_ns;
  d.dataset = std::string(event.dataset);
  d.tenant = std::string(event.tenant);
  d.event.offset = event.source_offset;
  d.source = ind.source;
  return d;
}

}  // namespace rampart::ioc
