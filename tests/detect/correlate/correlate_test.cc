// Correlation engine tests: rules come from Sigma YAML (sigma::LoadRulesFromText), hits are
// fed by hand. The cases pin the semantics of docs/correlation.md, most of them taken from
// the executable tests of pySigma-backend-sqlite (tests/test_correlations.py): the window
// boundary, ordering and ties, null and case-insensitive groups, one physical event
// counting once, aliases, chains, ranges, numeric metrics, bounded state and the errors of
// Create.

#include "detect/correlate/correlate.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

namespace rampart::correlate {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kBase = 1'700'000'000 * kSec;  // 2023-11-14, any positive time will do

int64_t At(double seconds) {
  return kBase + static_cast<int64_t>(std::llround(seconds * 1e9));
}

// A detection rule named `name` (also its title) matching EventID `event_id`.
std::string Det(std::string_view name, int event_id = 1) {
  return "title: " + std::string(name) + "\nname: " + std::string(name) +
         "\nlogsource:\n    category: test\ndetection:\n    s:\n        EventID: " +
         std::to_string(event_id) + "\n    condition: s\n---\n";
}

// A correlation rule named `name`; `body` is the content of `correlation:` (4-space indent).
std::string Corr(std::string_view name, std::string_view body, std::string_view top = "") {
  return "title: " + std::string(name) + "\nname: " + std::string(name) + "\n" + std::string(top) +
         "correlation:\n" + std::string(body) + "---\n";
}

using Fields = std::map<std::string, std::string>;

class CorrelateTest : public ::testing::Test {
 protected:
  // Loads `yaml` (no refusal allowed) and creates the engine.
  ::testing::AssertionResult Build(const std::string& yaml, const Options& options = {}) {
    sigma::LoadResult r = sigma::LoadRulesFromText("t.yml", yaml);
    if (!r.refusals.empty()) {
      return ::testing::AssertionFailure() << "refused: " << r.refusals[0].message;
    }
    rules_ = r.rules;
    auto engine = Engine::Create(rules_, options);
    if (!engine.ok()) {
      return ::testing::AssertionFailure() << engine.status().ToString();
    }
    engine_ = std::move(engine).value();
    sequence_ = 0;
    all_.clear();
    return ::testing::AssertionSuccess();
  }

  // The error message of Create for `yaml`, or "ok".
  std::string CreateError(const std::string& yaml) {
    sigma::LoadResult r = sigma::LoadRulesFromText("t.yml", yaml);
    if (!r.refusals.empty()) {
      return "refused by the loader: " + r.refusals[0].message;
    }
    auto engine = Engine::Create(r.rules);
    return engine.ok() ? "ok" : std::string(engine.status().message());
  }

  uint32_t RuleIndex(std::string_view name) const {
    for (size_t i = 0; i < rules_->rules.size(); ++i) {
      if (rules_->rules[i].meta.name == name) {
        return static_cast<uint32_t>(i);
      }
    }
    ADD_FAILURE() << "no rule " << name;
    return 0;
  }

  uint32_t CorrIndex(std::string_view name) const {
    for (size_t i = 0; i < rules_->correlations.size(); ++i) {
      if (rules_->correlations[i].meta.name == name) {
        return static_cast<uint32_t>(i);
      }
    }
    ADD_FAILURE() << "no correlation " << name;
    return 0;
  }

  RuleHit MakeHit(std::string_view rule,
                  int64_t time_ns,
                  const Fields& fields,
                  std::string_view tenant,
                  std::optional<uint64_t> sequence,
                  std::string_view dataset) {
    RuleHit hit;
    hit.rule_index = RuleIndex(rule);
    hit.time_ns = time_ns;
    hit.sequence = sequence ? *sequence : ++sequence_;
    hit.tenant = std::string(tenant);
    hit.dataset = std::string(dataset);
    for (const std::string& f : engine_->FieldsFor(hit.rule_index)) {
      auto it = fields.find(f);
      hit.values.push_back(it == fields.end() ? std::nullopt
                                              : std::optional<std::string>(it->second));
    }
    hit.event.location = "input.json";
    hit.event.rowid = static_cast<int64_t>(hit.sequence);
    return hit;
  }

  // Feeds one hit of `rule` at `seconds` (after kBase) and returns what fired.
  std::vector<CorrelationHit> Add(std::string_view rule,
                                  double seconds,
                                  const Fields& fields = {{"Host", "h"}},
                                  std::string_view tenant = "default",
                                  std::optional<uint64_t> sequence = std::nullopt,
                                  std::string_view dataset = "ds") {
    return AddAt(rule, At(seconds), fields, tenant, sequence, dataset);
  }

  std::vector<CorrelationHit> AddAt(std::string_view rule,
                                    int64_t time_ns,
                                    const Fields& fields = {{"Host", "h"}},
                                    std::string_view tenant = "default",
                                    std::optional<uint64_t> sequence = std::nullopt,
                                    std::string_view dataset = "ds") {
    std::vector<CorrelationHit> out;
    engine_->Add(MakeHit(rule, time_ns, fields, tenant, sequence, dataset), &out);
    all_.insert(all_.end(), out.begin(), out.end());
    return out;
  }

  static std::vector<int64_t> Rows(const CorrelationHit& hit) {
    std::vector<int64_t> rows;
    for (const EventRef& e : hit.events) {
      rows.push_back(e.rowid);
    }
    return rows;
  }

  std::shared_ptr<const sigma::RuleSet> rules_;
  std::unique_ptr<Engine> engine_;
  std::vector<CorrelationHit> all_;
  uint64_t sequence_ = 0;
};

// event_count of rule a, grouped by Host, 5s window (the sqlite tests' default).
const std::string kCount = Det("a") + Corr("corr",
                                           "    type: event_count\n"
                                           "    rules: [a]\n"
                                           "    group-by: [Host]\n"
                                           "    timespan: 5s\n"
                                           "    condition:\n"
                                           "        gte: 2\n");

// ---------------------------------------------------------------------------------------
// Window

TEST_F(CorrelateTest, WindowIsInclusiveAndSliding) {
  ASSERT_TRUE(Build(kCount));
  EXPECT_TRUE(Add("a", 0.1).empty());
  EXPECT_TRUE(Add("a", 5.9).empty());  // 5.8 s apart: outside 5s

  ASSERT_TRUE(Build(kCount));
  EXPECT_TRUE(Add("a", 0.1).empty());
  std::vector<CorrelationHit> hits = Add("a", 5.1);  // exactly 5.0 s apart: inclusive
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].time_ns, At(5.1));
  EXPECT_EQ(hits[0].metric, 2);
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{1, 2}));

  ASSERT_TRUE(Build(kCount));
  EXPECT_TRUE(AddAt("a", At(0.1)).empty());
  EXPECT_TRUE(AddAt("a", At(5.1) + 1).empty());  // one nanosecond too late
  // The window slides: the hit at 0.1 s is gone, the one at 5.1 s + 1 ns counts.
  EXPECT_EQ(AddAt("a", At(9)).size(), 1u);
}

