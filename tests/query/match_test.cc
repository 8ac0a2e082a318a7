#include "query/match.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace rampart::query {
namespace {

// One event built from (field, value) pairs; "event.dataset" and "raw" set the members.
class MatchTest : public ::testing::Test {
 protected:
  const Event& Make(std::vector<std::pair<std::string, std::string>> fields) {
    batch_.Clear();
    Event& e = batch_.BeginEvent();
    e.tenant = "acme";
    e.timestamp_ns = 1'700'000'000'000'000'000;
    for (const auto& [name, value] : fields) {
      if (name == "event.dataset") {
        e.dataset = batch_.Copy(value);
      } else if (name == "raw") {
        e.raw = batch_.Copy(value);
      } else {
        batch_.AddField(FieldDict::Intern(name), batch_.Copy(value));
      }
    }
    batch_.CommitEvent();
    return batch_[0];
  }
  bool Match(const std::string& filter, const Event& e) {
    Result<EventFilter> f = EventFilter::Parse(filter);
    EXPECT_TRUE(f.ok()) << filter << ": " << f.status().message();
    return f.ok() && f.value().Matches(batch_, e);
  }
  EventBatch batch_;
};

TEST_F(MatchTest, SameMeaningAsTheStoreSearch) {
  const Event& e = Make({{"event.dataset", "nginx.body"},
                         {"raw", "POST /Login HTTP/1.1 curl/8.0"},
                         {"source.ip", "10.1.2.3"},
                         {"http.response.status_code", "401"},
                         {"url.path", "/api/v1/Login"},
                         {"tag", "a"},
                         {"tag", "b"}});
  EXPECT_TRUE(Match("*", e));
  EXPECT_TRUE(Match("event.dataset:NGINX.BODY", e));  // case-insensitive
  EXPECT_TRUE(Match("url.path:*/login", e));          // wildcard, case-insensitive
  EXPECT_TRUE(Match("url.path:/api/v?/login", e));
  EXPECT_FALSE(Match("url.path:/api", e));        // whole value
  EXPECT_TRUE(Match("source.ip:10.0.0.0/8", e));  // CIDR
  EXPECT_FALSE(Match("source.ip:192.168.0.0/16", e));
  EXPECT_TRUE(Match("http.response.status_code>=400", e));
  EXPECT_TRUE(Match("http.response.status_code:[400 TO 499]", e));
  EXPECT_FALSE(Match("http.response.status_code<400", e));
  EXPECT_TRUE(Match("tag:b", e));  // any value of a repeated field
  EXPECT_TRUE(Match("curl", e));   // full text in raw
  EXPECT_TRUE(Match("\"/login http\"", e));
  EXPECT_FALSE(Match("wget", e));
  EXPECT_TRUE(Match("NOT user.name:root", e));  // absent field: NOT matches
  EXPECT_TRUE(Match("user.name:* OR source.ip:*", e));
  EXPECT_FALSE(Match("user.name:*", e));
  EXPECT_TRUE(Match("tenant:acme AND (url.path:*login* OR url.path:*signin*)", e));
  EXPECT_TRUE(Match("@timestamp>=2023-11-14", e));
  EXPECT_FALSE(Match("http.response.status_code:abc OR http.response.status_code>500", e));
}

TEST_F(MatchTest, ErrorsAndNumbers) {
  EXPECT_FALSE(EventFilter::Parse("a:b | count").ok());
  EXPECT_FALSE(EventFilter::Parse("(a:b").ok());
  const Event& e = Make({{"n", "abc"}, {"n", "7"}});
  EXPECT_TRUE(Match("n>5", e));  // non-numbers are skipped, the number matches
  EXPECT_TRUE(EventFilter().matches_all());
}

TEST(GlobTest, StarsQuestionMarksAndEscapes) {
  EXPECT_TRUE(GlobMatchIgnoreCase("a*c", "ABBC"));
  EXPECT_TRUE(GlobMatchIgnoreCase("*", ""));
  EXPECT_TRUE(GlobMatchIgnoreCase("?", "한"));  // one code point
  EXPECT_FALSE(GlobMatchIgnoreCase("??", "한"));
  EXPECT_TRUE(GlobMatchIgnoreCase("a\\*", "a*"));
  EXPECT_FALSE(GlobMatchIgnoreCase("a\\*", "ab"));
  EXPECT_TRUE(GlobMatchIgnoreCase("*a*b*c*", "xxaxxbxxcxx"));
  EXPECT_FALSE(GlobMatchIgnoreCase("*a*b*c", "xxaxxbxxcxx"));
}

}  // namespace
}  // namespace rampart::query
