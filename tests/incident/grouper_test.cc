// Grouper: detections -> incidents by shared entity in event time; the risk score.

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/detection.h"
#include "incident/incident.h"

namespace rampart::incident {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kT0 = int64_t{1'767'225'600} * kSec;  // 2026-01-01T00:00:00Z

Detection Det(std::string rule,
              int64_t t,
              std::vector<Entity> entities,
              Severity level = Severity::kMedium) {
  Detection d;
  d.rule_id = std::move(rule);
  d.rule_title = "title of " + d.rule_id;
  d.level = level;
  d.event_time_ns = t;
  d.tenant = "acme";
  d.dataset = "auth";
  d.entities = std::move(entities);
  d.event.location = "tenants/acme/events-2026-01-01.db";
  d.event.rowid = t / kSec;
  return d;
}

Entity Ip(std::string v) {
  return Entity{"ip", std::move(v)};
}
Entity User(std::string v) {
  return Entity{"user", std::move(v)};
}

GroupingOptions SmallWindows() {
  GroupingOptions o;
  o.gap_ns = 10 * kMin;
  o.max_span_ns = 60 * kMin;
  return o;
}

std::vector<int64_t> TimelineTimes(const Incident& inc) {
  std::vector<int64_t> out;
  for (const Detection& d : inc.timeline) {
    out.push_back(d.event_time_ns);
  }
  return out;
}

TEST(GrouperTest, DetectionsSharingAnEntityJoinOneIncident) {
  Grouper g(SmallWindows());
  Grouper::Change a = g.Add(Det("r1", kT0, {Ip("10.0.0.1")}));
  ASSERT_NE(a.incident, nullptr);
  EXPECT_TRUE(a.created);
  const std::string id = a.incident->id;
  EXPECT_EQ(id.rfind("inc-", 0), 0U);
  EXPECT_EQ(id.size(), 4U + 16U);

  Grouper::Change b = g.Add(Det("r2", kT0 + kMin, {Ip("10.0.0.1"), User("bob")}));
  EXPECT_FALSE(b.created);
  EXPECT_EQ(b.incident->id, id);
  EXPECT_EQ(b.incident->detection_count, 2U);
  EXPECT_EQ(b.incident->entities, (std::vector<Entity>{Ip("10.0.0.1"), User("bob")}));

  // Reached through the entity the second detection added.
  Grouper::Change c = g.Add(Det("r3", kT0 + 2 * kMin, {User("bob")}));
  EXPECT_EQ(c.incident->id, id);
  EXPECT_EQ(c.incident->detection_count, 3U);
  EXPECT_EQ(c.incident->first_seen_ns, kT0);
  EXPECT_EQ(c.incident->last_seen_ns, kT0 + 2 * kMin);

  // Another address: another incident.
  Grouper::Change d = g.Add(Det("r1", kT0 + 3 * kMin, {Ip("10.0.0.2")}));
  EXPECT_TRUE(d.created);
  EXPECT_NE(d.incident->id, id);
  EXPECT_EQ(g.open_count(), 2U);
}

TEST(GrouperTest, TenantsNeverShareAnIncident) {
  Grouper g(SmallWindows());
  Detection a = Det("r1", kT0, {Ip("10.0.0.1")});
  Detection b = a;
  b.tenant = "globex";
  const std::string ida = g.Add(a).incident->id;
  Grouper::Change cb = g.Add(b);
  EXPECT_TRUE(cb.created);
  EXPECT_NE(cb.incident->id, ida);
  EXPECT_EQ(cb.incident->tenant, "globex");
}

TEST(GrouperTest, NewIncidentAfterTheGap) {
  Grouper g(SmallWindows());
  const std::string first = g.Add(Det("r1", kT0, {Ip("10.0.0.1")})).incident->id;
  // Exactly at the gap still joins.
  Grouper::Change at_gap = g.Add(Det("r1", kT0 + 10 * kMin, {Ip("10.0.0.1")}));
  EXPECT_FALSE(at_gap.created);
  EXPECT_EQ(at_gap.incident->id, first);
  // One nanosecond later than gap after the last detection: a new incident.
  Grouper::Change after = g.Add(Det("r1", kT0 + 20 * kMin + 1, {Ip("10.0.0.1")}));
  EXPECT_TRUE(after.created);
  EXPECT_NE(after.incident->id, first);
  EXPECT_EQ(after.incident->detection_count, 1U);
  EXPECT_EQ(after.incident->first_seen_ns, kT0 + 20 * kMin + 1);
}

TEST(GrouperTest, NewIncidentAfterTheMaxSpan) {
  Grouper g(SmallWindows());  // gap 10 min, span 60 min
  const std::string first = g.Add(Det("r1", kT0, {Ip("10.0.0.1")})).incident->id;
  // Every 5 minutes: never a gap, but the span ends at 60 minutes.
  for (int i = 1; i < 12; ++i) {
    Grouper::Change c = g.Add(Det("r1", kT0 + i * 5 * kMin, {Ip("10.0.0.1")}));
    EXPECT_FALSE(c.created) << i;
    EXPECT_EQ(c.incident->id, first) << i;
  }
  Grouper::Change next = g.Add(Det("r1", kT0 + 60 * kMin, {Ip("10.0.0.1")}));
  EXPECT_TRUE(next.created);
  EXPECT_NE(next.incident->id, first);
  const Incident* old = g.Find(first);
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->detection_count, 12U);
}

TEST(GrouperTest, OneDetectionWithTwoEntitiesMergesTheirIncidents) {
  Grouper g(SmallWindows());
  const std::string by_ip = g.Add(Det("r1", kT0, {Ip("10.0.0.1")})).incident->id;
  const std::string by_user = g.Add(Det("r2", kT0 + kMin, {User("bob")})).incident->id;
  ASSERT_NE(by_ip, by_user);
  (void)g.TakeChanged();

  Grouper::Change both =
      g.Add(Det("r3", kT0 + 2 * kMin, {User("bob"), Ip("10.0.0.1")}, Severity::kHigh));
  EXPECT_FALSE(both.created);
  // The oldest absorbs, whichever entity the detection names first.
  EXPECT_EQ(both.incident->id, by_ip);
  EXPECT_EQ(both.absorbed, std::vector<std::string>{by_user});
  EXPECT_EQ(both.incident->detection_count, 3U);
  EXPECT_EQ(both.incident->max_level, Severity::kHigh);
  EXPECT_EQ(both.incident->title, "title of r3");
  EXPECT_EQ(TimelineTimes(*both.incident), (std::vector<int64_t>{kT0, kT0 + kMin, kT0 + 2 * kMin}));
  ASSERT_EQ(both.incident->entities.size(), 2U);
  EXPECT_EQ(g.open_count(), 1U);
  EXPECT_EQ(g.Find(by_user), nullptr);

  std::vector<Incident> changed = g.TakeChanged();
  ASSERT_EQ(changed.size(), 2U);
  const Incident* absorbed = nullptr;
  const Incident* survivor = nullptr;
  for (const Incident& inc : changed) {
    (inc.id == by_user ? absorbed : survivor) = &inc;
  }
  ASSERT_NE(absorbed, nullptr);
  ASSERT_NE(survivor, nullptr);
  EXPECT_EQ(absorbed->merged_into, by_ip);
  EXPECT_TRUE(survivor->merged_into.empty());
  EXPECT_EQ(survivor->id, by_ip);

  // The absorbed incident's entity now leads to the survivor.
  Grouper::Change later = g.Add(Det("r2", kT0 + 3 * kMin, {User("bob")}));
  EXPECT_FALSE(later.created);
  EXPECT_EQ(later.incident->id, by_ip);
  EXPECT_EQ(later.incident->detection_count, 4U);
  ASSERT_EQ(later.incident->rules.size(), 3U);
  uint64_t r2 = 0;
  for (const Incident::RuleCount& r : later.incident->rules) {
    r2 += r.rule_id == "r2" ? r.count : 0;
  }
  EXPECT_EQ(r2, 2U);
}

TEST(GrouperTest, EntitylessDetectionsGroupPerRule) {
  Grouper g(SmallWindows());
  Grouper::Change a = g.Add(Det("rule-a", kT0, {}));
  EXPECT_TRUE(a.created);
  const std::string ida = a.incident->id;
  EXPECT_EQ(a.incident->entities, std::vector<Entity>{(Entity{"rule", "rule-a"})});
  Grouper::Change a2 = g.Add(Det("rule-a", kT0 + kMin, {}));
  EXPECT_FALSE(a2.created);
  EXPECT_EQ(a2.incident->id, ida);
  Grouper::Change b = g.Add(Det("rule-b", kT0 + kMin, {}));
  EXPECT_TRUE(b.created);
  EXPECT_NE(b.incident->id, ida);
  // A detection with an entity does not join the rule's incident.
  Grouper::Change c = g.Add(Det("rule-a", kT0 + 2 * kMin, {Ip("10.0.0.9")}));
  EXPECT_TRUE(c.created);
}

TEST(GrouperTest, TimelineIsInEventTimeWhenDetectionsArriveOutOfOrder) {
  Grouper g(SmallWindows());
  g.Add(Det("r1", kT0 + 3 * kMin, {Ip("10.0.0.1")}));
  g.Add(Det("r2", kT0 + kMin, {Ip("10.0.0.1")}));
  g.Add(Det("r3", kT0 + 5 * kMin, {Ip("10.0.0.1")}));
  Grouper::Change c = g.Add(Det("r4", kT0 + 2 * kMin, {Ip("10.0.0.1")}));
  EXPECT_EQ(TimelineTimes(*c.incident),
            (std::vector<int64_t>{kT0 + kMin, kT0 + 2 * kMin, kT0 + 3 * kMin, kT0 + 5 * kMin}));
  EXPECT_EQ(c.incident->timeline.front().rule_id, "r2");
  EXPECT_EQ(c.incident->first_seen_ns, kT0 + kMin);
  EXPECT_EQ(c.incident->last_seen_ns, kT0 + 5 * kMin);
}

TEST(GrouperTest, TacticsInKillChainOrder) {
  Grouper g(SmallWindows());
  Detection a = Det("r1", kT0, {Ip("10.0.0.1")});
  a.tactics = {"impact", "made-up-tactic"};
  a.techniques = {"T1486"};
  Detection b = Det("r2", kT0 + kMin, {Ip("10.0.0.1")});
  b.tactics = {"credential-access", "initial-access"};
  b.techniques = {"T1110.003", "T1486"};
  Detection c = Det("r3", kT0 + 2 * kMin, {Ip("10.0.0.1")});
  c.tactics = {"execution", "impact"};
  g.Add(a);
  g.Add(b);
  Grouper::Change ch = g.Add(c);
  EXPECT_EQ(ch.incident->tactics,
            (std::vector<std::string>{"initial-access", "execution", "credential-access", "impact",
                                      "made-up-tactic"}));
  EXPECT_EQ(ch.incident->techniques, (std::vector<std::string>{"T1486", "T1110.003"}));
  EXPECT_LT(TacticOrder("reconnaissance"), TacticOrder("impact"));
  EXPECT_EQ(TacticOrder("Lateral-Movement"), TacticOrder("lateral-movement"));
  EXPECT_EQ(TacticOrder("nope"), TacticOrder("also-nope"));
  EXPECT_GT(TacticOrder("nope"), TacticOrder("impact"));
}

TEST(GrouperTest, IncidentIdsAreDeterministic) {
  std::vector<Detection> input = {
      Det("r1", kT0, {Ip("10.0.0.1")}),
      Det("r2", kT0 + kMin, {User("bob")}),
      Det("r3", kT0 + 2 * kMin, {User("bob"), Ip("10.0.0.1")}),
      Det("r4", kT0 + 3 * kMin, {}),
      Det("r1", kT0 + 90 * kMin, {Ip("10.0.0.1")}),
  };
  auto run = [&] {
    Grouper g(SmallWindows());
    std::vector<std::string> ids;
    for (const Detection& d : input) {
      ids.push_back(g.Add(d).incident->id);
    }
    std::string json;
    for (const Incident& inc : g.TakeChanged()) {
      json += IncidentToJson(inc, kT0, SmallWindows().risk_half_life_ns);
      json += '\n';
    }
    return std::make_pair(ids, json);
  };
  const auto first = run();
  const auto second = run();
  EXPECT_EQ(first.first, second.first);
  EXPECT_EQ(first.second, second.second);
  EXPECT_EQ(first.first[2], first.first[0]);
  EXPECT_NE(first.first[4], first.first[0]);  // after the span: a new incident, a new id
  std::set<std::string> distinct(first.first.begin(), first.first.end());
  EXPECT_EQ(distinct.size(), 4U);
}

TEST(GrouperTest, ClosedIncidentTakesNoMoreDetections) {
  Grouper g(SmallWindows());
  const std::string id = g.Add(Det("r1", kT0, {Ip("10.0.0.1")})).incident->id;
  g.Close(id);
  Grouper::Change c = g.Add(Det("r1", kT0 + kMin, {Ip("10.0.0.1")}));
  EXPECT_TRUE(c.created);
  EXPECT_NE(c.incident->id, id);
}

TEST(GrouperTest, SeededIncidentsTakeDetections) {
  Grouper first(SmallWindows());
  first.Add(Det("r1", kT0, {Ip("10.0.0.1")}));
  std::vector<Incident> stored = first.TakeChanged();
  ASSERT_EQ(stored.size(), 1U);
  const std::string id = stored[0].id;

  Grouper second(SmallWindows());
  second.Seed(stored);
  Grouper::Change c = second.Add(Det("r1", kT0 + kMin, {Ip("10.0.0.1")}));
  EXPECT_FALSE(c.created);
  EXPECT_EQ(c.incident->id, id);
  EXPECT_EQ(c.incident->detection_count, 2U);

  // Forget drops incidents whose window has passed the watermark.
  second.Forget("acme", kT0 + kMin + 11 * kMin);
  EXPECT_EQ(second.open_count(), 0U);
  EXPECT_TRUE(second.Add(Det("r1", kT0 + 12 * kMin, {Ip("10.0.0.1")})).created);
}

Incident WithRule(DetectionKind kind, Severity level, uint64_t count) {
  Incident inc;
  inc.rules.push_back(Incident::RuleCount{"r", kind, level, count});
  return inc;
}

TEST(RiskScoreTest, MonotoneInCountWithDiminishingReturns) {
  double previous = 0;
  double previous_step = 1e9;
  for (uint64_t n = 1; n <= 10; ++n) {
    const double score = RiskScore(WithRule(DetectionKind::kSigma, Severity::kHigh, n));
    EXPECT_GT(score, previous) << n;
    const double step = score - previous;
    if (n >= 3) {  // from the first repeat on, each one adds less than the one before
      EXPECT_LT(step, previous_step) << n;
    }
    previous_step = step;
    previous = score;
  }
  // One high Sigma detection: weight 10 x confidence 0.8.
  EXPECT_DOUBLE_EQ(RiskScore(WithRule(DetectionKind::kSigma, Severity::kHigh, 1)), 8.0);
  EXPECT_DOUBLE_EQ(RiskScore(WithRule(DetectionKind::kSigma, Severity::kHigh, 2)), 16.0);
  // Higher levels and surer kinds weigh more.
  EXPECT_GT(RiskScore(WithRule(DetectionKind::kSigma, Severity::kCritical, 1)),
            RiskScore(WithRule(DetectionKind::kSigma, Severity::kHigh, 1)));
  EXPECT_GT(RiskScore(WithRule(DetectionKind::kCorrelation, Severity::kHigh, 1)),
            RiskScore(WithRule(DetectionKind::kIoc, Severity::kHigh, 1)));
  EXPECT_GT(RiskScore(WithRule(DetectionKind::kIoc, Severity::kHigh, 1)),
            RiskScore(WithRule(DetectionKind::kSigma, Severity::kHigh, 1)));
  EXPECT_DOUBLE_EQ(RiskScore(Incident{}), 0.0);
}

TEST(RiskScoreTest, CappedAt100) {
  EXPECT_DOUBLE_EQ(RiskScore(WithRule(DetectionKind::kCorrelation, Severity::kCritical, 1'000'000)),
                   100.0);
  Incident many;
  for (int i = 0; i < 20; ++i) {
    many.rules.push_back(
        Incident::RuleCount{"r" + std::to_string(i), DetectionKind::kSigma, Severity::kHigh, 1});
  }
  EXPECT_DOUBLE_EQ(RiskScore(many), 100.0);
  Incident critical_asset = WithRule(DetectionKind::kSigma, Severity::kHigh, 1);
  critical_asset.criticality = 50;
  EXPECT_DOUBLE_EQ(RiskScore(critical_asset), 100.0);
}

TEST(RiskScoreTest, CriticalityFromAssets) {
  const std::vector<AssetCriticality> assets = {
      {"ip:10.0.0.0/8", 3.0}, {"ip:192.0.2.7", 1.5}, {"ip:2001:db8::/32", 2.5},
      {"host:web-01", 2.0},   {"user:admin", 4.0},   {"malformed", 9.0},
  };
  EXPECT_DOUBLE_EQ(Criticality(assets, {Ip("10.20.30.40")}), 3.0);
  EXPECT_DOUBLE_EQ(Criticality(assets, {Ip("11.0.0.1")}), 1.0);
  EXPECT_DOUBLE_EQ(Criticality(assets, {Ip("192.0.2.7")}), 1.5);
  EXPECT_DOUBLE_EQ(Criticality(assets, {Ip("192.0.2.8")}), 1.0);
  EXPECT_DOUBLE_EQ(Criticality(assets, {Ip("2001:0db8:0:0::1")}), 2.5);
  EXPECT_DOUBLE_EQ(Criticality(assets, {Ip("not an address")}), 1.0);
  EXPECT_DOUBLE_EQ(Criticality(assets, {Entity{"host", "web-01"}}), 2.0);
  EXPECT_DOUBLE_EQ(Criticality(assets, {Entity{"host", "web-011"}}), 1.0);
  EXPECT_DOUBLE_EQ(Criticality(assets, {Entity{"host", "web-0"}}), 1.0);
  // A host named like an address range is not an ip.
  EXPECT_DOUBLE_EQ(Criticality(assets, {Entity{"host", "10.0.0.1"}}), 1.0);
  // The highest among the entities.
  EXPECT_DOUBLE_EQ(Criticality(assets, {Entity{"host", "web-01"}, Ip("10.0.0.1"), User("admin")}),
                   4.0);
  EXPECT_DOUBLE_EQ(Criticality({}, {Ip("10.0.0.1")}), 1.0);
  // A matching asset below 1 lowers it.
  EXPECT_DOUBLE_EQ(Criticality({{"host:lab", 0.5}}, {Entity{"host", "lab"}}), 0.5);
}

TEST(RiskScoreTest, AssetCriticalityMultipliesTheIncidentRisk) {
  GroupingOptions plain = SmallWindows();
  GroupingOptions critical = SmallWindows();
  critical.assets = {{"ip:10.0.0.0/8", 3.0}};
  Grouper a(plain);
  Grouper b(critical);
  Detection d = Det("r1", kT0, {Ip("10.1.1.1")}, Severity::kMedium);
  const double base = a.Add(d).incident->risk;
  const Incident* inc = b.Add(d).incident;
  EXPECT_DOUBLE_EQ(inc->criticality, 3.0);
  EXPECT_GT(base, 0);
  EXPECT_NEAR(inc->risk, base * 3.0, 0.05);
  // An entity joining later raises the criticality.
  GroupingOptions hosts = SmallWindows();
  hosts.assets = {{"host:db-01", 2.0}};
  Grouper h(hosts);
  EXPECT_DOUBLE_EQ(h.Add(Det("r1", kT0, {Ip("10.1.1.1")})).incident->criticality, 1.0);
  const Incident* joined =
      h.Add(Det("r2", kT0 + kMin, {Ip("10.1.1.1"), Entity{"host", "db-01"}})).incident;
  EXPECT_DOUBLE_EQ(joined->criticality, 2.0);
  EXPECT_DOUBLE_EQ(joined->risk, RiskScore(*joined));
}

TEST(RiskScoreTest, RiskAtHalvesAfterOneHalfLife) {
  const int64_t half_life = 3600 * kSec;
  Incident inc;
  inc.risk = 40;
  inc.last_seen_ns = kT0;
  EXPECT_DOUBLE_EQ(RiskAt(inc, kT0, half_life), 40.0);
  EXPECT_DOUBLE_EQ(RiskAt(inc, kT0 - half_life, half_life), 40.0);  // before: no decay
  EXPECT_DOUBLE_EQ(RiskAt(inc, kT0 + half_life, half_life), 20.0);
  EXPECT_DOUBLE_EQ(RiskAt(inc, kT0 + 2 * half_life, half_life), 10.0);
  EXPECT_NEAR(RiskAt(inc, kT0 + half_life / 2, half_life), 28.3, 0.05);
  EXPECT_DOUBLE_EQ(RiskAt(inc, kT0 + half_life, 0), 40.0);  // no half life: no decay
}

}  // namespace
}  // namespace rampart::incident
