#include <map>
#include <string>

#include <gtest/gtest.h>

#include "parse/parse.h"

namespace rampart::parse {
namespace {

std::map<std::string, std::string> FieldsOf(const EventBatch& b, size_t i) {
  std::map<std::string, std::string> m;
  for (const Field& f : b.fields(b[i])) {
    m[std::string(FieldDict::Name(f.id))] = std::string(f.value);
  }
  return m;
}

class AccessLogTest : public ::testing::Test {
 protected:
  Status Parse(std::string_view line) { return parser_->Parse(line, ctx_, batch_); }
  std::unique_ptr<Parser> parser_ = MakeParser(Format::kAccess);
  ParseContext ctx_;
  EventBatch batch_;
};

TEST_F(AccessLogTest, CombinedWithTrailingTimesAndForwardedFor) {
  ASSERT_TRUE(Parse("203.0.113.9 - alice [10/Oct/2000:13:55:36 -0700] \"GET /a/b?x=1&y=2 "
                    "HTTP/1.1\" 200 2326 \"http://ref.example/\" \"Mozilla/5.0 (X11)\" 0.005 "
                    "0.004 \"198.51.100.7, 10.0.0.1\"")
                  .ok());
  ASSERT_EQ(batch_.size(), 1u);
  auto f = FieldsOf(batch_, 0);
  EXPECT_EQ(f["source.ip"], "203.0.113.9");
  EXPECT_EQ(f["user.name"], "alice");
  EXPECT_EQ(f["http.request.method"], "GET");
  EXPECT_EQ(f["url.original"], "/a/b?x=1&y=2");
  EXPECT_EQ(f["url.path"], "/a/b");
  EXPECT_EQ(f["url.query"], "x=1&y=2");
  EXPECT_EQ(f["http.version"], "1.1");
  EXPECT_EQ(f["http.response.status_code"], "200");
  EXPECT_EQ(f["http.response.body.bytes"], "2326");
  EXPECT_EQ(f["http.request.referrer"], "http://ref.example/");
  EXPECT_EQ(f["user_agent.original"], "Mozilla/5.0 (X11)");
  EXPECT_EQ(f["http.request.time"], "0.005");
  EXPECT_EQ(f["http.upstream.time"], "0.004");
  EXPECT_EQ(f["http.request.headers.x_forwarded_for"], "198.51.100.7, 10.0.0.1");
  EXPECT_EQ(f["client.ip"], "198.51.100.7");
  EXPECT_EQ(batch_[0].dataset, "nginx.access");
  EXPECT_EQ(batch_[0].timestamp_ns, 971211336LL * 1000000000LL);
}

TEST_F(AccessLogTest, CommonFormatIpv6AndDashes) {
  ASSERT_TRUE(
      Parse("2001:db8::1 - - [01/Jan/2026:00:00:00 +0000] \"POST /login HTTP/2.0\" 401 -").ok());
  auto f = FieldsOf(batch_, 0);
  EXPECT_EQ(f["source.ip"], "2001:db8::1");
  EXPECT_EQ(f.count("user.name"), 0u);
  EXPECT_EQ(f.count("http.response.body.bytes"), 0u);
  EXPECT_EQ(f["http.version"], "2.0");
}

TEST_F(AccessLogTest, EscapedQuotesInsideFields) {
  ASSERT_TRUE(Parse("10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \"GET /q?a=\\\"x\\\" HTTP/1.1\" "
                    "200 5 \"-\" \"sqlmap \\\"1.0\\\"\"")
                  .ok());
  auto f = FieldsOf(batch_, 0);
  EXPECT_EQ(f["url.original"], "/q?a=\\\"x\\\"");
  EXPECT_EQ(f["user_agent.original"], "sqlmap \\\"1.0\\\"");
  EXPECT_EQ(f.count("http.request.referrer"), 0u);
}

TEST_F(AccessLogTest, JunkRequestLineIsKeptAsEvidence) {
  ASSERT_TRUE(Parse("10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \"\\x16\\x03\\x01\" 400 157 "
                    "\"-\" \"-\"")
                  .ok());
  auto f = FieldsOf(batch_, 0);
  EXPECT_EQ(f["url.original"], "\\x16\\x03\\x01");
  EXPECT_EQ(f.count("http.request.method"), 0u);
}

// Issue 13, defect 5: an invalid [time] dead-lettered the line while the Body Log and
// Windows parsers silently re-dated the same values. Every parser now keeps the record,
// times it at the receive time and flags it with the original text.
TEST_F(AccessLogTest, Issue13InvalidTimeIsFlaggedNotDeadLettered) {
  ctx_.reference_time_ns = 1'700'000'000'000'000'000;
  for (std::string_view bad :
       {"01/Foo/2026:00:00:00 +0000", "31/Dec/9999:00:00:00 +0000", "45/Oct/2025:99:99:99 +0000",
        "10/Oct/2025:13:55:36 +9900", "31/Dec/1969:23:59:59 +0000"}) {
    SCOPED_TRACE(bad);
    batch_.Clear();
    ASSERT_TRUE(Parse("10.0.0.1 - - [" + std::string(bad) + "] \"GET /x HTTP/1.1\" 200 1").ok());
    ASSERT_EQ(batch_.size(), 1u);
    EXPECT_EQ(batch_[0].timestamp_ns, ctx_.reference_time_ns);
    auto f = FieldsOf(batch_, 0);
    EXPECT_EQ(f["event.time_invalid"], bad);
    EXPECT_EQ(f["url.original"], "/x");
  }
  batch_.Clear();
  ASSERT_TRUE(Parse("10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1").ok());
  EXPECT_EQ(FieldsOf(batch_, 0).count("event.time_invalid"), 0u);
}

TEST_F(AccessLogTest, MalformedRecordsAreRefusedWithReason) {
  struct Case {
    const char* line;
    const char* reason;
  } cases[] = {
      {"", "access log: empty line"},
      {"10.0.0.1 - - 01/Jan/2026 \"GET / HTTP/1.1\" 200 1",
       "access log: missing [time] after client, ident and user"},
      {"10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] GET / 200 1",
       "access log: missing quoted request line"},
      {"10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" abc 1",
       "access log: bad status code"},
      {"10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"r\" ua",
       "access log: missing quoted user agent after referer"},
  };
  for (const Case& c : cases) {
    Status st = Parse(c.line);
    EXPECT_FALSE(st.ok()) << c.line;
    EXPECT_EQ(st.message(), c.reason) << c.line;
  }
  EXPECT_EQ(batch_.size(), 0u);
}

TEST(SniffTest, DetectsAccessLog) {
  std::string_view lines[] = {
      "10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"curl\"",
      "10.0.0.2 - - [01/Jan/2026:00:00:01 +0000] \"GET /x HTTP/1.1\" 404 1 \"-\" \"curl\""};
  EXPECT_EQ(Sniff(lines), Format::kAccess);
  std::string_view junk[] = {"hello", "world"};
  EXPECT_EQ(Sniff(junk), Format::kAuto);
}

TEST(FormatNameTest, RoundTrip) {
  Format f = Format::kAuto;
  ASSERT_TRUE(ParseFormatName("windows", &f));
  EXPECT_EQ(f, Format::kWindows);
  EXPECT_EQ(FormatName(Format::kBodyLog), "bodylog");
  EXPECT_FALSE(ParseFormatName("csv", &f));
}

}  // namespace
}  // namespace rampart::parse
