// The one IP address parser (issue 13, defect 17: five copies used to disagree).

#include "core/ip.h"

#include <array>
#include <cstdint>

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(IpTest, Ipv4IsAStrictDottedQuad) {
  uint32_t v = 0;
  ASSERT_TRUE(ParseIpv4("10.0.0.1", &v));
  EXPECT_EQ(v, 0x0A000001u);
  ASSERT_TRUE(ParseIpv4("255.255.255.255", &v));
  EXPECT_EQ(v, 0xFFFFFFFFu);
  ASSERT_TRUE(ParseIpv4("0.0.0.0", &v));
  EXPECT_EQ(v, 0u);
  for (const char* bad : {"010.0.0.1", "256.0.0.1", "1.2.3", "1.2.3.4.5", "1.2.3.4 ", " 1.2.3.4",
                          "1..2.3", "a.b.c.d", "1.2.3.-4", "", "1.2.3.4/8", "1234.1.1.1"}) {
    EXPECT_FALSE(ParseIpv4(bad, &v)) << bad;
  }
}

TEST(IpTest, Ipv6TextForms) {
  std::array<uint8_t, 16> b{};
  ASSERT_TRUE(ParseIpv6("2001:db8::1", &b));
  EXPECT_EQ(b,
            (std::array<uint8_t, 16>{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  ASSERT_TRUE(ParseIpv6("::", &b));
  EXPECT_EQ(b, (std::array<uint8_t, 16>{}));
  ASSERT_TRUE(ParseIpv6("::ffff:10.0.0.1", &b));
  EXPECT_EQ(b, (std::array<uint8_t, 16>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1}));
  ASSERT_TRUE(ParseIpv6("1:2:3:4:5:6:7:8", &b));
  EXPECT_EQ(b[14], 0);
  EXPECT_EQ(b[15], 8);
  ASSERT_TRUE(ParseIpv6("FE80::ABCD", &b));
  EXPECT_EQ(b[0], 0xfe);
  EXPECT_EQ(b[15], 0xcd);
  for (const char* bad : {":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "fe80::1%eth0", "[::1]",
                          "1:", ":1", "g::1", "::1.2.3", "1:2:3:4:5:6:7::8:9", ""}) {
    EXPECT_FALSE(ParseIpv6(bad, &b)) << bad;
  }
}

TEST(IpTest, EitherFamilyByColon) {
  IpAddress a;
  ASSERT_TRUE(ParseIpAddress("192.0.2.7", &a));
  EXPECT_FALSE(a.v6);
  EXPECT_EQ(a.bytes[0], 192);
  EXPECT_EQ(a.bytes[3], 7);
  EXPECT_EQ(a.bytes[4], 0);
  ASSERT_TRUE(ParseIpAddress("2001:db8::7", &a));
  EXPECT_TRUE(a.v6);
  EXPECT_EQ(a.bytes[15], 7);
  EXPECT_FALSE(ParseIpAddress("example.com", &a));
  EXPECT_FALSE(ParseIpAddress("", &a));
}

}  // namespace
}  // namespace rampart
