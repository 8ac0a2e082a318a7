// The behaviour sketches: distinct counts within HyperLogLog's error, sliding windows that
// forget, seasonal baselines that compare an hour with the same hour of past weeks.

#include "detect/behavior/sketch.h"

#include <string>

#include <gtest/gtest.h>

namespace rampart::detect::behavior {
namespace {

TEST(DistinctCounterTest, SmallSetsAreExact) {
  DistinctCounter c;
  EXPECT_EQ(c.Estimate(), 0);
  for (int i = 0; i < 12; ++i) {
    c.Add("user" + std::to_string(i));
    c.Add("user" + std::to_string(i));  // repeats count once
    EXPECT_EQ(c.Estimate(), i + 1);
  }
  EXPECT_EQ(sizeof(DistinctCounter), 49u);
  // The union of two exact sets is exact; past twelve values it is estimated.
  DistinctCounter a, b;
  for (const char* v : {"KR", "NL"}) {
    a.Add(v);
  }
  for (const char* v : {"NL", "DE"}) {
    b.Add(v);
  }
  EXPECT_EQ(DistinctCounter::EstimateUnion(a, b), 3);
  for (int i = 12; i < 40; ++i) {
    c.Add("user" + std::to_string(i));
  }
  EXPECT_NEAR(c.Estimate(), 40, 4);
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

TEST(SeasonalBaselineTest, ComparesWithTheSameHourOfPastDays) {
  SeasonalBaseline b;
  const int64_t monday = 4 * 86400;  // 1970-01-05 was a Monday
  EXPECT_EQ(SeasonalBaseline::DayOf(monday), 0);
  EXPECT_EQ(SeasonalBaseline::HourOf(monday + 10 * 3600), 10);
  // Two weeks of 10-minute buckets (6 an hour): 10:00-11:00 busy (~100), 03:00 quiet (~5).
  constexpr double kPerHour = 6;
  for (int day = 0; day < 14; ++day) {
    const int64_t base = monday + day * 86400;
    for (int k = 0; k < 6; ++k) {
      b.Observe(base + 10 * 3600 + k * 600, 95 + 2 * k, kPerHour);
      b.Observe(base + 3 * 3600 + k * 600, 4 + k % 3, kPerHour);
    }
  }
  const int64_t next = monday + 14 * 86400;
  const auto busy = b.Expected(next + 10 * 3600, kPerHour);
  EXPECT_TRUE(busy.seasonal);
  EXPECT_NEAR(busy.mean, 100, 10);
  EXPECT_LT(b.ZScore(next + 10 * 3600, 110, kPerHour), 3);   // an ordinary busy hour
  EXPECT_GT(b.ZScore(next + 3 * 3600, 100, kPerHour), 10);   // the busy rate at 03:00 is not
  const auto cold = b.Expected(next + 15 * 3600, kPerHour);  // never seen: the overall mean
  EXPECT_FALSE(cold.seasonal);
  EXPECT_GT(cold.observations, 0u);
}

TEST(SeasonalBaselineTest, QuietWeekendsScaleTheHour) {
  SeasonalBaseline b;
  const int64_t monday = 4 * 86400;
  // Four weeks of hourly buckets: weekdays 100 per hour all day, weekends 20.
  for (int day = 0; day < 28; ++day) {
    const bool weekend = day % 7 >= 5;
    for (int h = 0; h < 24; ++h) {
      b.Observe(monday + day * 86400 + h * 3600, weekend ? 20 : 100, 1);
    }
  }
  const int64_t saturday = monday + 28 * 86400 + 5 * 86400;
  const auto e = b.Expected(saturday + 12 * 3600, 1);
  EXPECT_LT(e.day_factor, 0.5);
  EXPECT_LT(e.mean, 50);
  EXPECT_GT(b.Expected(monday + 28 * 86400 + 12 * 3600, 1).mean, 80);
}

}  // namespace
}  // namespace rampart::detect::behavior
