#include "detect/behavior/engine.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/arena.h"
#include "detect/behavior/scenario.h"

namespace rampart::detect::behavior {
namespace {

constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kT0 = 1'767'225'600 * kS;  // 2026-01-01T00:00:00Z, a Thursday

std::shared_ptr<const CompiledScenarios> Compile(const std::string& yaml) {
  ScenarioSet set;
  std::vector<std::string> problems;
  ParseScenarios(yaml, "t.yml", &set, &problems);
  EXPECT_TRUE(problems.empty()) << (problems.empty() ? "" : problems[0]);
  auto compiled = CompiledScenarios::Compile(std::make_shared<ScenarioSet>(std::move(set)));
  EXPECT_TRUE(compiled.ok());
  return compiled.value();
}

// Feeds events (time, fields) one by one and collects the detections.
class Feeder {
 public:
  explicit Feeder(std::shared_ptr<const CompiledScenarios> s) : scenarios_(s), engine_(s) {}
  void Add(int64_t t, std::vector<std::pair<std::string, std::string>> fields) {
    AddFor("default", t, std::move(fields));
  }
  void AddFor(std::string_view tenant,
              int64_t t,
              std::vector<std::pair<std::string, std::string>> fields) {
    batch_.Clear();
    Event& e = batch_.BeginEvent();
    e.timestamp_ns = t;
    e.tenant = batch_.Copy(tenant);
    e.dataset = "test";
    for (const auto& [name, value] : fields) {
      batch_.AddField(FieldDict::Intern(name), batch_.Copy(value));
    }
    batch_.CommitEvent();
    observations_.clear();
    arena_.Reset();
    scenarios_->Observe(batch_, batch_[0], ++sequence_, 0, arena_, &observations_);
    for (const Observation& o : observations_) {
      engine_.Process(o, &detections);
    }
  }
  Engine& engine() { return engine_; }
  std::vector<Detection> detections;

 private:
  std::shared_ptr<const CompiledScenarios> scenarios_;
  Engine engine_;
  EventBatch batch_;
  Arena arena_;
  std::vector<Observation> observations_;
  uint64_t sequence_ = 0;
};

constexpr char kBruteForce[] = R"(
scenarios:
  - id: brute
    title: Brute force
    severity: high
    techniques: [T1110.001]
    filter: 'event.outcome:failure'
    group_by: [source.ip]
    window: 10m
    cooldown: 1h
    count: 5
)";

TEST(ScenarioTest, BadScenariosAreRefusedWithFileLineAndReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"scenarios:\n  - id: a\n    window: 10m\n    count: 5\n    colour: red\n",
       "t.yml:5: unknown key 'colour'"},
      {"scenarios:\n  - id: a\n    count: 5\n", "t.yml:2: scenario 'a' needs a 'window'"},
      {"scenarios:\n  - id: a\n    window: 10m\n", "t.yml:2: scenario 'a' has no condition"},
      {"scenarios:\n  - id: a\n    window: ten\n    count: 5\n",
       "t.yml:3: window must be a positive duration"},
      {"scenarios:\n  - id: a\n    window: 10m\n    count: 5\n    filter: 'a:(b'\n",
       "t.yml:5: filter: "},
      {"scenarios:\n  - id: a\n    window: 10m\n    sequence: {first: 'a:b', count: 3, then: "
       "'c:d'}\n",
       "a sequence needs group_by"},
      {"scenarios:\n  - id: a\n    window: 10m\n    count: 0\n", "t.yml:4: count must be"},
      {"scenarios:\n  - id: a\n    window: 10m\n    ratio: {match: 'a:b'}\n",
       "ratio needs 'min' or 'max'"},
      {"scenarios:\n  - id: a\n    window: 10m\n    leaky_bucket: {capacity: 5, leak: 1m}\n"
       "    baseline: {bucket: 1m}\n",
       "at most one of"},
      {"rules: []\n", "t.yml:1: a scenario file holds one key"},
      {"scenarios: [\n", "t.yml:2: invalid YAML"},
  };
  for (const auto& [yaml, expected] : cases) {
    ScenarioSet set;
    std::vector<std::string> problems;
    ParseScenarios(yaml, "t.yml", &set, &problems);
    ASSERT_EQ(problems.size(), 1u) << yaml;
    EXPECT_NE(problems[0].find(expected), std::string::npos) << problems[0];
    EXPECT_TRUE(set.scenarios.empty());
  }
  // One bad scenario does not stop the others.
  ScenarioSet set;
  std::vector<std::string> problems;
  ParseScenarios("scenarios:\n  - id: a\n    window: 1m\n    count: 2\n  - id: b\n    count: 1\n",
                 "t.yml", &set, &problems);
  EXPECT_EQ(set.scenarios.size(), 1u);
  EXPECT_EQ(problems.size(), 1u);
}