TEST_F(CorrelateTest, RepeatedMessagesCountTheirOccurrences) {
  // A "message repeated N times" event counts N for event_count, and takes N away when it
  // leaves the window.
  const std::string five = Det("a") + Corr("five",
                                           "    type: event_count\n"
                                           "    rules: [a]\n"
                                           "    group-by: [Host]\n"
                                           "    timespan: 5s\n"
                                           "    condition:\n"
                                           "        gte: 5\n");
  auto repeated = [&](double seconds, uint32_t n) {
    RuleHit hit = MakeHit("a", At(seconds), {{"Host", "h"}}, "default", std::nullopt, "ds");
    hit.repeat = n;
    std::vector<CorrelationHit> out;
    engine_->Add(hit, &out);
    return out;
  };
  ASSERT_TRUE(Build(five));
  EXPECT_TRUE(repeated(0.1, 3).empty());  // 3 < 5
  std::vector<CorrelationHit> fired = repeated(1.0, 2);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].metric, 5);

  ASSERT_TRUE(Build(five));
  EXPECT_TRUE(repeated(0.1, 4).empty());
  EXPECT_TRUE(Add("a", 6.0).empty());      // the 4 left the window: 1 < 5
  EXPECT_EQ(repeated(6.5, 4).size(), 1u);  // 1 + 4
}

TEST_F(CorrelateTest, FiringClearsTheWindow) {
  ASSERT_TRUE(Build(kCount));
  // Bursts at 0-1 s and 20-21 s: one firing each, with their own events.
  Add("a", 0);
  Add("a", 1);
  Add("a", 20);
  Add("a", 21);
  ASSERT_EQ(all_.size(), 2u);
  EXPECT_EQ(Rows(all_[0]), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(Rows(all_[1]), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(all_[0].group, (std::vector<std::pair<std::string, std::string>>{{"Host", "h"}}));
  EXPECT_EQ(all_[0].tenant, "default");
  EXPECT_EQ(all_[0].correlation_index, 0u);
  EXPECT_EQ(all_[0].datasets, (std::vector<std::string>{"ds"}));

  // A continuing attack fires again only when the threshold is met anew.
  all_.clear();
  EXPECT_TRUE(Add("a", 30).empty());
  EXPECT_EQ(Add("a", 30.5).size(), 1u);
  EXPECT_TRUE(Add("a", 31).empty());  // the two before were reported and cleared
  EXPECT_EQ(Add("a", 31.5).size(), 1u);
  EXPECT_EQ(engine_->stats().fired, 4u);
}

TEST_F(CorrelateTest, FewerThanConditionsFireOnEachHit) {
  // Documented limitation: "lt" is evaluated when a hit arrives, including it, never when
  // a window closes, so every hit fires (and clears) on its own.
  ASSERT_TRUE(Build(Det("a") + Corr("few",
                                    "    type: event_count\n    rules: [a]\n"
                                    "    timespan: 1m\n    condition:\n        lt: 3\n")));
  EXPECT_EQ(Add("a", 0).size(), 1u);
  EXPECT_EQ(Add("a", 1).size(), 1u);
  EXPECT_EQ(all_[1].metric, 1);
}

TEST_F(CorrelateTest, InvalidTimeNeverCorrelates) {
  ASSERT_TRUE(Build(kCount));
  EXPECT_TRUE(AddAt("a", 0).empty());
  EXPECT_TRUE(AddAt("a", -5).empty());
  EXPECT_TRUE(AddAt("a", 0).empty());
  EXPECT_EQ(engine_->stats().invalid_time, 3u);
  EXPECT_EQ(engine_->stats().groups, 0u);
}

TEST_F(CorrelateTest, OutOfOrderHitsWithinTheWindow) {
  ASSERT_TRUE(Build(Det("a") + Corr("three",
                                    "    type: event_count\n    rules: [a]\n"
                                    "    group-by: [Host]\n    timespan: 5s\n"
                                    "    condition:\n        gte: 3\n")));
  EXPECT_TRUE(Add("a", 2).empty());
  EXPECT_TRUE(Add("a", 0).empty());  // late, inserted before the hit at 2 s
  // Late again: completes the window that ends at the hit at 2 s.
  std::vector<CorrelationHit> hits = Add("a", 1);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].time_ns, At(2));
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{2, 3, 1}));  // oldest first
  EXPECT_EQ(engine_->stats().late_hits, 0u);

  // Late hits at or before the last firing belong to a reported window: ignored.
  EXPECT_TRUE(Add("a", 1.5).empty());
  EXPECT_EQ(engine_->stats().late_hits, 1u);
  // A hit older than the newest of its group by more than the timespan is dropped.
  Add("a", 20);
  Add("a", 21);
  EXPECT_TRUE(Add("a", 14).empty());
  EXPECT_EQ(engine_->stats().late_hits, 2u);
  // Within the timespan it still counts.
  EXPECT_EQ(Add("a", 16).size(), 1u);
}

TEST_F(CorrelateTest, LateHitSeesAFullWindow) {
  // The window of a late hit reaches back one timespan before it, further than the window
  // of the newest hit.
  ASSERT_TRUE(Build(Det("a") + Corr("three",
                                    "    type: event_count\n    rules: [a]\n"
                                    "    timespan: 5s\n    condition:\n        gte: 3\n")));
  EXPECT_TRUE(Add("a", 0, {}).empty());
  EXPECT_TRUE(Add("a", 1, {}).empty());
  EXPECT_TRUE(Add("a", 9, {}).empty());
  std::vector<CorrelationHit> hits = Add("a", 4.5, {});  // window [-0.5, 4.5]: 0, 1, 4.5
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].time_ns, At(4.5));
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{1, 2, 4}));
}

// ---------------------------------------------------------------------------------------
// Groups

TEST_F(CorrelateTest, NullGroupByNeverCorrelates) {
  ASSERT_TRUE(Build(kCount));
  EXPECT_TRUE(Add("a", 0, {}).empty());
  EXPECT_TRUE(Add("a", 1, {}).empty());
  EXPECT_TRUE(Add("a", 2, {{"Host", ""}}).empty());  // empty is absent
  EXPECT_TRUE(Add("a", 3, {{"Other", "x"}}).empty());
  EXPECT_EQ(engine_->stats().null_group, 4u);
  EXPECT_EQ(engine_->stats().groups, 0u);
  // Missing trailing values are absent too.
  RuleHit hit = MakeHit("a", At(4), {}, "default", std::nullopt, "ds");
  hit.values.clear();
  std::vector<CorrelationHit> out;
  engine_->Add(hit, &out);
  engine_->Add(hit, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(engine_->stats().null_group, 6u);
}

TEST_F(CorrelateTest, EmptyGroupByIsOneGroupPerTenant) {
  ASSERT_TRUE(Build(Det("a") + Corr("all",
                                    "    type: event_count\n    rules: [a]\n"
                                    "    timespan: 5s\n    condition:\n        gte: 2\n")));
  EXPECT_TRUE(engine_->FieldsFor(RuleIndex("a")).empty());
  EXPECT_TRUE(engine_->IsReferenced(RuleIndex("a")));
  EXPECT_TRUE(Add("a", 0, {}, "t1").empty());
  EXPECT_TRUE(Add("a", 1, {{"Host", "x"}}, "t2").empty());  // other tenant: no mixing
  std::vector<CorrelationHit> hits = Add("a", 2, {{"Host", "y"}}, "t1");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_TRUE(hits[0].group.empty());
  EXPECT_EQ(hits[0].tenant, "t1");
  EXPECT_EQ(hits[0].metric, 2);
  EXPECT_EQ(engine_->stats().groups, 2u);
}

TEST_F(CorrelateTest, GroupingIsCaseInsensitiveAndReportsFirstSpelling) {
  ASSERT_TRUE(Build(Det("a") + Corr("users",
                                    "    type: value_count\n    rules: [a]\n"
                                    "    group-by: [Host]\n    timespan: 5s\n"
                                    "    condition:\n        field: User\n        gte: 2\n")));
  EXPECT_EQ(engine_->FieldsFor(RuleIndex("a")), (std::vector<std::string>{"Host", "User"}));
  EXPECT_TRUE(Add("a", 0, {{"Host", "HOST"}, {"User", "Alice"}}).empty());
  EXPECT_TRUE(Add("a", 0, {{"Host", "host"}, {"User", "ALICE"}}).empty());  // same value
  EXPECT_TRUE(Add("a", 1, {{"Host", "Host"}}).empty());  // no User: counts no value
  std::vector<CorrelationHit> hits = Add("a", 2, {{"Host", "hOsT"}, {"User", "bob"}});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].metric, 2);
  EXPECT_EQ(hits[0].group, (std::vector<std::pair<std::string, std::string>>{{"Host", "HOST"}}));
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(engine_->stats().groups, 1u);
}

