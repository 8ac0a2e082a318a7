#include "respond/index.h"

#include <algorithm>
#include <functional>
#include <string>

namespace rampart::respond {
namespace {

// Exact keys: tenant, scope and value; addresses as their bytes (any text form matches).
void AppendKey(std::string& key, std::string_view tenant, Scope scope, std::string_view value) {
  key.assign(tenant);
  key += '\x1f';
  key += static_cast<char>('0' + static_cast<int>(scope));
  key += '\x1f';
  key += value;
}

void AppendIpKey(std::string& key, std::string_view tenant, const IpAddress& ip) {
  const size_t n = ip.v6 ? 16 : 4;
  AppendKey(key, tenant, Scope::kIp,
            std::string_view(reinterpret_cast<const char*>(ip.bytes.data()), n));
}

// Higher is stronger: what the decision API answers when several decisions match.
int Strength(Action a) {
  switch (a) {
    case Action::kBlock:
    case Action::kIsolate:
      return 3;
    case Action::kChallenge:
      return 2;
    case Action::kRateLimit:
      return 1;
    default:
      return 0;
  }
}

}  // namespace

std::shared_ptr<const DecisionIndex> DecisionIndex::Build(const std::vector<Decision>& decisions) {
  auto index = std::make_shared<DecisionIndex>();
  std::string key;
  for (const Decision& d : decisions) {
    if (d.state != DecisionState::kActive || d.shadow || Strength(d.action) == 0) {
      continue;
    }
    IndexedDecision entry{d.id, d.action, d.rate_per_minute, d.expires_ns, d.scope, d.value};
    if (d.scope == Scope::kIp || d.scope == Scope::kRange) {
      IpPrefix prefix;
      if (!ParseIpPrefix(d.value, &prefix)) {
        continue;  // not an address: nothing for an enforcement point to match
      }
      const int full = prefix.address.v6 ? 128 : 32;
      if (prefix.length != full) {
        index->ranges_.push_back(Range{d.tenant, prefix, std::move(entry)});
        ++index->size_;
        continue;
      }
      AppendIpKey(key, d.tenant, prefix.address);
    } else {
      AppendKey(key, d.tenant, d.scope, d.value);
    }
    index->exact_[key].push_back(std::move(entry));
    ++index->size_;
  }
  return index;
}

size_t DecisionIndex::Lookup(const CheckKeys& keys,
                             int64_t now_ns,
                             const IndexedDecision** out,
                             size_t max) const {
  if (max == 0) {
    return 0;
  }
  size_t n = 0;
  auto take = [&](const IndexedDecision& d) {
    if (d.expires_ns != 0 && now_ns >= d.expires_ns) {
      return;
    }
    if (n < max) {
      out[n++] = &d;
    } else {
      // Full: replace the weakest if this one is stronger.
      auto weakest =
          std::min_element(out, out + n, [](const IndexedDecision* a, const IndexedDecision* b) {
            return Strength(a->action) < Strength(b->action);
          });
      if (Strength(d.action) > Strength((*weakest)->action)) {
        *weakest = &d;
      }
    }
  };
  thread_local std::string key;
  auto probe = [&](Scope scope, std::string_view value) {
    if (value.empty()) {
      return;
    }
    AppendKey(key, keys.tenant, scope, value);
    auto it = exact_.find(key);
    if (it != exact_.end()) {
      for (const IndexedDecision& d : it->second) {
        take(d);
      }
    }
  };
  if (keys.ip) {
    AppendIpKey(key, keys.tenant, *keys.ip);
    auto it = exact_.find(key);
    if (it != exact_.end()) {
      for (const IndexedDecision& d : it->second) {
        take(d);
      }
    }
    for (const Range& r : ranges_) {
      if (r.tenant == keys.tenant && PrefixContains(r.prefix, *keys.ip)) {
        take(r.decision);
      }
    }
  }
  probe(Scope::kUser, keys.user);
  probe(Scope::kApiKey, keys.api_key);
  probe(Scope::kToken, keys.token);
  probe(Scope::kSession, keys.session);
  probe(Scope::kHost, keys.host);
  std::sort(out, out + n, [](const IndexedDecision* a, const IndexedDecision* b) {
    return Strength(a->action) > Strength(b->action);
  });
  return n;
}

bool RateLimiter::Allow(const IndexedDecision& d, std::string_view client, int64_t now_ns) {
  std::string key = d.id;
  key += '\x1f';
  key += client;
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  const double capacity = std::max<double>(1, d.rate_per_minute);
  auto [it, fresh] = shard.buckets.try_emplace(std::move(key), Bucket{capacity, now_ns});
  Bucket& b = it->second;
  if (!fresh && now_ns > b.updated_ns) {
    const double refill = static_cast<double>(now_ns - b.updated_ns) / 60e9 * capacity;
    b.tokens = std::min(capacity, b.tokens + refill);
    b.updated_ns = now_ns;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  return false;
}

void RateLimiter::Sweep(int64_t now_ns) {
  constexpr int64_t kIdleNs = int64_t{120} * 1'000'000'000;
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    std::erase_if(shard.buckets,
                  [&](const auto& kv) { return now_ns - kv.second.updated_ns > kIdleNs; });
  }
}

}  // namespace rampart::respond
