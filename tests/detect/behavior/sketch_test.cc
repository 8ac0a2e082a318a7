// The behaviour sketches: distinct counts within HyperLogLog's error, sliding windows that
// forget, seasonal baselines that compare an hour with the same hour of past weeks.

#include "detect/behavior/sketch.h"

#include <string>

#include <gtest/gtest.h>

namespace rampart::detect::behavior {
namespace {

TEST(DistinctCounterTest, SmallSetsAreNearlyExact) {
  DistinctCounter c;
  EXPECT_EQ(c.Estimate(), 0);
  for (int i = 0; i < 10; ++i) {
    c.Add("user" + std::to_string(i));
    c.Add("user" + std::to_string(i));  // repeats count once
  }
  EXPECT_NEAR(c.Estimate(), 10, 1.5);
  EXPECT_EQ(sizeof(DistinctCounter), 48u);
}

TEST(DistinctCounterTest, LargeSetsWithinTheExpectedError) {
  for (int n : {100, 1000, 100000}) {
    DistinctCounter c;
    for (int i = 0; i < n; ++i) {
      c.Add("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256));
    }
    EXPECT_NEAR(c.Estimate(), n, 0.4 * n) << n;  // 3 standard errors of 64 registers
  }
}

TEST(DistinctCounterTest, MergeIsTheUnion) {
  DistinctCounter a, b;
  for (int i = 0; i < 500; ++i) {
    a.Add("k" + std::to_string(i));
    b.Add("k" + std::to_string(i + 250));
  }
  a.Merge(b);
  EXPECT_NEAR(a.Estimate(), 750, 0.4 * 750);
}

TEST(WindowCounterTest, SlidesAndForgets) {
  WindowCounter w(10);  // 60 x 10 s = 10 minutes
  w.Add(1000);
  w.Add(1005, 4);
  w.Add(1290);
  EXPECT_EQ(w.Sum(1299, 600), 6u);
  EXPECT_EQ(w.Sum(1299, 60), 1u);  // the last minute only
  w.Add(1000 + 700);               // 700 s later: the first two leave the window
  EXPECT_EQ(w.Sum(1700, 600), 2u);
  w.Add(500);  // older than the window: ignored
  EXPECT_EQ(w.Sum(1700, 600), 2u);
  w.Add(100000);  // far ahead: everything before is gone
  EXPECT_EQ(w.Sum(100000, 600), 1u);
}

TEST(SeasonalBaselineTest, ComparesWithTheSameHourOfPastWeeks) {
  SeasonalBaseline b;
  const int64_t monday = 4 * 86400;  // 1970-01-05 was a Monday
  EXPECT_EQ(SeasonalBaseline::SlotOf(monday), 0);
  EXPECT_EQ(SeasonalBaseline::SlotOf(monday + 10 * 3600), 10);
  // Four weeks: Mondays 10:00 busy (~100), 03:00 quiet (~5).
  for (int week = 0; week < 4; ++week) {
    const int64_t base = monday + week * 7 * 86400;
    for (int k = 0; k < 3; ++k) {
      b.Observe(base + 10 * 3600 + k * 600, 95 + 5 * k);
      b.Observe(base + 3 * 3600 + k * 600, 4 + k);
    }
  }
  const int64_t next = monday + 4 * 7 * 86400;
  const auto busy = b.Expected(next + 10 * 3600);
  EXPECT_TRUE(busy.seasonal);
  EXPECT_NEAR(busy.mean, 100, 10);
  EXPECT_LT(b.ZScore(next + 10 * 3600, 110), 3);   // an ordinary busy hour
  EXPECT_GT(b.ZScore(next + 3 * 3600, 100), 10);   // the busy rate at 03:00 is not normal
  const auto cold = b.Expected(next + 15 * 3600);  // never seen: the overall mean
  EXPECT_FALSE(cold.seasonal);
  EXPECT_GT(cold.observations, 0u);
}

}  // namespace
}  // namespace rampart::detect::behavior