TEST_F(CorrelateTest, ValueCountZeroWithAbsentValues) {
  ASSERT_TRUE(Build(Det("a") + Corr("none",
                                    "    type: value_count\n    rules: [a]\n"
                                    "    timespan: 5s\n"
                                    "    condition:\n        field: User\n        eq: 0\n")));
  std::vector<CorrelationHit> hits = Add("a", 0, {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].metric, 0);
}

TEST_F(CorrelateTest, OnePhysicalEventCountsOnce) {
  ASSERT_TRUE(Build(Det("a") + Det("b", 2) +
                    Corr("corr",
                         "    type: event_count\n    rules: [a, b]\n"
                         "    group-by: [Host]\n    timespan: 5s\n"
                         "    condition:\n        gte: 2\n")));
  EXPECT_TRUE(Add("a", 0, {{"Host", "h"}}, "default", 7).empty());
  EXPECT_TRUE(Add("b", 0, {{"Host", "h"}}, "default", 7).empty());  // same event
  std::vector<CorrelationHit> hits = Add("b", 1, {{"Host", "h"}}, "default", 8);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].metric, 2);
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{7, 8}));  // evidence without repeats
}

TEST_F(CorrelateTest, SameEventSecondRuleDoesNotFireAgain) {
  ASSERT_TRUE(Build(Det("a") + Det("b", 2) +
                    Corr("corr",
                         "    type: event_count\n    rules: [a, b]\n"
                         "    timespan: 5s\n    condition:\n        gte: 1\n")));
  EXPECT_EQ(Add("a", 0, {}, "default", 1).size(), 1u);
  EXPECT_TRUE(Add("b", 0, {}, "default", 1).empty());  // already reported with that event
  EXPECT_EQ(Add("b", 0, {}, "default", 2).size(), 1u);
}

TEST_F(CorrelateTest, RepeatedHitIsIgnored) {
  ASSERT_TRUE(Build(kCount));
  EXPECT_TRUE(Add("a", 0, {{"Host", "h"}}, "default", 1).empty());
  EXPECT_TRUE(Add("a", 0, {{"Host", "h"}}, "default", 1).empty());  // the same hit again
  EXPECT_EQ(Add("a", 1, {{"Host", "h"}}, "default", 2).size(), 1u);
  EXPECT_EQ(Rows(all_[0]), (std::vector<int64_t>{1, 2}));
  // A null output vector is allowed: the state still advances.
  engine_->Add(MakeHit("a", At(10), {{"Host", "h"}}, "default", 3, "ds"), nullptr);
  EXPECT_EQ(Add("a", 11, {{"Host", "h"}}, "default", 4).size(), 1u);
}

TEST_F(CorrelateTest, AliasesMapDifferentFieldsToOneGroup) {
  ASSERT_TRUE(Build(Det("a") + Det("b", 2) +
                    Corr("login_then_change",
                         "    type: temporal\n    rules: [a, b]\n"
                         "    group-by: [identity]\n    timespan: 5s\n"
                         "    aliases:\n        identity:\n"
                         "            a: User\n            b: OtherUser\n")));
  EXPECT_EQ(engine_->FieldsFor(RuleIndex("a")), (std::vector<std::string>{"User"}));
  EXPECT_EQ(engine_->FieldsFor(RuleIndex("b")), (std::vector<std::string>{"OtherUser"}));
  EXPECT_TRUE(Add("a", 0, {{"User", "Alice"}, {"OtherUser", "bob"}}).empty());
  EXPECT_TRUE(Add("b", 1, {{"User", "alice"}, {"OtherUser", "bob"}}).empty());  // bob
  std::vector<CorrelationHit> hits = Add("b", 2, {{"User", "x"}, {"OtherUser", "ALICE"}});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].group,
            (std::vector<std::pair<std::string, std::string>>{{"identity", "Alice"}}));
  EXPECT_EQ(hits[0].metric, 2);
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{1, 3}));
}

TEST_F(CorrelateTest, ConditionFieldCanBeAnAlias) {
  ASSERT_TRUE(Build(Det("a") + Det("b", 2) +
                    Corr("accounts",
                         "    type: value_count\n    rules: [a, b]\n"
                         "    group-by: [Host]\n    timespan: 5s\n"
                         "    aliases:\n        account:\n"
                         "            a: User\n            b: TargetUserName\n"
                         "    condition:\n        field: account\n        gte: 2\n")));
  EXPECT_EQ(engine_->FieldsFor(RuleIndex("a")), (std::vector<std::string>{"Host", "User"}));
  EXPECT_EQ(engine_->FieldsFor(RuleIndex("b")),
            (std::vector<std::string>{"Host", "TargetUserName"}));
  EXPECT_TRUE(Add("a", 0, {{"Host", "h"}, {"User", "root"}}).empty());
  EXPECT_TRUE(Add("b", 1, {{"Host", "h"}, {"TargetUserName", "ROOT"}}).empty());
  std::vector<CorrelationHit> hits = Add("b", 2, {{"Host", "h"}, {"TargetUserName", "admin"}});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].metric, 2);
}

// ---------------------------------------------------------------------------------------
// Temporal types

const std::string kOrdered = Det("a") + Det("b", 2) +
                             Corr("seq",
                                  "    type: temporal_ordered\n    rules: [a, b]\n"
                                  "    group-by: [Host]\n    timespan: 5s\n");

TEST_F(CorrelateTest, TemporalOrderedTiesDoNotOrder) {
  ASSERT_TRUE(Build(kOrdered));
  EXPECT_TRUE(Add("a", 0).empty());
  EXPECT_TRUE(Add("b", 0).empty());
  // The same event matching both rules is no sequence either (10 s: a new window).
  EXPECT_TRUE(Add("a", 10, {{"Host", "h"}}, "default", 100).empty());
  EXPECT_TRUE(Add("b", 10, {{"Host", "h"}}, "default", 100).empty());
  // Strictly later is a sequence, ties or not around it.
  std::vector<CorrelationHit> hits = Add("b", 10.5, {{"Host", "h"}}, "default", 101);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{100, 101}));
}