TEST(EngineTest, CountWithinTheWindowIsExactAndCoolsDown) {
  Feeder f(Compile(kBruteForce));
  // Four failures in 10 minutes: nothing. The fifth, 9 minutes after the first: one detection.
  for (int i = 0; i < 4; ++i) {
    f.Add(kT0 + i * 120 * kS, {{"event.outcome", "failure"}, {"source.ip", "203.0.113.9"}});
  }
  f.Add(kT0 + 1 * kS, {{"event.outcome", "success"}, {"source.ip", "203.0.113.9"}});
  EXPECT_TRUE(f.detections.empty());
  f.Add(kT0 + 540 * kS, {{"event.outcome", "failure"}, {"source.ip", "203.0.113.9"}});
  ASSERT_EQ(f.detections.size(), 1u);
  const Detection& d = f.detections[0];
  EXPECT_EQ(d.kind, DetectionKind::kBehavior);
  EXPECT_EQ(d.rule_id, "brute");
  EXPECT_EQ(d.level, Severity::kHigh);
  ASSERT_EQ(d.entities.size(), 1u);
  EXPECT_EQ(d.entities[0], (Entity{"ip", "203.0.113.9"}));
  EXPECT_NE(d.explanation.find("5 events in 10m (threshold 5)"), std::string::npos)
      << d.explanation;
  // More failures within the cool-down: still one detection (one actor, one detection).
  for (int i = 0; i < 20; ++i) {
    f.Add(kT0 + (600 + i) * kS, {{"event.outcome", "failure"}, {"source.ip", "203.0.113.9"}});
  }
  EXPECT_EQ(f.detections.size(), 1u);
  // A slow attacker, one failure every 3 minutes, never has 5 in 10 minutes.
  for (int i = 0; i < 30; ++i) {
    f.Add(kT0 + i * 180 * kS, {{"event.outcome", "failure"}, {"source.ip", "198.51.100.1"}});
  }
  EXPECT_EQ(f.detections.size(), 1u);
  // An event without the group field is about nobody.
  for (int i = 0; i < 10; ++i) {
    f.Add(kT0 + i * kS, {{"event.outcome", "failure"}});
  }
  EXPECT_EQ(f.detections.size(), 1u);
}

TEST(EngineTest, EventsFlaggedFromTheFutureMoveNothing) {
  Feeder f(Compile(kBruteForce));
  for (int i = 0; i < 10; ++i) {
    f.Add(kT0 + int64_t{86400} * 365 * kS, {{"event.outcome", "failure"},
                                            {"source.ip", "203.0.113.9"},
                                            {"event.time_future", "true"}});
  }
  EXPECT_TRUE(f.detections.empty());
  EXPECT_EQ(f.engine().stats().entities, 0u);
}

TEST(EngineTest, RepeatedLinesCountTheirRepeats) {
  Feeder f(Compile(kBruteForce));
  f.Add(kT0,
        {{"event.outcome", "failure"}, {"source.ip", "203.0.113.9"}, {"event.repeat_count", "5"}});
  EXPECT_EQ(f.detections.size(), 1u);
}

