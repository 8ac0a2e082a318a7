// The response engine's ladder, with explicit decision times.

#include "respond/engine.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/detection.h"
#include "incident/incident.h"
#include "respond/decision.h"
#include "respond/policy.h"

namespace rampart::respond {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kT0 = int64_t{1'767'225'600} * kSec;  // 2026-01-01T00:00:00Z

// Three stages: 10 minutes, then an hour after 3 more detections, then a day after 2 more.
constexpr const char* kLadder = R"YAML(id: ssh
match: {rules: [ssh-brute]}
target: ip
forget: 1d
ladder:
  - action: block
    ttl: 10m
  - action: block
    ttl: 1h
    climb: {detections: 3}
  - action: block
    ttl: 1d
    climb: {detections: 2}
)YAML";

std::shared_ptr<const PolicySet> Policies(const std::string& yaml) {
  auto parsed = ParsePolicies(yaml, "test.yml");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return std::make_shared<const PolicySet>(parsed.ok() ? std::move(parsed).value() : PolicySet{});
}

Allowlist Loopback(std::vector<std::string> more = {}) {
  auto list = Allowlist::Parse(more, true);
  EXPECT_TRUE(list.ok()) << list.status().ToString();
  return list.ok() ? std::move(list).value() : Allowlist{};
}

// A detection about `ip` at event time `t`; `row` tells detections at the same time apart.
Detection Det(const std::string& ip,
              int64_t t,
              int64_t row = 0,
              const std::string& rule = "ssh-brute") {
  Detection d;
  d.rule_id = rule;
  d.rule_title = "SSH brute force";
  d.level = Severity::kHigh;
  d.tenant = "acme";
  d.entities = {Entity{"ip", ip}, Entity{"user", "root"}};
  d.event_time_ns = t;
  d.event.location = "tenants/acme/events-2026-01-01.db";
  d.event.rowid = 1000 + (t - kT0) / kSec + row;
  return d;
}

incident::Incident Inc(double risk = 10, const std::string& id = "inc-00000000000000aa") {
  incident::Incident inc;
  inc.id = id;
  inc.tenant = "acme";
  inc.risk = risk;
  return inc;
}

// Feeds one detection at decision time `now`.
ResponseEngine::Outcome Feed(ResponseEngine& engine,
                             const Detection& d,
                             int64_t now,
                             double risk = 10) {
  ResponseEngine::Outcome out;
  engine.OnDetection(d, Inc(risk), now, &out);
  return out;
}

class LadderTest : public ::testing::Test {
 protected:
  LadderTest() : engine_(Policies(kLadder), Loopback(), EngineOptions{}) {}
  ResponseEngine engine_;
};

TEST_F(LadderTest, FirstOffenceIsStageZero) {
  auto out = Feed(engine_, Det("10.0.0.1", kT0), kT0);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_TRUE(out.superseded.empty());
  const Decision& d = out.created[0];
  EXPECT_EQ(d.id, DecisionId("acme", "ssh", 0, Scope::kIp, "10.0.0.1", kT0));
  EXPECT_EQ(d.id.rfind("dec-", 0), 0U);
  EXPECT_EQ(d.id.size(), 20U);
  EXPECT_EQ(d.tenant, "acme");
  EXPECT_EQ(d.scope, Scope::kIp);
  EXPECT_EQ(d.value, "10.0.0.1");
  EXPECT_EQ(d.action, Action::kBlock);
  EXPECT_EQ(d.policy_id, "ssh");
  EXPECT_EQ(d.stage, 0);
  EXPECT_EQ(d.incident_id, "inc-00000000000000aa");
  EXPECT_EQ(d.created_ns, kT0);
  EXPECT_EQ(d.expires_ns, kT0 + 10 * kMin);
  EXPECT_EQ(d.ttl_ns, 10 * kMin);
  EXPECT_EQ(d.state, DecisionState::kActive);
  EXPECT_FALSE(d.shadow);
  EXPECT_TRUE(d.approval.empty());
  EXPECT_EQ(d.decided_by, "system policy:ssh");
  EXPECT_NE(d.reason.find("first offence"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("stage 1/3"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("10.0.0.1"), std::string::npos) << d.reason;
  ASSERT_FALSE(d.evidence.empty());
  EXPECT_EQ(d.evidence.back(), "sigma:ssh-brute @ tenants/acme/events-2026-01-01.db#1000");
}

TEST_F(LadderTest, DetectionsWhileAStageStandsClimbAfterClimbDetections) {
  const std::string stage0 = Feed(engine_, Det("10.0.0.1", kT0), kT0).created.at(0).id;
  // Two more: the standing stage covers them (stage 1 needs 3).
  EXPECT_TRUE(Feed(engine_, Det("10.0.0.1", kT0 + kMin), kT0 + kMin).created.empty());
  EXPECT_TRUE(Feed(engine_, Det("10.0.0.1", kT0 + 2 * kMin), kT0 + 2 * kMin).created.empty());
  // The third climbs, superseding stage 0.
  auto out = Feed(engine_, Det("10.0.0.1", kT0 + 3 * kMin), kT0 + 3 * kMin);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 1);
  EXPECT_EQ(out.created[0].created_ns, kT0 + 3 * kMin);
  EXPECT_EQ(out.created[0].expires_ns, kT0 + 3 * kMin + kHour);
  EXPECT_NE(out.created[0].reason.find("3 more detection(s)"), std::string::npos)
      << out.created[0].reason;
  ASSERT_EQ(out.superseded.size(), 1U);
  EXPECT_EQ(out.superseded[0].id, stage0);
  EXPECT_EQ(out.superseded[0].state, DecisionState::kSuperseded);
  EXPECT_EQ(out.superseded[0].stage, 0);

  // Stage 2 needs 2 more since stage 1 began.
  EXPECT_TRUE(Feed(engine_, Det("10.0.0.1", kT0 + 4 * kMin), kT0 + 4 * kMin).created.empty());
  out = Feed(engine_, Det("10.0.0.1", kT0 + 5 * kMin), kT0 + 5 * kMin);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 2);
  EXPECT_EQ(out.created[0].expires_ns, kT0 + 5 * kMin + kDay);
  ASSERT_EQ(out.superseded.size(), 1U);
  EXPECT_EQ(out.superseded[0].stage, 1);

  // The top stage covers everything after it.
  for (int i = 6; i < 12; ++i) {
    auto more = Feed(engine_, Det("10.0.0.1", kT0 + i * kMin), kT0 + i * kMin);
    EXPECT_TRUE(more.created.empty()) << i;
    EXPECT_TRUE(more.superseded.empty()) << i;
  }
  // Another address has a ladder of its own.
  auto other = Feed(engine_, Det("10.0.0.2", kT0 + 12 * kMin), kT0 + 12 * kMin);
  ASSERT_EQ(other.created.size(), 1U);
  EXPECT_EQ(other.created[0].stage, 0);
}

TEST_F(LadderTest, TheSameDetectionTwiceCountsOnce) {
  ASSERT_EQ(Feed(engine_, Det("10.0.0.1", kT0), kT0).created.size(), 1U);
  const Detection again = Det("10.0.0.1", kT0 + kMin);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(Feed(engine_, again, kT0 + kMin + i * kSec).created.empty()) << i;
  }
  // The first one again, too.
  EXPECT_TRUE(Feed(engine_, Det("10.0.0.1", kT0), kT0 + 2 * kMin).created.empty());
  EXPECT_TRUE(Feed(engine_, Det("10.0.0.1", kT0 + 2 * kMin), kT0 + 2 * kMin).created.empty());
  // Only the third distinct one climbs.
  auto out = Feed(engine_, Det("10.0.0.1", kT0 + 2 * kMin, 1), kT0 + 2 * kMin);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 1);
}