TEST_F(CorrelateTest, TemporalOrderedReversedIsNoSequence) {
  ASSERT_TRUE(Build(kOrdered));
  EXPECT_TRUE(Add("b", 0).empty());
  EXPECT_TRUE(Add("a", 1).empty());
  std::vector<CorrelationHit> hits = Add("b", 1.001);  // now a (1 s) then b
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].metric, 2);
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{2, 3}));  // the ordered run only
}

TEST_F(CorrelateTest, TemporalOrderedWithRepeatedStageAndAliases) {
  // pySigma-backend-sqlite test_aliases_and_order_with_repeated_stage.
  ASSERT_TRUE(Build(Det("a") + Det("b", 2) + Det("c", 3) +
                    Corr("abc",
                         "    type: temporal_ordered\n    rules: [a, b, c]\n"
                         "    group-by: [identity]\n    timespan: 5s\n"
                         "    aliases:\n        identity:\n"
                         "            a: User\n            b: OtherUser\n            c: User\n")));
  Fields f = {{"User", "u"}, {"OtherUser", "u"}};
  EXPECT_TRUE(Add("a", 0, f).empty());
  EXPECT_TRUE(Add("c", 1, f).empty());
  EXPECT_TRUE(Add("b", 2, f).empty());
  std::vector<CorrelationHit> hits = Add("c", 3, f);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].group, (std::vector<std::pair<std::string, std::string>>{{"identity", "u"}}));
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{1, 3, 4}));
  EXPECT_EQ(hits[0].metric, 3);
}

TEST_F(CorrelateTest, TemporalOrderedPartialThreshold) {
  ASSERT_TRUE(Build(Det("a") + Det("b", 2) + Det("c", 3) +
                    Corr("two_of_abc",
                         "    type: temporal_ordered\n    rules: [a, b, c]\n"
                         "    group-by: [Host]\n    timespan: 5s\n"
                         "    condition:\n        gte: 2\n")));
  EXPECT_TRUE(Add("c", 0).empty());
  EXPECT_TRUE(Add("a", 1).empty());  // c then a: not in the listed order
  std::vector<CorrelationHit> hits = Add("b", 2);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{2, 3}));
}

TEST_F(CorrelateTest, TemporalNeedsAllRulesByDefault) {
  ASSERT_TRUE(Build(Det("a") + Det("b", 2) + Det("c", 3) +
                    Corr("abc",
                         "    type: temporal\n    rules: [a, b, c]\n"
                         "    group-by: [Host]\n    timespan: 5s\n")));
  EXPECT_TRUE(Add("c", 0).empty());
  EXPECT_TRUE(Add("c", 1).empty());
  EXPECT_TRUE(Add("a", 2).empty());
  std::vector<CorrelationHit> hits = Add("b", 2);  // any order, ties allowed
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].metric, 3);
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST_F(CorrelateTest, SingleReferenceTemporalFiresOnOneHit) {
  ASSERT_TRUE(Build(Det("a") + Corr("one",
                                    "    type: temporal\n    rules: [a]\n"
                                    "    group-by: [Host]\n    timespan: 5s\n")));
  EXPECT_EQ(Add("a", 0).size(), 1u);
}

// ---------------------------------------------------------------------------------------
// Thresholds and numeric metrics

TEST_F(CorrelateTest, RangeThresholdNeedsEveryBound) {
  ASSERT_TRUE(Build(Det("a") + Corr("mid",
                                    "    type: value_sum\n    rules: [a]\n"
                                    "    group-by: [Host]\n    timespan: 5s\n"
                                    "    condition:\n        field: Bytes\n"
                                    "        gte: 10\n        lte: 20\n")));
  EXPECT_TRUE(Add("a", 0, {{"Host", "h1"}, {"Bytes", "25"}}).empty());  // above the range
  EXPECT_TRUE(Add("a", 0, {{"Host", "h2"}, {"Bytes", "5"}}).empty());   // below
  std::vector<CorrelationHit> hits = Add("a", 1, {{"Host", "h2"}, {"Bytes", "7"}});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].metric, 12);
  EXPECT_TRUE(Add("a", 1, {{"Host", "h1"}, {"Bytes", "1"}}).empty());  // 26
}

TEST_F(CorrelateTest, ValueSumIgnoresNonNumericValues) {
  ASSERT_TRUE(Build(Det("a") + Corr("sum",
                                    "    type: value_sum\n    rules: [a]\n"
                                    "    group-by: [Host]\n    timespan: 5s\n"
                                    "    condition:\n        field: Bytes\n        gte: 112\n")));
  EXPECT_TRUE(Add("a", 0, {{"Host", "h"}, {"Bytes", "junk"}}).empty());
  EXPECT_TRUE(Add("a", 0, {{"Host", "h"}}).empty());
  EXPECT_TRUE(Add("a", 0, {{"Host", "h"}, {"Bytes", "1e999"}}).empty());  // not finite
  EXPECT_TRUE(Add("a", 0, {{"Host", "h"}, {"Bytes", "2"}}).empty());
  EXPECT_TRUE(Add("a", 0, {{"Host", "h"}, {"Bytes", " 10 "}}).empty());
  std::vector<CorrelationHit> hits = Add("a", 0, {{"Host", "h"}, {"Bytes", "1.0e2"}});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].metric, 112);
  EXPECT_EQ(hits[0].events.size(), 6u);  // every event of the window is evidence
}

TEST_F(CorrelateTest, ValueAvgAndNoNumericValueMeansNoMetric) {
  ASSERT_TRUE(Build(Det("a") +
                    Corr("avg",
                         "    type: value_avg\n    rules: [a]\n"
                         "    group-by: [Host]\n    timespan: 5s\n"
                         "    condition:\n        field: Bytes\n        gte: 37\n") +
                    Corr("avg_any",
                         "    type: value_avg\n    rules: [a]\n"
                         "    group-by: [Host]\n    timespan: 5s\n"
                         "    condition:\n        field: Bytes\n        gte: -1000\n",
                         "generate: true\n")));
  // avg_any would fire on any mean: with no numeric value there is none.
  EXPECT_TRUE(Add("a", 0, {{"Host", "h"}, {"Bytes", "junk"}}).empty());
  EXPECT_TRUE(Add("a", 0, {{"Host", "h"}, {"Bytes", "inf"}}).empty());
  std::vector<CorrelationHit> hits = Add("a", 1, {{"Host", "h"}, {"Bytes", "2"}});
  ASSERT_EQ(hits.size(), 1u);  // avg_any, mean 2
  EXPECT_EQ(hits[0].correlation_index, CorrIndex("avg_any"));
  EXPECT_TRUE(Add("a", 1, {{"Host", "h"}, {"Bytes", "10"}}).size() == 1u);  // avg_any again
  hits = Add("a", 2, {{"Host", "h"}, {"Bytes", "100"}});
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].correlation_index, CorrIndex("avg"));
  EXPECT_DOUBLE_EQ(hits[0].metric, 112.0 / 3);
  EXPECT_EQ(hits[1].metric, 100);  // avg_any was cleared after each firing
}

