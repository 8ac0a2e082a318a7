#include "core/time_util.h"

#include <string>

#include <gtest/gtest.h>

namespace rampart {
namespace {

std::string Iso(int64_t ns) {
  char buf[32];
  return std::string(buf, FormatIso8601Ms(ns, buf));
}

TEST(TimeUtilTest, Iso8601Variants) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseIso8601("2026-11-20T00:00:00+09:00", &ns));
  EXPECT_EQ(Iso(ns), "2026-11-19T15:00:00.000Z");
  ASSERT_TRUE(ParseIso8601("2019-03-17T19:54:34.123456Z", &ns));
  EXPECT_EQ(Iso(ns), "2019-03-17T19:54:34.123Z");
  ASSERT_TRUE(ParseIso8601("2019-03-17 19:54:34", &ns));
  EXPECT_EQ(Iso(ns), "2019-03-17T19:54:34.000Z");
  ASSERT_TRUE(ParseIso8601("2019-03-17T19:54:34-0130", &ns));
  EXPECT_EQ(Iso(ns), "2019-03-17T21:24:34.000Z");
  EXPECT_FALSE(ParseIso8601("2019-02-30T00:00:00Z", &ns));
  EXPECT_FALSE(ParseIso8601("2019-03-17T19:54:34Zjunk", &ns));
  EXPECT_FALSE(ParseIso8601("", &ns));
  ASSERT_TRUE(ParseIso8601("2026-11-20", &ns));  // a date alone is midnight UTC
  EXPECT_EQ(Iso(ns), "2026-11-20T00:00:00.000Z");
  EXPECT_FALSE(ParseIso8601("2026-11-20T10:00:00.Z", &ns));  // a fraction needs digits
}

TEST(TimeUtilTest, FormatIso8601UsesTheNeededPrecision) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseIso8601("2026-11-26T23:10:45Z", &ns));
  EXPECT_EQ(FormatIso8601(ns), "2026-11-26T23:10:45.000Z");
  EXPECT_EQ(FormatIso8601(ns + 976'000'000), "2026-11-26T23:10:45.976Z");
  EXPECT_EQ(FormatIso8601(ns + 976'217'000), "2026-11-26T23:10:45.976217Z");
  EXPECT_EQ(FormatIso8601(ns + 976'217'001), "2026-11-26T23:10:45.976217001Z");
  EXPECT_EQ(FormatIso8601(-1), "1969-12-31T23:59:59.999999999Z");
}

TEST(TimeUtilTest, ClfTime) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseClfTime("10/Oct/2000:13:55:36 -0700", &ns));
  EXPECT_EQ(Iso(ns), "2000-10-10T20:55:36.000Z");
  EXPECT_FALSE(ParseClfTime("10/Foo/2000:13:55:36 -0700", &ns));
  EXPECT_FALSE(ParseClfTime("10/Oct/2000:13:55", &ns));
}

TEST(TimeUtilTest, BsdTimeChoosesYearFromReference) {
  int64_t ref = 0;
  ASSERT_TRUE(ParseIso8601("2027-01-02T00:00:00Z", &ref));
  int64_t ns = 0;
  ASSERT_TRUE(ParseBsdTime("Dec 10 06:55:46", ref, &ns));
  EXPECT_EQ(Iso(ns), "2026-12-10T06:55:46.000Z");  // December read in January: last year
  ASSERT_TRUE(ParseBsdTime("Jan  2 10:00:00", ref, &ns));
  EXPECT_EQ(Iso(ns), "2027-01-02T10:00:00.000Z");  // same day, later hour: this year
  ASSERT_TRUE(ParseBsdTime("Feb 29 10:00:00", ref, &ns));
  EXPECT_EQ(Iso(ns), "2024-02-29T10:00:00.000Z");  // nearest leap year in the past
  EXPECT_FALSE(ParseBsdTime("Dex 10 06:55:46", ref, &ns));
  EXPECT_FALSE(ParseBsdTime("Dec 10 06:55", ref, &ns));
}

TEST(TimeUtilTest, EpochAndFormat) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseEpoch("1700000000.5", "s", &ns));
  EXPECT_EQ(ns, 1700000000500000000);
  ASSERT_TRUE(ParseEpoch("1700000000123", "ms", &ns));
  EXPECT_EQ(ns, 1700000000123000000);
  EXPECT_FALSE(ParseEpoch("17x", "s", &ns));
  EXPECT_FALSE(ParseEpoch("1", "years", &ns));
  ASSERT_TRUE(ParseWithFormat("20/11/2026 01:02:03.25 +0900", "%d/%m/%Y %H:%M:%S.%f %z", &ns));
  EXPECT_EQ(Iso(ns), "2026-11-19T16:02:03.250Z");
  ASSERT_TRUE(ParseWithFormat("Nov  5 2026", "%b %e %Y", &ns));
  EXPECT_EQ(Iso(ns), "2026-11-05T00:00:00.000Z");
  char day[16];
  EXPECT_EQ(std::string(day, FormatDay(ns, day)), "2026-11-05");
}

TEST(TimeUtilTest, YearsOutsideNanosecondRangeAreRefused) {
  // Found by fuzzing: 4531 overflowed int64 nanoseconds.
  int64_t ns = 0;
  EXPECT_FALSE(ParseIso8601("4531-11-20T00:00:00Z", &ns));
  EXPECT_FALSE(ParseClfTime("01/Jan/9999:00:00:00 +0000", &ns));
  EXPECT_FALSE(ParseWithFormat("1000-01-01", "%Y-%m-%d", &ns));
  EXPECT_FALSE(ParseEpoch("9223372036.9", "s", &ns));
  ASSERT_TRUE(ParseIso8601("2261-12-31T23:59:59Z", &ns));
  ASSERT_TRUE(ParseIso8601("1700-01-01T00:00:00Z", &ns));
  EXPECT_LT(ns, 0);
}

TEST(TimeUtilTest, NegativeTimesFormat) {
  EXPECT_EQ(Iso(-1), "1969-12-31T23:59:59.999Z");
}

// Issue 13, defect 5: the event-time range the log parsers accept (1970..2200).
TEST(TimeUtilTest, Issue13PlausibleEventTimesAreYears1970To2200) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseIso8601("1970-01-01T00:00:00Z", &ns));
  EXPECT_TRUE(IsPlausibleEventTime(ns));
  ASSERT_TRUE(ParseIso8601("2200-12-31T23:59:59.999999999Z", &ns));
  EXPECT_TRUE(IsPlausibleEventTime(ns));
  ASSERT_TRUE(ParseIso8601("2201-01-01T00:00:00Z", &ns));
  EXPECT_FALSE(IsPlausibleEventTime(ns));
  ASSERT_TRUE(ParseIso8601("1969-12-31T23:59:59Z", &ns));
  EXPECT_FALSE(IsPlausibleEventTime(ns));
  // 9999 does not even fit int64 nanoseconds: the parser refuses it.
  EXPECT_FALSE(ParseIso8601("9999-12-31", &ns));
  EXPECT_FALSE(ParseIso8601("2025-13-45T99:99:99Z", &ns));
  EXPECT_FALSE(ParseIso8601("2026-11-20T00:00:00+99:00", &ns));
}

}  // namespace
}  // namespace rampart