TEST_F(LadderTest, TheSameDetectionAfterExpiryDoesNotClimb) {
  ASSERT_EQ(Feed(engine_, Det("10.0.0.1", kT0), kT0).created.size(), 1U);
  // Delivered again after stage 0 expired (a replay, a retried batch): not a re-offence.
  EXPECT_TRUE(Feed(engine_, Det("10.0.0.1", kT0), kT0 + 20 * kMin).created.empty());
}

TEST(EngineTest, OneShotStageCountsTheSameDetectionOnce) {
  ResponseEngine engine(Policies(R"YAML(id: tell
match: {level: high}
ladder:
  - action: notify
    connector: soc
  - action: block
    ttl: 1h
)YAML"),
                        Loopback(), EngineOptions{});
  auto out = Feed(engine, Det("10.0.0.1", kT0), kT0);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].action, Action::kNotify);
  // A notify never stands, so only the duplicate check keeps a redelivery from climbing.
  EXPECT_TRUE(Feed(engine, Det("10.0.0.1", kT0), kT0 + kSec).created.empty());
  out = Feed(engine, Det("10.0.0.1", kT0 + kMin), kT0 + kMin);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 1);
  EXPECT_EQ(out.created[0].action, Action::kBlock);
}

TEST_F(LadderTest, ReOffenceWithinForgetAfterExpiryClimbsOneStage) {
  ASSERT_EQ(Feed(engine_, Det("10.0.0.1", kT0), kT0).created.size(), 1U);
  // Stage 0 (10 minutes) has expired: one stage up, with no climb condition needed.
  int64_t now = kT0 + 15 * kMin;
  auto out = Feed(engine_, Det("10.0.0.1", now), now);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 1);
  EXPECT_TRUE(out.superseded.empty());  // nothing stands to be replaced
  EXPECT_NE(out.created[0].reason.find("re-offence within 1d of stage 1"), std::string::npos)
      << out.created[0].reason;
  // Exactly at expiry the stage no longer stands.
  const int64_t stage1_end = now + kHour;
  out = Feed(engine_, Det("10.0.0.1", stage1_end), stage1_end);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 2);
  // At the top, a re-offence stays at the top.
  now = stage1_end + kDay + kHour;
  out = Feed(engine_, Det("10.0.0.1", now), now);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 2);
  // Quiet for longer than `forget` after the expiry: back to stage 0.
  now = now + kDay + kDay + kMin;
  out = Feed(engine_, Det("10.0.0.1", now), now);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 0);
  EXPECT_NE(out.created[0].reason.find("new offence"), std::string::npos) << out.created[0].reason;
}