// value_percentile and value_median interpolate linearly between the values around rank
// (n - 1) * p, as pySigma's SQLite backend does (numpy's default method).
TEST_F(CorrelateTest, ValuePercentileAndMedianInterpolate) {
  ASSERT_TRUE(Build(Det("a") +
                    Corr("p90",
                         "    type: value_percentile\n    rules: [a]\n"
                         "    group-by: [Host]\n    timespan: 10s\n"
                         "    condition:\n        field: Bytes\n        percentile: 90\n"
                         "        gte: 3.6\n") +
                    Corr("median",
                         "    type: value_median\n    rules: [a]\n"
                         "    group-by: [Host]\n    timespan: 10s\n"
                         "    condition:\n        field: Bytes\n        eq: 2.5\n",
                         "generate: true\n")));
  EXPECT_TRUE(Add("a", 0, {{"Host", "h"}, {"Bytes", "3"}}).empty());     // h: p90 = median = 3
  EXPECT_TRUE(Add("a", 0, {{"Host", "g"}, {"Bytes", "1"}}).empty());     // g: 1
  EXPECT_TRUE(Add("a", 0, {{"Host", "g"}, {"Bytes", "junk"}}).empty());  // not a number
  EXPECT_TRUE(Add("a", 1, {{"Host", "g"}, {"Bytes", "3"}}).empty());     // g: 1, 3
  EXPECT_TRUE(Add("a", 1, {{"Host", "g"}, {"Bytes", "2"}}).empty());     // 1, 2, 3: p90 2.8
  std::vector<CorrelationHit> hits = Add("a", 2, {{"Host", "g"}, {"Bytes", "4"}});
  ASSERT_EQ(hits.size(), 2u);  // 1, 2, 3, 4: p90 = 3 + 0.7 * (4 - 3), median (2 + 3) / 2
  EXPECT_EQ(hits[0].correlation_index, CorrIndex("p90"));
  EXPECT_NEAR(hits[0].metric, 3.7, 1e-9);
  EXPECT_EQ(hits[0].events.size(), 5u);  // the event without a number is in the window too
  EXPECT_EQ(hits[1].correlation_index, CorrIndex("median"));
  EXPECT_EQ(hits[1].metric, 2.5);
}

TEST_F(CorrelateTest, ValueSumCountsOnePhysicalEventOnce) {
  ASSERT_TRUE(Build(Det("a") + Det("b", 2) +
                    Corr("sum",
                         "    type: value_sum\n    rules: [a, b]\n"
                         "    timespan: 5s\n"
                         "    condition:\n        field: Bytes\n        gte: 20\n")));
  EXPECT_TRUE(Add("a", 0, {{"Bytes", "10"}}, "default", 1).empty());
  EXPECT_TRUE(Add("b", 0, {{"Bytes", "10"}}, "default", 1).empty());  // still 10
  EXPECT_EQ(Add("b", 1, {{"Bytes", "10"}}, "default", 2).size(), 1u);
}

// ---------------------------------------------------------------------------------------
// Chains

TEST_F(CorrelateTest, ChainOfTwoCorrelations) {
  // pySigma-backend-sqlite test_chained_count_then_success_preserves_provenance.
  ASSERT_TRUE(Build(Det("a") + Det("success", 2) +
                    Corr("burst",
                         "    type: event_count\n    rules: [a]\n"
                         "    group-by: [Host]\n    timespan: 5s\n"
                         "    condition:\n        gte: 2\n") +
                    Corr("burst_then_success",
                         "    type: temporal_ordered\n    rules: [burst, success]\n"
                         "    group-by: [Host]\n    timespan: 5s\n")));
  EXPECT_FALSE(rules_->correlations[CorrIndex("burst")].standalone);
  EXPECT_TRUE(Add("a", 0, {{"Host", "H"}}, "default", std::nullopt, "win").empty());
  EXPECT_TRUE(Add("a", 1, {{"Host", "h"}}, "default", std::nullopt, "win").empty());  // inner
  std::vector<CorrelationHit> hits =
      Add("success", 2, {{"Host", "h"}}, "default", std::nullopt, "linux");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].correlation_index, CorrIndex("burst_then_success"));
  EXPECT_EQ(hits[0].group, (std::vector<std::pair<std::string, std::string>>{{"Host", "H"}}));
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(hits[0].datasets, (std::vector<std::string>{"linux", "win"}));
  EXPECT_EQ(hits[0].time_ns, At(2));
  EXPECT_EQ(engine_->stats().fired, 2u);  // the inner one fired too, unreported
}

TEST_F(CorrelateTest, ChainedAggregateReadsInnerMetric) {
  // pySigma-backend-sqlite test_chained_aggregate_reads_child_metric: a condition.field the
  // inner correlation does not group by is its metric.
  ASSERT_TRUE(Build(Det("a") +
                    Corr("burst",
                         "    type: event_count\n    rules: [a]\n"
                         "    group-by: [Host]\n    timespan: 5s\n"
                         "    condition:\n        gte: 2\n") +
                    Corr("bursts",
                         "    type: value_sum\n    rules: [burst]\n"
                         "    group-by: [Host]\n    timespan: 1m\n"
                         "    condition:\n        field: event_count\n        gte: 4\n")));
  Add("a", 0);
  Add("a", 1);  // burst: 2
  EXPECT_TRUE(all_.empty());
  Add("a", 10);
  std::vector<CorrelationHit> hits = Add("a", 11);  // burst: 2 more, sum 4
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].metric, 4);
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST_F(CorrelateTest, ChainWithGenerateReportsBoth) {
  ASSERT_TRUE(Build(Det("a") +
                    Corr("burst",
                         "    type: event_count\n    rules: [a]\n"
                         "    group-by: [Host]\n    timespan: 5s\n"
                         "    condition:\n        gte: 2\n") +
                    Corr("bursts",
                         "    type: event_count\n    rules: [burst]\n"
                         "    group-by: [server]\n    timespan: 1m\n"
                         "    aliases:\n        server:\n            burst: Host\n"
                         "    generate: true\n"
                         "    condition:\n        gte: 1\n")));
  Add("a", 0);
  std::vector<CorrelationHit> hits = Add("a", 1);
  ASSERT_EQ(hits.size(), 2u);  // inner first, then the outer it fed
  EXPECT_EQ(hits[0].correlation_index, CorrIndex("burst"));
  EXPECT_EQ(hits[1].correlation_index, CorrIndex("bursts"));
  EXPECT_EQ(hits[1].group, (std::vector<std::pair<std::string, std::string>>{{"server", "h"}}));
  EXPECT_EQ(Rows(hits[1]), (std::vector<int64_t>{1, 2}));
}

// ---------------------------------------------------------------------------------------
// Bounded state

TEST_F(CorrelateTest, MaxGroupsEvictsLeastRecentlyUpdated) {
  Options options;
  options.max_groups = 2;
  ASSERT_TRUE(Build(kCount, options));
  Add("a", 0, {{"Host", "h1"}});
  Add("a", 0, {{"Host", "h2"}});
  Add("a", 0.5, {{"Host", "h1"}, {"User", "x"}});  // fires: h1 is updated, now the newest
  ASSERT_EQ(all_.size(), 1u);
  Add("a", 1, {{"Host", "h1"}});
  Add("a", 1, {{"Host", "h3"}});  // evicts h2
  EXPECT_EQ(engine_->stats().evicted_groups, 1u);
  EXPECT_EQ(engine_->stats().groups, 2u);
  EXPECT_TRUE(Add("a", 2, {{"Host", "h2"}}).empty());  // h2 forgot its hit at 0 s (evicts h1)
  EXPECT_EQ(engine_->stats().evicted_groups, 2u);
  EXPECT_EQ(Add("a", 2, {{"Host", "h3"}}).size(), 1u);  // h3 kept its hit
}