TEST(EngineTest, DistributedStuffingIsOneDetectionPerEndpoint) {
  Feeder f(Compile(R"(
scenarios:
  - id: stuffing
    filter: 'event.category:authentication'
    group_by: [url.path]
    window: 1h
    distinct:
      - {field: source.ip, min: 100}
      - {field: user.name, min: 100}
    ratio: {match: 'event.outcome:success', max: 0.1, min_events: 200}
)"));
  for (int i = 0; i < 900; ++i) {
    const bool ok = i % 50 == 0;
    f.Add(kT0 + i * 3 * kS, {{"event.category", "authentication"},
                             {"event.outcome", ok ? "success" : "failure"},
                             {"url.path", "/login"},
                             {"source.ip", "10.9." + std::to_string(i / 3 % 300 / 250) + "." +
                                               std::to_string(i / 3 % 250)},
                             {"user.name", "user" + std::to_string(i % 400)}});
  }
  ASSERT_EQ(f.detections.size(), 1u);
  const std::string& e = f.detections[0].explanation;
  EXPECT_NE(e.find("url.path /login"), std::string::npos) << e;
  EXPECT_NE(e.find("distinct source.ip"), std::string::npos) << e;
  EXPECT_NE(e.find("distinct user.name"), std::string::npos) << e;
  EXPECT_NE(e.find("match 'event.outcome:success'"), std::string::npos) << e;
}

TEST(EngineTest, BaselineFollowsTheEntitysOwnRhythm) {
  Feeder f(Compile(R"(
scenarios:
  - id: spike
    group_by: [http.request.headers.x_api_key]
    window: 5m
    baseline: {bucket: 5m, min_z: 4, min_ratio: 4, min_count: 30, learn: 3d}
)"));
  // Two weeks: 10 requests per 5 minutes in working hours (09-18 UTC), 1 at night.
  auto rate = [](int hour) {
    return hour >= 9 && hour < 18 ? 10 : 1;
  };
  for (int64_t b = 0; b < 14 * 288; ++b) {
    const int hour = static_cast<int>(b % 288 / 12);
    for (int k = 0; k < rate(hour); ++k) {
      f.Add(kT0 + (b * 300 + k * 7) * kS, {{"http.request.headers.x_api_key", "hmac:k1"}});
    }
  }
  EXPECT_TRUE(f.detections.empty());
  // A busy morning (x2) is normal; ten times the usual rate is not.
  const int64_t day = kT0 + 14 * 86400 * kS;
  for (int k = 0; k < 20; ++k) {
    f.Add(day + (10 * 3600 + k * 10) * kS, {{"http.request.headers.x_api_key", "hmac:k1"}});
  }
  EXPECT_TRUE(f.detections.empty());
  for (int k = 0; k < 100; ++k) {
    f.Add(day + (11 * 3600 + k * 2) * kS, {{"http.request.headers.x_api_key", "hmac:k1"}});
  }
  ASSERT_EQ(f.detections.size(), 1u);
  EXPECT_NE(f.detections[0].explanation.find("its baseline for this hour is "), std::string::npos)
      << f.detections[0].explanation;
  EXPECT_EQ(f.detections[0].entities[0], (Entity{"api_key", "hmac:k1"}));
}

TEST(EngineTest, FirstSeenAfterLearningAndSequences) {
  Feeder f(Compile(R"(
scenarios:
  - id: new-country
    group_by: [user.name]
    window: 1h
    first_seen: {field: source.geo.country_iso_code, learn: 1d}
  - id: takeover
    group_by: [user.name]
    window: 10m
    sequence: {first: 'event.outcome:failure', count: 3, then: 'event.outcome:success'}
)"));
  f.Add(kT0, {{"user.name", "kim"}, {"source.geo.country_iso_code", "KR"}});
  f.Add(kT0 + 3600 * kS, {{"user.name", "kim"}, {"source.geo.country_iso_code", "JP"}});
  EXPECT_TRUE(f.detections.empty());  // still learning
  f.Add(kT0 + 2 * 86400 * kS, {{"user.name", "kim"}, {"source.geo.country_iso_code", "JP"}});
  EXPECT_TRUE(f.detections.empty());  // known
  f.Add(kT0 + 3 * 86400 * kS, {{"user.name", "kim"}, {"source.geo.country_iso_code", "NL"}});
  ASSERT_EQ(f.detections.size(), 1u);
  EXPECT_NE(f.detections[0].explanation.find("first source.geo.country_iso_code NL"),
            std::string::npos);
  EXPECT_NE(f.detections[0].explanation.find("first seen with KR"), std::string::npos);

  const int64_t t = kT0 + 4 * 86400 * kS;
  f.Add(t, {{"user.name", "lee"}, {"event.outcome", "failure"}});
  f.Add(t + 10 * kS, {{"user.name", "lee"}, {"event.outcome", "failure"}});
  f.Add(t + 20 * kS, {{"user.name", "lee"}, {"event.outcome", "success"}});
  EXPECT_EQ(f.detections.size(), 1u);  // two failures are not enough
  for (int i = 0; i < 3; ++i) {
    f.Add(t + (30 + i) * kS, {{"user.name", "lee"}, {"event.outcome", "failure"}});
  }
  f.Add(t + 40 * kS, {{"user.name", "lee"}, {"event.outcome", "success"}});
  ASSERT_EQ(f.detections.size(), 2u);
  EXPECT_EQ(f.detections[1].rule_id, "takeover");
}

TEST(EngineTest, SnapshotRestoresEveryWindowAndBaseline) {
  auto scenarios = Compile(kBruteForce);
  Feeder a(scenarios), b(scenarios);
  for (int i = 0; i < 3; ++i) {
    a.Add(kT0 + i * kS, {{"event.outcome", "failure"}, {"source.ip", "203.0.113.9"}});
    b.Add(kT0 + i * kS, {{"event.outcome", "failure"}, {"source.ip", "203.0.113.9"}});
  }
  const std::string path =
      (std::filesystem::temp_directory_path() / ("behavior-" + std::to_string(getpid()))).string();
  ASSERT_TRUE(a.engine().Save(path).ok());
  Feeder restored(scenarios);
  ASSERT_TRUE(restored.engine().Load(path).ok());
  for (int i = 3; i < 5; ++i) {
    b.Add(kT0 + i * kS, {{"event.outcome", "failure"}, {"source.ip", "203.0.113.9"}});
    restored.Add(kT0 + i * kS, {{"event.outcome", "failure"}, {"source.ip", "203.0.113.9"}});
  }
  ASSERT_EQ(b.detections.size(), 1u);
  ASSERT_EQ(restored.detections.size(), 1u);
  EXPECT_EQ(DetectionToJson(b.detections[0]), DetectionToJson(restored.detections[0]));
  // A damaged snapshot is refused, not half-loaded.
  {
    std::FILE* file = std::fopen(path.c_str(), "r+b");
    ASSERT_NE(file, nullptr);
    std::fseek(file, 40, SEEK_SET);
    std::fputc('x', file);
    std::fclose(file);
  }
  Feeder damaged(scenarios);
  Status s = damaged.engine().Load(path);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("corrupt behaviour snapshot"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(EngineTest, EntitiesAreBoundedAndDescribed) {
  Feeder f(Compile(R"(
scenarios:
  - id: brute
    filter: 'event.outcome:failure'
    group_by: [source.ip]
    window: 10m
    max_entities: 1000
    count: 5
)"));
  for (int i = 0; i < 5000; ++i) {
    f.Add(kT0 + i * kS, {{"event.outcome", "failure"}, {"source.ip", "10.0." + std::to_string(i)}});
  }
  const EngineStats s = f.engine().stats();
  EXPECT_LE(s.entities, 1000u);
  EXPECT_GT(s.evicted, 0u);
  const std::vector<EntityView> v = f.engine().Describe("default", {"source.ip"}, "10.0.4999");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].window_events, 1u);
  EXPECT_TRUE(f.engine().Describe("default", {"source.ip"}, "10.0.1").empty());  // evicted
}

TEST(EngineTest, TenantsNeitherEvictNorAgeEachOther) {
  Feeder f(Compile(R"(
scenarios:
  - id: brute
    filter: 'event.outcome:failure'
    group_by: [source.ip]
    window: 10m
    max_entities: 100
    count: 5
)"));
  // Tenant "replay" is a month behind tenant "live", whose flood of addresses fills its table.
  const int64_t month_ago = kT0 - int64_t{30} * 86400 * kS;
  for (int i = 0; i < 4; ++i) {
    f.AddFor("replay", month_ago + i * kS,
             {{"event.outcome", "failure"}, {"source.ip", "10.0.0.1"}});
  }
  for (int i = 0; i < 5000; ++i) {
    f.AddFor("live", kT0 + i * kS,
             {{"event.outcome", "failure"}, {"source.ip", "10.1." + std::to_string(i)}});
  }
  f.AddFor("replay", month_ago + 5 * kS, {{"event.outcome", "failure"}, {"source.ip", "10.0.0.1"}});
  ASSERT_EQ(f.detections.size(), 1u);
  EXPECT_EQ(f.detections[0].tenant, "replay");
  EXPECT_EQ(f.engine().Describe("replay", {"source.ip"}, "10.0.0.1").size(), 1u);
  EXPECT_TRUE(f.engine().Describe("live", {"source.ip"}, "10.0.0.1").empty());
}

}  // namespace
}  // namespace rampart::detect::behavior