TEST_F(LadderTest, AfterARevokeItStartsAgainAtZero) {
  Decision first = Feed(engine_, Det("10.0.0.1", kT0), kT0).created.at(0);
  first.state = DecisionState::kRevoked;
  first.decided_by = "token:1 alice";
  engine_.Update(first);
  auto out = Feed(engine_, Det("10.0.0.1", kT0 + kMin), kT0 + kMin);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 0);
  EXPECT_TRUE(out.superseded.empty());
  EXPECT_NE(out.created[0].reason.find("after a rollback"), std::string::npos)
      << out.created[0].reason;
  EXPECT_NE(out.created[0].id, first.id);
}

TEST_F(LadderTest, AnOlderDecisionNeverReplacesItsSuccessor) {
  const Decision stage0 = Feed(engine_, Det("10.0.0.1", kT0), kT0).created.at(0);
  for (int i = 1; i <= 3; ++i) {
    (void)Feed(engine_, Det("10.0.0.1", kT0 + i * kMin), kT0 + i * kMin);
  }
  // The store tells the engine of the superseded stage 0 after it made stage 1.
  Decision superseded = stage0;
  superseded.state = DecisionState::kSuperseded;
  engine_.Update(superseded);
  // Stage 1 still stands: the next two climb to stage 2.
  EXPECT_TRUE(Feed(engine_, Det("10.0.0.1", kT0 + 4 * kMin), kT0 + 4 * kMin).created.empty());
  auto out = Feed(engine_, Det("10.0.0.1", kT0 + 5 * kMin), kT0 + 5 * kMin);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 2);
}