TEST_F(CorrelateTest, MaxEventsPerGroupDropsOldest) {
  Options options;
  options.max_events_per_group = 3;
  options.max_evidence_events = 2;
  ASSERT_TRUE(Build(Det("a") + Corr("many",
                                    "    type: event_count\n    rules: [a]\n"
                                    "    timespan: 1m\n    condition:\n        gte: 4\n"),
                    options));
  for (int i = 0; i < 6; ++i) {
    EXPECT_TRUE(Add("a", i, {}).empty()) << i;  // never more than 3 held
  }
  EXPECT_EQ(engine_->stats().dropped_events, 3u);

  ASSERT_TRUE(Build(Det("a") + Corr("three",
                                    "    type: event_count\n    rules: [a]\n"
                                    "    timespan: 1m\n    condition:\n        gte: 3\n"),
                    options));
  Add("a", 0, {}, "default", std::nullopt, "b");
  Add("a", 1, {}, "default", std::nullopt, "a");
  std::vector<CorrelationHit> hits = Add("a", 2, {}, "default", std::nullopt, "b");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].metric, 3);
  EXPECT_EQ(Rows(hits[0]), (std::vector<int64_t>{2, 3}));  // the newest 2, oldest first
  EXPECT_EQ(hits[0].datasets, (std::vector<std::string>{"a", "b"}));
}

TEST_F(CorrelateTest, ExpireDropsGroupsNoWindowCanUse) {
  ASSERT_TRUE(Build(kCount));
  Add("a", 0, {{"Host", "h1"}});
  Add("a", 8, {{"Host", "h2"}});
  EXPECT_EQ(engine_->stats().groups, 2u);
  engine_->Expire(At(6));  // h1's newest (0 s) is older than 6 - 5 s
  EXPECT_EQ(engine_->stats().groups, 1u);
  EXPECT_TRUE(Add("a", 6, {{"Host", "h1"}}).empty());
  EXPECT_EQ(Add("a", 9, {{"Host", "h2"}}).size(), 1u);
}

TEST_F(CorrelateTest, ExpiringOneTenantLeavesTheOthersWindows) {
  // Regression: one process-wide watermark let a forged timestamp of one tenant expire
  // every tenant's windows. Expire(tenant, ...) touches that tenant's groups only.
  ASSERT_TRUE(Build(kCount));
  Add("a", 0, {{"Host", "h"}}, "victim");
  Add("a", 0, {{"Host", "h"}}, "evil");
  EXPECT_EQ(engine_->stats().groups, 2u);
  engine_->Expire("evil", At(1000));
  EXPECT_EQ(engine_->stats().groups, 1u);
  // The victim's hit at 0 s is still in its window: the second hit fires.
  EXPECT_EQ(Add("a", 1, {{"Host", "h"}}, "victim").size(), 1u);
}

// ---------------------------------------------------------------------------------------
// Determinism, references, errors

TEST_F(CorrelateTest, SameInputSameOutput) {
  const std::string yaml = Det("a") + Det("b", 2) +
                           Corr("seq",
                                "    type: temporal_ordered\n    rules: [a, b]\n"
                                "    group-by: [Host]\n    timespan: 5s\n") +
                           Corr("count",
                                "    type: value_count\n    rules: [a, b]\n"
                                "    group-by: [Host]\n    timespan: 10s\n"
                                "    condition:\n        field: User\n        gte: 3\n",
                                "generate: true\n");
  auto run = [&]() {
    EXPECT_TRUE(Build(yaml));
    uint64_t state = 12345;  // a fixed linear congruential sequence
    auto next = [&](uint64_t n) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return (state >> 33) % n;
    };
    double t = 0;
    for (int i = 0; i < 400; ++i) {
      t += static_cast<double>(next(1000)) / 1000.0;
      Add(next(2) == 0 ? "a" : "b", t,
          {{"Host", "h" + std::to_string(next(4))}, {"User", "u" + std::to_string(next(5))}});
    }
    std::vector<std::string> digest;
    for (const CorrelationHit& h : all_) {
      std::string d = std::to_string(h.correlation_index) + "@" + std::to_string(h.time_ns) + " " +
                      h.group[0].second + " " + std::to_string(h.metric) + " [";
      for (int64_t r : Rows(h)) {
        d += std::to_string(r) + ",";
      }
      digest.push_back(d + "]");
    }
    return digest;
  };
  std::vector<std::string> first = run();
  std::vector<std::string> second = run();
  EXPECT_GT(first.size(), 10u);
  EXPECT_EQ(first, second);
}

// A brute-force model of the documented semantics: every window is rescanned from the
// group's hits. The engine's incremental windows (and their rebuild after out-of-order
// hits) must give exactly the same firings.
class ReferenceModel {
 public:
  struct Hit {
    int64_t time_ns = 0;
    uint64_t sequence = 0;
    uint32_t position = 0;
    std::optional<std::string> value;  // lower case
    std::optional<double> number;
    int64_t row = 0;
  };

  ReferenceModel(const sigma::CorrelationRule& rule, uint32_t index)
      : rule_(rule), index_(index), span_(rule.timespan_seconds * kSec) {}

