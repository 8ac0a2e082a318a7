// DecisionIndex lookups and the RateLimiter's token buckets.

#include "respond/index.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/ip.h"
#include "respond/decision.h"

namespace rampart::respond {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kT0 = int64_t{1'767'225'600} * kSec;

Decision Dec(const std::string& id,
             Scope scope,
             const std::string& value,
             Action action = Action::kBlock,
             const std::string& tenant = "acme") {
  Decision d;
  d.id = id;
  d.tenant = tenant;
  d.scope = scope;
  d.value = value;
  d.action = action;
  d.state = DecisionState::kActive;
  d.created_ns = kT0;
  d.expires_ns = kT0 + 3600 * kSec;
  return d;
}

IpAddress Ip(std::string_view text) {
  IpAddress ip;
  EXPECT_TRUE(ParseIpAddress(text, &ip)) << text;
  return ip;
}

// The ids of what `keys` finds at `now`, strongest first.
std::vector<std::string> Find(const DecisionIndex& index,
                              const CheckKeys& keys,
                              int64_t now = kT0) {
  std::array<const IndexedDecision*, 16> out{};
  const size_t n = index.Lookup(keys, now, out.data(), out.size());
  std::vector<std::string> ids;
  for (size_t i = 0; i < n; ++i) {
    ids.push_back(out[i]->id);
  }
  return ids;
}

CheckKeys IpKeys(std::string_view ip, std::string_view tenant = "acme") {
  CheckKeys k;
  k.tenant = tenant;
  k.ip = Ip(ip);
  return k;
}

TEST(DecisionIndexTest, ExactAddressMatchesAnyTextForm) {
  auto index = DecisionIndex::Build(
      {Dec("v6", Scope::kIp, "2001:db8::1"), Dec("v4", Scope::kIp, "192.0.2.10"),
       Dec("v6full", Scope::kIp, "2001:0db8:0000:0000:0000:0000:0000:0002")});
  EXPECT_EQ(index->size(), 3U);
  EXPECT_EQ(Find(*index, IpKeys("2001:0db8:0:0:0:0:0:1")), std::vector<std::string>{"v6"});
  EXPECT_EQ(Find(*index, IpKeys("2001:DB8::1")), std::vector<std::string>{"v6"});
  EXPECT_EQ(Find(*index, IpKeys("2001:db8::2")), std::vector<std::string>{"v6full"});
  EXPECT_EQ(Find(*index, IpKeys("192.0.2.10")), std::vector<std::string>{"v4"});
  EXPECT_TRUE(Find(*index, IpKeys("192.0.2.11")).empty());
  EXPECT_TRUE(Find(*index, IpKeys("2001:db8::3")).empty());
  // The same 4 bytes in IPv6 form are another address.
  EXPECT_TRUE(Find(*index, IpKeys("c000:20a::")).empty());
}

TEST(DecisionIndexTest, RangesContainAddresses) {
  auto index = DecisionIndex::Build({Dec("net", Scope::kRange, "10.0.0.0/8"),
                                     Dec("net6", Scope::kRange, "2001:db8::/32"),
                                     Dec("host-bits", Scope::kRange, "192.0.2.77/24"),
                                     Dec("full", Scope::kRange, "198.51.100.1/32")});
  EXPECT_EQ(Find(*index, IpKeys("10.255.0.1")), std::vector<std::string>{"net"});
  EXPECT_TRUE(Find(*index, IpKeys("11.0.0.1")).empty());
  EXPECT_EQ(Find(*index, IpKeys("2001:db8:ffff::9")), std::vector<std::string>{"net6"});
  EXPECT_TRUE(Find(*index, IpKeys("2001:db9::1")).empty());
  EXPECT_EQ(Find(*index, IpKeys("192.0.2.1")), std::vector<std::string>{"host-bits"});
  // A /32 range is an exact address.
  EXPECT_EQ(Find(*index, IpKeys("198.51.100.1")), std::vector<std::string>{"full"});
  // Families never mix.
  EXPECT_TRUE(Find(*index, IpKeys("::ffff:10.0.0.1")).empty());
}

TEST(DecisionIndexTest, EntityKeys) {
  auto index = DecisionIndex::Build({
      Dec("u", Scope::kUser, "mallory"),
      Dec("k", Scope::kApiKey, "hmac:k1"),
      Dec("t", Scope::kToken, "hmac:t1"),
      Dec("s", Scope::kSession, "hmac:s1"),
      Dec("h", Scope::kHost, "web-01"),
  });
  CheckKeys k;
  k.tenant = "acme";
  k.user = "mallory";
  EXPECT_EQ(Find(*index, k), std::vector<std::string>{"u"});
  k = CheckKeys{};
  k.tenant = "acme";
  k.api_key = "hmac:k1";
  EXPECT_EQ(Find(*index, k), std::vector<std::string>{"k"});
  k.api_key = "hmac:k2";
  EXPECT_TRUE(Find(*index, k).empty());
  k = CheckKeys{};
  k.tenant = "acme";
  k.token = "hmac:t1";
  k.session = "hmac:s1";
  k.host = "web-01";
  std::vector<std::string> found = Find(*index, k);
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<std::string>{"h", "s", "t"}));
  // A value under another key type does not match.
  k = CheckKeys{};
  k.tenant = "acme";
  k.user = "hmac:k1";
  k.host = "mallory";
  EXPECT_TRUE(Find(*index, k).empty());
  EXPECT_TRUE(Find(*index, CheckKeys{.tenant = "acme"}).empty());
}