TEST(EngineTest, UpdateFromTheStoreRestoresTheLadder) {
  // A restarted engine learns the standing stage 0 from the store.
  ResponseEngine first(Policies(kLadder), Loopback(), EngineOptions{});
  const Decision stage0 = Feed(first, Det("10.0.0.1", kT0), kT0).created.at(0);
  ResponseEngine restarted(Policies(kLadder), Loopback(), EngineOptions{});
  restarted.Update(stage0);
  for (int i = 1; i <= 2; ++i) {
    EXPECT_TRUE(Feed(restarted, Det("10.0.0.1", kT0 + i * kMin), kT0 + i * kMin).created.empty());
  }
  auto out = Feed(restarted, Det("10.0.0.1", kT0 + 3 * kMin), kT0 + 3 * kMin);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 1);
  ASSERT_EQ(out.superseded.size(), 1U);
  EXPECT_EQ(out.superseded[0].id, stage0.id);

  // A decision of a policy that no longer exists is ignored.
  Decision orphan = stage0;
  orphan.policy_id = "gone";
  restarted.Update(orphan);
}

TEST(EngineTest, RejectedPendingDecisionStartsAgainAtZero) {
  ResponseEngine engine(Policies(R"YAML(id: gated
match: {level: high}
ladder:
  - action: block
    ttl: 1h
    approval: operator
  - action: block
    ttl: 1d
)YAML"),
                        Loopback(), EngineOptions{});
  auto out = Feed(engine, Det("10.0.0.1", kT0), kT0);
  ASSERT_EQ(out.created.size(), 1U);
  Decision pending = out.created[0];
  EXPECT_EQ(pending.state, DecisionState::kPending);
  EXPECT_EQ(pending.approval, "operator");
  EXPECT_EQ(pending.expires_ns, 0);  // its time runs from the approval
  EXPECT_EQ(pending.ttl_ns, 3600 * kSec);
  pending.state = DecisionState::kRejected;
  engine.Update(pending);
  out = Feed(engine, Det("10.0.0.1", kT0 + kMin), kT0 + kMin);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 0);
  EXPECT_EQ(out.created[0].state, DecisionState::kPending);
}

TEST(EngineTest, PendingStageStandsAndCountsTowardTheNext) {
  ResponseEngine engine(Policies(R"YAML(id: gated
match: {level: high}
ladder:
  - action: rate_limit
    rate: 10/min
    ttl: 30m
  - action: block
    ttl: 2h
    approval: operator
    approval_timeout: 10m
    on_timeout: reject
  - action: block
    ttl: 1d
    climb: {detections: 2}
)YAML"),
                        Loopback(), EngineOptions{});
  auto out = Feed(engine, Det("10.0.0.1", kT0), kT0);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].action, Action::kRateLimit);
  EXPECT_EQ(out.created[0].rate_per_minute, 10U);
  EXPECT_NE(out.created[0].reason.find("rate_limit 10/min for 30m"), std::string::npos)
      << out.created[0].reason;
  out = Feed(engine, Det("10.0.0.1", kT0 + kMin), kT0 + kMin);
  ASSERT_EQ(out.created.size(), 1U);
  const Decision& pending = out.created[0];
  EXPECT_EQ(pending.stage, 1);
  EXPECT_EQ(pending.state, DecisionState::kPending);
  EXPECT_EQ(pending.expires_ns, 0);
  EXPECT_EQ(pending.ttl_ns, 2 * 3600 * kSec);
  EXPECT_EQ(pending.approval, "operator");
  // While pending, the stage stands: detections count toward stage 2.
  EXPECT_TRUE(Feed(engine, Det("10.0.0.1", kT0 + 2 * kMin), kT0 + 2 * kMin).created.empty());
  out = Feed(engine, Det("10.0.0.1", kT0 + 3 * kMin), kT0 + 3 * kMin);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 2);
  EXPECT_EQ(out.created[0].state, DecisionState::kActive);
  ASSERT_EQ(out.superseded.size(), 1U);
  EXPECT_EQ(out.superseded[0].state, DecisionState::kSuperseded);
}