  // The position of `rule_name` in the correlation's rules, or -1.
  int Position(std::string_view rule_name) const {
    for (size_t i = 0; i < rule_.rule_names.size(); ++i) {
      if (rule_.rule_names[i] == rule_name) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  void Add(const std::string& host, const Hit& hit, std::vector<std::string>* out) {
    std::string key;
    for (char c : host) {
      key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    auto [it, created] = groups_.try_emplace(key);
    Group& g = it->second;
    if (created) {
      g.display = host;
    }
    if (g.fired && std::pair(hit.time_ns, hit.sequence) <= g.fired) {
      return;
    }
    if (!g.hits.empty() && hit.time_ns < g.newest - span_) {
      return;
    }
    auto less = [](const Hit& a, const Hit& b) {
      return std::tie(a.time_ns, a.sequence, a.position) <
             std::tie(b.time_ns, b.sequence, b.position);
    };
    auto pos = std::lower_bound(g.hits.begin(), g.hits.end(), hit, less);
    size_t i = static_cast<size_t>(pos - g.hits.begin());
    g.hits.insert(pos, hit);
    g.newest = std::max(g.newest, hit.time_ns);
    bool all = false;
    for (size_t j = i; j < g.hits.size();) {
      if (!all && g.hits[j].time_ns > hit.time_ns + span_) {
        break;
      }
      std::vector<const Hit*> window;
      for (size_t k = 0; k <= j; ++k) {
        if (g.hits[k].time_ns >= g.hits[j].time_ns - span_) {
          window.push_back(&g.hits[k]);
        }
      }
      std::optional<double> metric = Metric(window);
      bool holds = metric.has_value();
      for (const sigma::CorrelationThreshold& t : rule_.condition) {
        holds = holds && t.op == sigma::CompareOp::kGte && *metric >= t.value;
      }
      if (!holds) {
        ++j;
        continue;
      }
      std::string d = std::to_string(index_) + "@" + std::to_string(g.hits[j].time_ns) + " " +
                      g.display + " " + std::to_string(*metric);
      if (rule_.type == sigma::CorrelationType::kTemporalOrdered) {
        d += " rows=" + std::to_string(static_cast<int>(*metric));
      } else {
        d += " [";
        for (size_t k = 0; k < window.size(); ++k) {
          if (k == 0 || window[k]->sequence != window[k - 1]->sequence) {
            d += std::to_string(window[k]->row) + ",";
          }
        }
        d += "]";
      }
      out->push_back(d);
      size_t last = j;
      while (last + 1 < g.hits.size() && g.hits[last + 1].sequence == g.hits[j].sequence) {
        ++last;
      }
      g.fired = std::pair(g.hits[j].time_ns, g.hits[j].sequence);
      g.hits.erase(g.hits.begin(), g.hits.begin() + static_cast<ptrdiff_t>(last + 1));
      all = true;
      j = 0;
    }
  }

 private:
  struct Group {
    std::string display;
    std::vector<Hit> hits;
    std::optional<std::pair<int64_t, uint64_t>> fired;
    int64_t newest = INT64_MIN;
  };

  std::optional<double> Metric(const std::vector<const Hit*>& w) const {
    std::set<uint64_t> events;
    std::set<std::string> values;
    std::set<uint32_t> positions;
    double sum = 0;
    size_t numbers = 0;
    std::vector<double> sorted;
    for (size_t k = 0; k < w.size(); ++k) {
      bool first = events.insert(w[k]->sequence).second;
      if (w[k]->value) {
        values.insert(*w[k]->value);
      }
      positions.insert(w[k]->position);
      if (first && w[k]->number) {
        sum += *w[k]->number;
        ++numbers;
        sorted.push_back(*w[k]->number);
      }
    }
    std::sort(sorted.begin(), sorted.end());
    auto percentile = [&sorted](double fraction) -> std::optional<double> {
      if (sorted.empty()) {
        return std::nullopt;
      }
      const double pos = static_cast<double>(sorted.size() - 1) * fraction;
      const auto lo = static_cast<size_t>(std::floor(pos));
      const double frac = pos - std::floor(pos);
      double v = sorted[lo];
      if (frac > 0 && lo + 1 < sorted.size()) {
        v = v * (1 - frac) + sorted[lo + 1] * frac;
      }
      return v;
    };
    switch (rule_.type) {
      case sigma::CorrelationType::kEventCount:
        return static_cast<double>(events.size());
      case sigma::CorrelationType::kValueCount:
        return static_cast<double>(values.size());
      case sigma::CorrelationType::kValueSum:
        return numbers == 0 ? std::nullopt : std::optional<double>(sum);
      case sigma::CorrelationType::kValueAvg:
        return numbers == 0 ? std::nullopt
                            : std::optional<double>(sum / static_cast<double>(numbers));
      case sigma::CorrelationType::kValuePercentile:
        return percentile(rule_.percentile / 100.0);
      case sigma::CorrelationType::kValueMedian:
        return percentile(0.5);
      case sigma::CorrelationType::kTemporal:
        return static_cast<double>(positions.size());
      case sigma::CorrelationType::kTemporalOrdered: {
        std::vector<size_t> run(w.size(), 1);
        size_t best = 0;
        for (size_t k = 0; k < w.size(); ++k) {
          for (size_t m = 0; m < k; ++m) {
            if (w[m]->time_ns < w[k]->time_ns && w[m]->position < w[k]->position) {
              run[k] = std::max(run[k], run[m] + 1);
            }
          }
          best = std::max(best, run[k]);
        }
        return static_cast<double>(best);
      }
    }
    return std::nullopt;
  }

  const sigma::CorrelationRule& rule_;
  uint32_t index_;
  int64_t span_;
  std::map<std::string, Group> groups_;
};

TEST_F(CorrelateTest, MatchesBruteForceReference) {
  const std::string yaml =
      Det("a") + Det("b", 2) + Det("c", 3) +
      Corr("count",
           "    type: event_count\n    rules: [a, b]\n    group-by: [Host]\n"
           "    timespan: 5s\n    condition:\n        gte: 4\n") +
      Corr("users",
           "    type: value_count\n    rules: [a, b, c]\n    group-by: [Host]\n"
           "    timespan: 10s\n    condition:\n        field: User\n        gte: 3\n") +
      Corr("sum",
           "    type: value_sum\n    rules: [a, c]\n    group-by: [Host]\n"
           "    timespan: 5s\n    condition:\n        field: Bytes\n        gte: 40\n") +
      Corr("avg",
           "    type: value_avg\n    rules: [b, a]\n    group-by: [Host]\n"
           "    timespan: 3s\n    condition:\n        field: Bytes\n        gte: 14\n") +
      Corr("p75",
           "    type: value_percentile\n    rules: [a, b]\n    group-by: [Host]\n"
           "    timespan: 4s\n    condition:\n        field: Bytes\n        percentile: 75\n"
           "        gte: 13.5\n") +
      Corr("median",
           "    type: value_median\n    rules: [c, b]\n    group-by: [Host]\n"
           "    timespan: 6s\n    condition:\n        field: Bytes\n        gte: 11\n") +
      Corr("temporal",
           "    type: temporal\n    rules: [a, b, c]\n    group-by: [Host]\n"
           "    timespan: 5s\n") +
      Corr("ordered",
           "    type: temporal_ordered\n    rules: [a, b, c]\n    group-by: [Host]\n"
           "    timespan: 8s\n") +
      Corr("ordered2",
           "    type: temporal_ordered\n    rules: [c, a]\n    group-by: [Host]\n"
           "    timespan: 3s\n");
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u, 6u}) {
    Options options;
    options.max_evidence_events = 100000;
    ASSERT_TRUE(Build(yaml, options));
    std::vector<ReferenceModel> models;
    for (uint32_t i = 0; i < rules_->correlations.size(); ++i) {
      models.emplace_back(rules_->correlations[i], i);
    }
    uint64_t state = seed * 0x9E3779B97F4A7C15ULL;
    auto next = [&](uint64_t n) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return (state >> 33) % n;
    };
    // Events: time steps with many ties, each matching one or two rules; then a few
    // arrivals moved later (out of order within the window).
    struct Ev {
      int64_t time_ns;
      uint64_t sequence;
      std::string rule;
      Fields fields;
    };
    std::vector<Ev> events;
    int64_t t = At(0);
    const char* kRules[] = {"a", "b", "c"};
    const char* kHosts[] = {"h0", "H0", "h1", "h2"};
    for (uint64_t sequence = 1; sequence <= 1500; ++sequence) {
      uint64_t step = next(4) == 0 ? 0 : next(1500);
      t += static_cast<int64_t>(step) * 1'000'000;
      Fields f = {{"Host", kHosts[next(4)]}};
      if (next(5) != 0) {
        f["User"] = next(2) == 0 ? "U" + std::to_string(next(4)) : "u" + std::to_string(next(4));
      }
      uint64_t bytes = next(8);
      if (bytes < 6) {
        f["Bytes"] = std::to_string(next(21));
      } else if (bytes == 6) {
        f["Bytes"] = "junk";
      }
      size_t r = next(3);
      events.push_back({t, sequence, kRules[r], f});
      if (next(6) == 0) {  // the same event matches a second rule
        events.push_back({t, sequence, kRules[(r + 1 + next(2)) % 3], f});
      }
    }
    for (size_t i = 0; i + 1 < events.size(); ++i) {
      if (next(8) == 0) {
        std::swap(events[i], events[i + 1]);
      }
    }

    std::vector<std::string> expected;
    for (const Ev& ev : events) {
      for (ReferenceModel& m : models) {
        int p = m.Position(ev.rule);
        if (p < 0) {
          continue;
        }
        ReferenceModel::Hit h;
        h.time_ns = ev.time_ns;
        h.sequence = ev.sequence;
        h.position = static_cast<uint32_t>(p);
        h.row = static_cast<int64_t>(ev.sequence);
        auto user = ev.fields.find("User");
        if (user != ev.fields.end()) {
          std::string lower;
          for (char c : user->second) {
            lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
          }
          h.value = lower;
        }
        auto bytes = ev.fields.find("Bytes");
        if (bytes != ev.fields.end() && bytes->second != "junk") {
          h.number = std::stod(bytes->second);
        }
        if (rules_->correlations[&m - models.data()].type != sigma::CorrelationType::kValueCount) {
          h.value.reset();
        }
        m.Add(ev.fields.at("Host"), h, &expected);
      }
    }

    std::vector<std::string> actual;
    for (const Ev& ev : events) {
      for (const CorrelationHit& hit :
           AddAt(ev.rule, ev.time_ns, ev.fields, "default", ev.sequence)) {
        std::string d = std::to_string(hit.correlation_index) + "@" + std::to_string(hit.time_ns) +
                        " " + hit.group[0].second + " " + std::to_string(hit.metric);
        if (rules_->correlations[hit.correlation_index].type ==
            sigma::CorrelationType::kTemporalOrdered) {
          d += " rows=" + std::to_string(hit.events.size());
        } else {
          d += " [";
          for (int64_t row : Rows(hit)) {
            d += std::to_string(row) + ",";
          }
          d += "]";
        }
        actual.push_back(d);
      }
    }
    EXPECT_GT(expected.size(), 100u) << "seed " << seed;
    for (uint32_t i = 0; i < rules_->correlations.size(); ++i) {  // every type fires
      const std::string prefix = std::to_string(i) + "@";
      EXPECT_TRUE(std::any_of(expected.begin(), expected.end(),
                              [&](const std::string& d) { return d.rfind(prefix, 0) == 0; }))
          << rules_->correlations[i].meta.title << ", seed " << seed;
    }
    EXPECT_EQ(actual, expected) << "seed " << seed;
    EXPECT_GT(engine_->stats().late_hits, 0u);
  }
}