TEST(DecisionIndexTest, TenantsAreIsolated) {
  auto index = DecisionIndex::Build({
      Dec("a-ip", Scope::kIp, "192.0.2.1", Action::kBlock, "a"),
      Dec("a-net", Scope::kRange, "10.0.0.0/8", Action::kBlock, "a"),
      Dec("a-user", Scope::kUser, "bob", Action::kBlock, "a"),
      Dec("b-user", Scope::kUser, "bob", Action::kChallenge, "b"),
  });
  EXPECT_EQ(Find(*index, IpKeys("192.0.2.1", "a")), std::vector<std::string>{"a-ip"});
  EXPECT_TRUE(Find(*index, IpKeys("192.0.2.1", "b")).empty());
  EXPECT_EQ(Find(*index, IpKeys("10.1.1.1", "a")), std::vector<std::string>{"a-net"});
  EXPECT_TRUE(Find(*index, IpKeys("10.1.1.1", "b")).empty());
  EXPECT_TRUE(Find(*index, IpKeys("10.1.1.1", "")).empty());
  CheckKeys k;
  k.user = "bob";
  k.tenant = "a";
  EXPECT_EQ(Find(*index, k), std::vector<std::string>{"a-user"});
  k.tenant = "b";
  EXPECT_EQ(Find(*index, k), std::vector<std::string>{"b-user"});
  k.tenant = "c";
  EXPECT_TRUE(Find(*index, k).empty());
}

TEST(DecisionIndexTest, ExpiryIsCheckedAtLookup) {
  Decision d = Dec("soon", Scope::kIp, "192.0.2.1");
  d.expires_ns = kT0 + 10 * kSec;
  Decision r = Dec("net", Scope::kRange, "192.0.2.0/24", Action::kChallenge);
  r.expires_ns = kT0 + 20 * kSec;
  Decision forever = Dec("forever", Scope::kIp, "192.0.2.1", Action::kRateLimit);
  forever.expires_ns = 0;
  auto index = DecisionIndex::Build({d, r, forever});
  EXPECT_EQ(Find(*index, IpKeys("192.0.2.1"), kT0 + 10 * kSec - 1),
            (std::vector<std::string>{"soon", "net", "forever"}));
  EXPECT_EQ(Find(*index, IpKeys("192.0.2.1"), kT0 + 10 * kSec),
            (std::vector<std::string>{"net", "forever"}));
  EXPECT_EQ(Find(*index, IpKeys("192.0.2.1"), kT0 + 20 * kSec),
            std::vector<std::string>{"forever"});
  EXPECT_EQ(Find(*index, IpKeys("192.0.2.1"), kT0 + 1000 * 3600 * kSec),
            std::vector<std::string>{"forever"});
}

TEST(DecisionIndexTest, OnlyActiveEnforceableDecisions) {
  Decision shadow = Dec("shadow", Scope::kIp, "192.0.2.1");
  shadow.shadow = true;
  Decision pending = Dec("pending", Scope::kIp, "192.0.2.1");
  pending.state = DecisionState::kPending;
  std::vector<Decision> all = {shadow, pending};
  for (DecisionState s : {DecisionState::kRejected, DecisionState::kExpired,
                          DecisionState::kRevoked, DecisionState::kSuperseded}) {
    Decision d = Dec(std::string(DecisionStateName(s)), Scope::kIp, "192.0.2.1");
    d.state = s;
    all.push_back(d);
  }
  // Actions an enforcement point does not hold, and values that are not addresses.
  all.push_back(Dec("notify", Scope::kIp, "192.0.2.1", Action::kNotify));
  all.push_back(Dec("revoke", Scope::kIp, "192.0.2.1", Action::kRevoke));
  all.push_back(Dec("bad", Scope::kIp, "not-an-ip"));
  all.push_back(Dec("bad-range", Scope::kRange, "10.0.0.0/99"));
  auto index = DecisionIndex::Build(all);
  EXPECT_EQ(index->size(), 0U);
  EXPECT_TRUE(Find(*index, IpKeys("192.0.2.1")).empty());
}