TEST(EngineTest, ClimbNeedsTheIncidentRisk) {
  ResponseEngine engine(Policies(R"YAML(id: risky
match: {level: high}
ladder:
  - action: block
    ttl: 1h
  - action: block
    ttl: 1d
    climb: {detections: 1, risk: 50}
)YAML"),
                        Loopback(), EngineOptions{});
  ASSERT_EQ(Feed(engine, Det("10.0.0.1", kT0), kT0, 20).created.size(), 1U);
  EXPECT_TRUE(Feed(engine, Det("10.0.0.1", kT0 + kMin), kT0 + kMin, 49.9).created.empty());
  auto out = Feed(engine, Det("10.0.0.1", kT0 + 2 * kMin), kT0 + 2 * kMin, 50);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].stage, 1);
}

TEST(EngineTest, AllowlistedTargetsAreCountedNeverDecided) {
  ResponseEngine engine(Policies(std::string(kLadder) + R"YAML(---
id: users
match: {level: high}
target: user
ladder:
  - action: notify
    connector: soc
)YAML"),
                        Loopback({"10.9.0.0/16", "user:ROOT"}), EngineOptions{});
  auto out = Feed(engine, Det("127.0.0.1", kT0), kT0);
  EXPECT_TRUE(out.created.empty());
  EXPECT_EQ(out.allowlisted, 2U);  // the address for "ssh", root for "users"
  out = Feed(engine, Det("10.9.3.4", kT0 + kMin), kT0 + kMin);
  EXPECT_TRUE(out.created.empty());
  EXPECT_EQ(out.allowlisted, 2U);
  Detection bob = Det("10.0.0.1", kT0 + 2 * kMin);
  bob.entities[1].value = "bob";
  out = Feed(engine, bob, kT0 + 2 * kMin);
  EXPECT_EQ(out.allowlisted, 0U);
  ASSERT_EQ(out.created.size(), 2U);
  EXPECT_EQ(out.created[0].policy_id, "ssh");
  EXPECT_EQ(out.created[1].policy_id, "users");
  EXPECT_EQ(out.created[1].scope, Scope::kUser);
  EXPECT_EQ(out.created[1].value, "bob");
  EXPECT_EQ(out.created[1].action, Action::kNotify);
  EXPECT_EQ(out.created[1].expires_ns, 0);
  EXPECT_EQ(out.created[1].connector, "soc");
}

TEST(EngineTest, NoTargetEntityOrNoMatchNoDecision) {
  ResponseEngine engine(Policies(R"YAML(id: keys
match: {level: high}
target: api_key
ladder:
  - action: block
    ttl: 1h
)YAML"),
                        Loopback(), EngineOptions{});
  EXPECT_TRUE(Feed(engine, Det("10.0.0.1", kT0), kT0).created.empty());
  Detection low = Det("10.0.0.1", kT0);
  low.level = Severity::kLow;
  low.entities.push_back(Entity{"api_key", "hmac:k1"});
  EXPECT_TRUE(Feed(engine, low, kT0).created.empty());
  Detection with_key = Det("10.0.0.1", kT0);
  with_key.entities.push_back(Entity{"api_key", "hmac:k1"});
  auto out = Feed(engine, with_key, kT0);
  ASSERT_EQ(out.created.size(), 1U);
  EXPECT_EQ(out.created[0].scope, Scope::kApiKey);
  EXPECT_EQ(out.created[0].value, "hmac:k1");
}

