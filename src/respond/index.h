#pragma once
// The in-memory index the decision API answers from: enforced decisions by tenant and key
// (address, range, user, API key, token, session, host). Built whole from the enforced set
// and swapped atomically, so a lookup never waits for a writer; expiry is checked at lookup
// time, so a decision stops being enforced the moment its TTL ends.
//
// Threads: an index is immutable once built; RateLimiter is thread-safe.

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ip.h"
#include "respond/decision.h"

namespace rampart::respond {

// What an enforcement point knows about a request. Secrets are pseudonyms ("hmac:..."),
// computed the way storage computes them.
struct CheckKeys {
  std::string_view tenant;
  std::optional<IpAddress> ip;
  std::string_view user;
  std::string_view api_key;
  std::string_view token;
  std::string_view session;
  std::string_view host;
};

// One enforced decision as the index holds it.
struct IndexedDecision {
  std::string id;
  Action action = Action::kBlock;
  uint32_t rate_per_minute = 0;
  int64_t expires_ns = 0;  // 0: none
  Scope scope = Scope::kIp;
  std::string value;
};

class DecisionIndex {
 public:
  // From decisions that are active and not shadow (others are skipped).
  static std::shared_ptr<const DecisionIndex> Build(const std::vector<Decision>& decisions);

  // Every unexpired decision matching the request, strongest action first (block before
  // challenge before rate limit). At most `max` are returned.
  size_t Lookup(const CheckKeys& keys,
                int64_t now_ns,
                const IndexedDecision** out,
                size_t max) const;
  size_t size() const { return size_; }

 private:
  std::unordered_map<std::string, std::vector<IndexedDecision>> exact_;  // tenant\x1fscope\x1fkey
  struct Range {
    std::string tenant;
    IpPrefix prefix;
    IndexedDecision decision;
  };
  std::vector<Range> ranges_;
  size_t size_ = 0;
};

// Token buckets for rate-limit decisions, per decision and client.
class RateLimiter {
 public:
  // Whether one more request under decision `d` from `client` is within its rate.
  bool Allow(const IndexedDecision& d, std::string_view client, int64_t now_ns);
  // Drops buckets idle for over two minutes (called now and then).
  void Sweep(int64_t now_ns);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_ns = 0;
  };
  static constexpr size_t kShards = 16;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
  };
  std::array<Shard, kShards> shards_;
};

}  // namespace rampart::respond