TEST(DecisionIndexTest, StrongestActionFirst) {
  auto index = DecisionIndex::Build({
      Dec("rate", Scope::kIp, "192.0.2.1", Action::kRateLimit),
      Dec("challenge", Scope::kRange, "192.0.2.0/24", Action::kChallenge),
      Dec("block", Scope::kUser, "bob", Action::kBlock),
  });
  CheckKeys k = IpKeys("192.0.2.1");
  k.user = "bob";
  EXPECT_EQ(Find(*index, k), (std::vector<std::string>{"block", "challenge", "rate"}));
  // With room for one, the strongest is kept.
  std::array<const IndexedDecision*, 1> one{};
  ASSERT_EQ(index->Lookup(k, kT0, one.data(), one.size()), 1U);
  EXPECT_EQ(one[0]->id, "block");
  EXPECT_EQ(one[0]->action, Action::kBlock);
  EXPECT_EQ(one[0]->scope, Scope::kUser);
  EXPECT_EQ(one[0]->value, "bob");
  std::array<const IndexedDecision*, 2> two{};
  ASSERT_EQ(index->Lookup(k, kT0, two.data(), two.size()), 2U);
  EXPECT_EQ(two[0]->id, "block");
  EXPECT_EQ(two[1]->id, "challenge");
}

IndexedDecision RateDecision(uint32_t per_minute, const std::string& id = "rl") {
  IndexedDecision d;
  d.id = id;
  d.action = Action::kRateLimit;
  d.rate_per_minute = per_minute;
  return d;
}

TEST(RateLimiterTest, AllowsTheRateThenRefuses) {
  RateLimiter limiter;
  const IndexedDecision d = RateDecision(5);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(limiter.Allow(d, "client-a", kT0)) << i;
  }
  EXPECT_FALSE(limiter.Allow(d, "client-a", kT0));
  EXPECT_FALSE(limiter.Allow(d, "client-a", kT0 + kSec));  // 5/min: a token takes 12 s
  // Per client and per decision.
  EXPECT_TRUE(limiter.Allow(d, "client-b", kT0));
  EXPECT_TRUE(limiter.Allow(RateDecision(5, "other"), "client-a", kT0));
}

TEST(RateLimiterTest, RefillsOverTime) {
  RateLimiter limiter;
  const IndexedDecision d = RateDecision(60);  // one per second
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(limiter.Allow(d, "c", kT0)) << i;
  }
  EXPECT_FALSE(limiter.Allow(d, "c", kT0));
  EXPECT_FALSE(limiter.Allow(d, "c", kT0 + kSec / 2));
  EXPECT_TRUE(limiter.Allow(d, "c", kT0 + kSec));
  EXPECT_FALSE(limiter.Allow(d, "c", kT0 + kSec));
  // Ten seconds: ten more, not more.
  int allowed = 0;
  while (limiter.Allow(d, "c", kT0 + 11 * kSec)) {
    ++allowed;
  }
  EXPECT_EQ(allowed, 10);
  // A long pause refills to the bucket's size, never beyond.
  allowed = 0;
  while (limiter.Allow(d, "c", kT0 + 3600 * kSec)) {
    ++allowed;
  }
  EXPECT_EQ(allowed, 60);
  // A clock going backwards gives nothing away.
  EXPECT_FALSE(limiter.Allow(d, "c", kT0));
}

TEST(RateLimiterTest, SweepForgetsIdleBuckets) {
  RateLimiter limiter;
  const IndexedDecision d = RateDecision(1);
  EXPECT_TRUE(limiter.Allow(d, "c", kT0));
  EXPECT_FALSE(limiter.Allow(d, "c", kT0));
  limiter.Sweep(kT0 + 60 * kSec);  // idle for a minute: kept (still empty)
  EXPECT_FALSE(limiter.Allow(d, "c", kT0));
  limiter.Sweep(kT0 + 1000 * kSec);  // idle for over two minutes: forgotten
  // A fresh bucket, full again (asked at the old time, so no refill explains it).
  EXPECT_TRUE(limiter.Allow(d, "c", kT0));
}

}  // namespace
}  // namespace rampart::respond