TEST(EngineTest, ShadowPerPolicyAndGlobal) {
  const std::string yaml = R"YAML(id: quiet
match: {level: high}
shadow: true
ladder:
  - action: block
    ttl: 1h
---
id: loud
match: {level: high}
target: user
ladder:
  - action: block
    ttl: 1h
)YAML";
  ResponseEngine engine(Policies(yaml), Loopback(), EngineOptions{});
  auto out = Feed(engine, Det("10.0.0.1", kT0), kT0);
  ASSERT_EQ(out.created.size(), 2U);
  EXPECT_TRUE(out.created[0].shadow);
  EXPECT_EQ(out.created[0].state, DecisionState::kActive);
  EXPECT_FALSE(out.created[0].Enforced(kT0));
  EXPECT_FALSE(out.created[1].shadow);
  EXPECT_TRUE(out.created[1].Enforced(kT0));

  ResponseEngine global(Policies(yaml), Loopback(), EngineOptions{.shadow = true});
  out = Feed(global, Det("10.0.0.1", kT0), kT0);
  ASSERT_EQ(out.created.size(), 2U);
  EXPECT_TRUE(out.created[0].shadow);
  EXPECT_TRUE(out.created[1].shadow);
  EXPECT_FALSE(out.created[1].Enforced(kT0));
}

TEST(EngineTest, Deterministic) {
  const std::string yaml = std::string(kLadder) + R"YAML(---
id: users
match: {level: high}
target: user
ladder:
  - action: notify
    connector: soc
  - action: lock
    connector: lock
    approval: operator
)YAML";
  std::vector<std::pair<Detection, int64_t>> input;
  for (int i = 0; i < 40; ++i) {
    const int64_t t = kT0 + i * 7 * kMin;
    input.emplace_back(Det("10.0.0." + std::to_string(i % 3), t), t + kSec);
  }
  auto run = [&] {
    ResponseEngine engine(Policies(yaml), Loopback(), EngineOptions{});
    std::string all;
    for (const auto& [d, now] : input) {
      auto out = Feed(engine, d, now);
      for (const Decision& s : out.superseded) {
        all += DecisionToJson(s) + "\n";
      }
      for (const Decision& c : out.created) {
        all += DecisionToJson(c) + "\n";
      }
    }
    return all;
  };
  const std::string first = run();
  EXPECT_EQ(first, run());
  EXPECT_GT(std::count(first.begin(), first.end(), '\n'), 10);
}

TEST(EngineTest, DecisionIdFromContent) {
  const std::string id = DecisionId("acme", "ssh", 0, Scope::kIp, "10.0.0.1", kT0);
  EXPECT_EQ(id, DecisionId("acme", "ssh", 0, Scope::kIp, "10.0.0.1", kT0));
  EXPECT_NE(id, DecisionId("globex", "ssh", 0, Scope::kIp, "10.0.0.1", kT0));
  EXPECT_NE(id, DecisionId("acme", "ssh", 1, Scope::kIp, "10.0.0.1", kT0));
  EXPECT_NE(id, DecisionId("acme", "ssh", 0, Scope::kUser, "10.0.0.1", kT0));
  EXPECT_NE(id, DecisionId("acme", "ssh", 0, Scope::kIp, "10.0.0.2", kT0));
  EXPECT_NE(id, DecisionId("acme", "ssh", 0, Scope::kIp, "10.0.0.1", kT0 + 1));
}

TEST(EngineTest, StandsAndIsLasting) {
  Decision d;
  d.action = Action::kBlock;
  d.state = DecisionState::kActive;
  d.expires_ns = kT0;
  EXPECT_TRUE(Stands(d, kT0 - 1));
  EXPECT_FALSE(Stands(d, kT0));
  d.state = DecisionState::kPending;
  EXPECT_TRUE(Stands(d, kT0 + kDay));
  d.state = DecisionState::kActive;
  d.action = Action::kNotify;
  d.expires_ns = 0;
  EXPECT_FALSE(Stands(d, kT0));  // one-shot
  for (DecisionState s : {DecisionState::kRejected, DecisionState::kExpired,
                          DecisionState::kRevoked, DecisionState::kSuperseded}) {
    d.state = s;
    d.action = Action::kBlock;
    EXPECT_FALSE(Stands(d, kT0)) << DecisionStateName(s);
  }
  EXPECT_TRUE(IsLasting(Action::kRateLimit));
  EXPECT_TRUE(IsLasting(Action::kIsolate));
  EXPECT_FALSE(IsLasting(Action::kRevoke));
  EXPECT_FALSE(IsLasting(Action::kLock));
}

}  // namespace
}  // namespace rampart::respond