TEST_F(CorrelateTest, ReferencesAndFields) {
  ASSERT_TRUE(Build(Det("a") + Det("b", 2) + Det("unused", 3) +
                    Corr("c1",
                         "    type: value_count\n    rules: [a, b]\n"
                         "    group-by: [Host, user]\n    timespan: 5s\n"
                         "    aliases:\n        user:\n            a: User\n"
                         "            b: TargetUserName\n"
                         "    condition:\n        field: Ip\n        gte: 3\n") +
                    Corr("c2",
                         "    type: event_count\n    rules: [b]\n"
                         "    group-by: [Ip]\n    timespan: 5s\n"
                         "    condition:\n        gte: 3\n")));
  EXPECT_TRUE(engine_->IsReferenced(RuleIndex("a")));
  EXPECT_TRUE(engine_->IsReferenced(RuleIndex("b")));
  EXPECT_FALSE(engine_->IsReferenced(RuleIndex("unused")));
  EXPECT_FALSE(engine_->IsReferenced(999));
  EXPECT_EQ(engine_->FieldsFor(RuleIndex("a")), (std::vector<std::string>{"Host", "User", "Ip"}));
  EXPECT_EQ(engine_->FieldsFor(RuleIndex("b")),
            (std::vector<std::string>{"Host", "TargetUserName", "Ip"}));
  EXPECT_TRUE(engine_->FieldsFor(RuleIndex("unused")).empty());
  EXPECT_TRUE(engine_->FieldsFor(999).empty());
  // Hits of an unreferenced rule are ignored.
  EXPECT_TRUE(Add("unused", 0).empty());
  EXPECT_EQ(engine_->stats().groups, 0u);
}

TEST_F(CorrelateTest, CreateErrors) {
  EXPECT_EQ(std::string(Engine::Create(nullptr).status().message()),
            "correlation engine: no rule set");
  EXPECT_EQ(CreateError(Det("a") + Corr("sum2",
                                        "    type: value_sum\n    rules: [a]\n"
                                        "    timespan: 5s\n"
                                        "    condition:\n        field: [A, B]\n        gte: 3\n")),
            "correlation 'sum2' (sum2) of type value_sum needs exactly one condition.field, "
            "not 2");
  EXPECT_EQ(CreateError(Det("a") +
                        Corr("burst",
                             "    type: event_count\n    rules: [a]\n"
                             "    group-by: [Host]\n    timespan: 5s\n"
                             "    condition:\n        gte: 2\n") +
                        Corr("outer",
                             "    type: event_count\n    rules: [burst]\n"
                             "    group-by: [User]\n    timespan: 5s\n"
                             "    condition:\n        gte: 2\n")),
            "correlation 'outer' (outer) groups by 'User', but the correlation 'burst' (burst) "
            "it chains does not group by 'User' (a chained correlation passes on only its "
            "group-by values; add the field to its group-by or map it with an alias)");
  // The same chain with an alias naming the inner group field is fine.
  EXPECT_EQ(CreateError(Det("a") +
                        Corr("burst",
                             "    type: event_count\n    rules: [a]\n"
                             "    group-by: [Host]\n    timespan: 5s\n"
                             "    condition:\n        gte: 2\n") +
                        Corr("outer",
                             "    type: event_count\n    rules: [burst]\n"
                             "    group-by: [User]\n    timespan: 5s\n"
                             "    aliases:\n        User:\n            burst: Host\n"
                             "    condition:\n        gte: 2\n")),
            "ok");
  // A hand-built rule set with what the loader rejects.
  auto set = std::make_shared<sigma::RuleSet>();
  sigma::CorrelationRule c;
  c.meta.title = "Broken";
  c.meta.id = "x-1";
  c.type = sigma::CorrelationType::kEventCount;
  c.rules.push_back(sigma::RuleRef{sigma::RuleRef::Kind::kRule, 3});
  c.timespan_seconds = 60;
  c.condition.push_back({sigma::CompareOp::kGte, 2});
  set->correlations.push_back(c);
  EXPECT_EQ(std::string(Engine::Create(set).status().message()),
            "correlation 'Broken' (x-1) references rule #3, which is not loaded");
  set->correlations[0].rules[0] = sigma::RuleRef{sigma::RuleRef::Kind::kCorrelation, 0};
  EXPECT_EQ(std::string(Engine::Create(set).status().message()),
            "correlation chain through 'Broken' (x-1) refers back to itself");
  set->correlations[0].rules.clear();
  EXPECT_EQ(std::string(Engine::Create(set).status().message()),
            "correlation 'Broken' (x-1) references no rule");
  EXPECT_EQ(Engine::Create(set).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rampart::correlate
