#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "query/internal/util.h"
#include "query/query.h"

namespace rampart::query {
namespace {

std::string Parsed(std::string_view text) {
  QueryError error;
  Result<Query> q = ParseQuery(text, &error);
  if (!q.ok()) {
    return "ERROR: " + std::string(q.status().message());
  }
  return ToString(*q);
}

// The error message including " at column N".
std::string Error(std::string_view text) {
  Result<Query> q = ParseQuery(text);
  EXPECT_FALSE(q.ok()) << text;
  if (q.ok()) {
    return "parsed: " + ToString(*q);
  }
  EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
  return std::string(q.status().message());
}

TEST(ParserTest, EmptyAndStarMatchEverything) {
  EXPECT_EQ(Parsed(""), "*");
  EXPECT_EQ(Parsed("   "), "*");
  EXPECT_EQ(Parsed("*"), "*");
  EXPECT_EQ(Parsed("| count"), "* | count");
}

TEST(ParserTest, PrecedenceNotOverAndOverOr) {
  EXPECT_EQ(Parsed("a b OR c"), R"((or (and (text "a") (text "b")) (text "c")))");
  EXPECT_EQ(Parsed("a OR b c"), R"((or (text "a") (and (text "b") (text "c"))))");
  EXPECT_EQ(Parsed("a AND b OR c AND d"),
            R"((or (and (text "a") (text "b")) (and (text "c") (text "d"))))");
  EXPECT_EQ(Parsed("NOT a b"), R"((and (not (text "a")) (text "b")))");
  EXPECT_EQ(Parsed("a AND NOT b OR c"), R"((or (and (text "a") (not (text "b"))) (text "c")))");
  EXPECT_EQ(Parsed("NOT NOT a"), R"((not (not (text "a"))))");
  EXPECT_EQ(Parsed("(a OR b) c"), R"((and (or (text "a") (text "b")) (text "c")))");
  EXPECT_EQ(Parsed("a OR b OR c"), R"((or (text "a") (text "b") (text "c")))");
}

TEST(ParserTest, ImplicitAndBetweenAdjacentTerms) {
  EXPECT_EQ(Parsed("a b c"), R"((and (text "a") (text "b") (text "c")))");
  EXPECT_EQ(Parsed("status:500 \"GET /\""), R"((and (eq "status" "500") (text "GET /")))");
  EXPECT_EQ(Parsed("(a)(b)"), R"((and (text "a") (text "b")))");
}

TEST(ParserTest, KeywordsAnyCaseAndSymbols) {
  EXPECT_EQ(Parsed("a and b or not c"), R"((or (and (text "a") (text "b")) (not (text "c"))))");
  EXPECT_EQ(Parsed("a && b || !c"), R"((or (and (text "a") (text "b")) (not (text "c"))))");
  EXPECT_EQ(Parsed("a||b"), R"((or (text "a") (text "b")))");
  EXPECT_EQ(Parsed("-a b"), R"((and (not (text "a")) (text "b")))");
  EXPECT_EQ(Parsed("-user.name:root"), R"((not (eq "user.name" "root")))");
  EXPECT_EQ(Parsed("-(a b)"), R"((not (and (text "a") (text "b"))))");
  // A lone or inner '-' is an ordinary word; a quoted keyword is a word.
  EXPECT_EQ(Parsed("a - b"), R"((and (text "a") (text "-") (text "b")))");
  EXPECT_EQ(Parsed("x-y"), R"((text "x-y"))");
  EXPECT_EQ(Parsed("\"and\" \"OR\""), R"((and (text "and") (text "OR")))");
}

TEST(ParserTest, FieldTerms) {
  EXPECT_EQ(Parsed("event.dataset:nginx.access"), R"((eq "event.dataset" "nginx.access"))");
  EXPECT_EQ(Parsed("user.name: root"), R"((eq "user.name" "root"))");
  EXPECT_EQ(Parsed("url.path:/admin*"), R"((like "url.path" "/admin*"))");
  EXPECT_EQ(Parsed("url.path:/a?c"), R"((like "url.path" "/a?c"))");
  EXPECT_EQ(Parsed("url.query:*"), R"((exists "url.query"))");
  EXPECT_EQ(Parsed("@timestamp:*"), R"((exists "@timestamp"))");
  EXPECT_EQ(Parsed("CommandLine:*mimikatz*"), R"((like "CommandLine" "*mimikatz*"))");
  EXPECT_EQ(Parsed("사용자:홍길동"), R"((eq "사용자" "홍길동"))");
  // A word starting with a digit is never a field name: 10.0.0.1:80 is full text.
  EXPECT_EQ(Parsed("10.0.0.1:80"), R"((text "10.0.0.1:80"))");
  // Values may contain ':' (IPv6, times, URLs).
  EXPECT_EQ(Parsed("source.ip:fe80::1"), R"((eq "source.ip" "fe80::1"))");
}

TEST(ParserTest, QuotingAndEscapes) {
  EXPECT_EQ(Parsed(R"(url.path:"/a b\"c\\d")"), R"((eq "url.path" "/a b\"c\\d"))");
  // No wildcards inside quotes.
  EXPECT_EQ(Parsed(R"(url.path:"/admin*")"), R"((eq "url.path" "/admin*"))");
  EXPECT_EQ(Parsed(R"("a*b")"), R"((text "a\\*b"))");
  // A backslash before an ordinary character stays (Windows paths).
  EXPECT_EQ(Parsed(R"(Image:"C:\Windows\System32\cmd.exe")"),
            R"((eq "Image" "C:\\Windows\\System32\\cmd.exe"))");
  EXPECT_EQ(Parsed(R"(Image:C:\Windows\*)"), R"((eq "Image" "C:\\Windows*"))");
  EXPECT_EQ(Parsed(R"(a\*b)"), R"((text "a\\*b"))");
  EXPECT_EQ(Parsed(R"(path:a\ b)"), R"((eq "path" "a b"))");
  EXPECT_EQ(Parsed(R"(x:\(y\))"), R"q((eq "x" "(y)"))q");
  EXPECT_EQ(Parsed(R"("한국어 구문")"), R"((text "한국어 구문"))");
}

TEST(ParserTest, Cidr) {
  EXPECT_EQ(Parsed("source.ip:10.0.0.0/8"), R"((cidr "source.ip" "10.0.0.0/8"))");
  EXPECT_EQ(Parsed("source.ip:10.1.2.3/8"), R"((cidr "source.ip" "10.0.0.0/8"))");
  EXPECT_EQ(Parsed("destination.ip:2001:db8::/32"), R"((cidr "destination.ip" "2001:db8::/32"))");
  EXPECT_EQ(Parsed("source.ip:10.0.0.1"), R"((eq "source.ip" "10.0.0.1"))");
  // Not a network: an ordinary value.
  EXPECT_EQ(Parsed("url.path:/a/8"), R"((eq "url.path" "/a/8"))");
  EXPECT_EQ(Parsed("source.ip:10.0.0.0/33"), R"((eq "source.ip" "10.0.0.0/33"))");
}

TEST(ParserTest, NumericComparisonsAndRanges) {
  EXPECT_EQ(Parsed("status>=500"), R"((range "status" >= 500))");
  EXPECT_EQ(Parsed("status>5"), R"((range "status" > 5))");
  EXPECT_EQ(Parsed("bytes<1e3"), R"((range "bytes" < 1000))");
  EXPECT_EQ(Parsed("t<=-0.5"), R"((range "t" <= -0.5))");
  EXPECT_EQ(Parsed("status:>=500"), R"((range "status" >= 500))");
  EXPECT_EQ(Parsed("status >=500"), R"((and (text "status") (text ">=500")))");
  EXPECT_EQ(Parsed("status:[200 TO 299]"),
            R"((and (range "status" >= 200) (range "status" <= 299)))");
  EXPECT_EQ(Parsed("status:{200 TO 300}"),
            R"((and (range "status" > 200) (range "status" < 300)))");
  EXPECT_EQ(Parsed("status:[500 TO *]"), R"((range "status" >= 500))");
  EXPECT_EQ(Parsed("status:[* TO *]"), R"((exists "status"))");
  EXPECT_EQ(Parsed("@timestamp>=2026-11-20T09:00:00+09:00"),
            R"((range "@timestamp" >= 2026-11-20T00:00:00.000Z))");
  EXPECT_EQ(Parsed("@timestamp:[2026-11-20 TO 2026-11-21}"),
            R"((and (range "@timestamp" >= 2026-11-20T00:00:00.000Z) )"
            R"((range "@timestamp" < 2026-11-21T00:00:00.000Z)))");
  EXPECT_EQ(Parsed("@timestamp:2026-11-20T10:00:00.5Z"),
            R"((eq "@timestamp" 2026-11-20T10:00:00.500Z))");
}

TEST(ParserTest, FieldGroups) {
  EXPECT_EQ(Parsed("user.name:(alice OR bob*)"),
            R"((or (eq "user.name" "alice") (like "user.name" "bob*")))");
  EXPECT_EQ(Parsed("status:(>=500 AND NOT 503)"),
            R"((and (range "status" >= 500) (not (eq "status" "503"))))");
  EXPECT_EQ(Parsed("source.ip:(10.0.0.0/8 OR ::1)"),
            R"((or (cidr "source.ip" "10.0.0.0/8") (eq "source.ip" "::1")))");
  EXPECT_EQ(Parsed(R"(m:("a b" c))"), R"((and (eq "m" "a b") (eq "m" "c")))");
}

TEST(ParserTest, Pipes) {
  EXPECT_EQ(Parsed("status>=500 | count"), R"((range "status" >= 500) | count)");
  EXPECT_EQ(Parsed("* | count by source.ip, user.name | sort count desc | head 5"),
            "* | count by source.ip, user.name | sort count desc | head 5");
  EXPECT_EQ(Parsed("| COUNT BY a,b"), "* | count by a, b");
  EXPECT_EQ(Parsed("| top 3 url.path"), "* | top 3 url.path");
  EXPECT_EQ(Parsed("| top url.path"), "* | top 10 url.path");
  EXPECT_EQ(Parsed("| timeline 1h"), "* | timeline 1h");
  EXPECT_EQ(Parsed("| timeline 90m"), "* | timeline 90m");
  EXPECT_EQ(Parsed("| timeline 3600s"), "* | timeline 1h");
  EXPECT_EQ(Parsed("| timeline 2d | sort count desc"), "* | timeline 2d | sort count desc");
  EXPECT_EQ(Parsed("a | fields @timestamp,url.path | sort url.path | head 5"),
            R"((text "a") | fields @timestamp, url.path | sort url.path asc | head 5)");
  EXPECT_EQ(Parsed("| head"), "* | head 10");
  EXPECT_EQ(Parsed("| head 5 | sort status"), "* | head 5 | sort status asc");
  EXPECT_EQ(Parsed("| top 5 a | fields a"), "* | top 5 a | fields a");
}

TEST(ParserTest, ErrorsCarryColumns) {
  EXPECT_EQ(Error("source.ip:1.2.3.4 )"), "unexpected ')' at column 19");
  EXPECT_EQ(Error("(a OR b"),
            "expected ')' to close '(' at column 1, found end of query at column 8");
  EXPECT_EQ(Error("a AND"), "expected a term after 'AND' at column 6");
  EXPECT_EQ(Error("a OR OR b"), "unexpected 'OR' at column 6");
  EXPECT_EQ(Error("a NOT"), "expected a term after 'NOT' at column 6");
  EXPECT_EQ(Error("OR a"), "unexpected 'OR' at column 1");
  EXPECT_EQ(Error("a ()"), "empty parentheses at column 4");
  EXPECT_EQ(Error("msg:\"abc"), "unterminated quoted string at column 5");
  EXPECT_EQ(Error("status>=abc"), "expected a number after '>=', found 'abc' at column 9");
  EXPECT_EQ(Error("status>="), "expected a number after '>=' at column 9");
  EXPECT_EQ(Error("url.path: "), "expected a value after 'url.path:' at column 11");
  EXPECT_EQ(Error("(url.path:)"), "expected a value after 'url.path:' at column 11");
  EXPECT_EQ(Error("status:[1 2]"), "expected 'TO' in range at column 11");
  EXPECT_EQ(Error("status:[1 TO 2"),
            "expected ']' or '}' to close the range opened at column 8, found end of query at "
            "column 15");
  EXPECT_EQ(Error("status:[1 TO 2 3]"),
            "expected ']' or '}' to close the range opened at column 8, found '3' at column 16");
  EXPECT_EQ(Error("@timestamp:yesterday"),
            "expected an ISO-8601 time for @timestamp, found 'yesterday' at column 1");
  EXPECT_EQ(Error("@timestamp:2026*"),
            "wildcards are not supported on @timestamp; use a range at column 1");
  EXPECT_EQ(Error("a AND | count"), "expected a term after 'AND' at column 7");
}

TEST(ParserTest, ColumnsCountCharactersNotBytes) {
  EXPECT_EQ(Error("사용자:홍길동 )"), "unexpected ')' at column 9");
}

TEST(ParserTest, PipeErrors) {
  EXPECT_EQ(Error("a |"), "expected a command after '|' at column 4");
  EXPECT_EQ(Error("| frob"),
            "unknown command 'frob'; expected count, top, timeline, fields, sort or head at "
            "column 3");
  EXPECT_EQ(Error("| head x"),
            "expected a count from 1 to 1000000 after 'head', found 'x' at "
            "column 8");
  EXPECT_EQ(Error("| head 0"),
            "expected a count from 1 to 1000000 after 'head', found '0' at "
            "column 8");
  EXPECT_EQ(Error("| head 5 | count"),
            "'count' must be the first command after the search at column 12");
  EXPECT_EQ(Error("| count | head 5"),
            "'head' cannot follow 'count', which returns one row at column 11");
  EXPECT_EQ(Error("| count by a | sort b"),
            "unknown column 'b'; the columns here are: a, count at column 21");
  EXPECT_EQ(Error("| fields a, b | sort c"),
            "unknown column 'c'; the columns here are: a, b at column 22");
  EXPECT_EQ(Error("| timeline 1h | fields x"),
            "unknown column 'x'; the columns here are: @timestamp, count at column 24");
  EXPECT_EQ(Error("| sort a | sort b"), "only one 'sort' is allowed at column 12");
  EXPECT_EQ(Error("| count by"), "expected a field name after 'by' at column 11");
  EXPECT_EQ(Error("| count by a,"), "expected a field name after ',' at column 14");
  EXPECT_EQ(Error("| fields a,a"), "field 'a' is listed twice at column 12");
  EXPECT_EQ(Error("| count frob"),
            "expected 'by' or the end of the command after 'count', found 'frob' at column 9");
  EXPECT_EQ(Error("| timeline"),
            "expected an interval like 30s, 5m, 1h or 1d after 'timeline' "
            "at column 11");
  EXPECT_EQ(Error("| timeline 5x"),
            "expected an interval like 30s, 5m, 1h or 1d after 'timeline' (at most 366d), "
            "found '5x' at column 12");
  EXPECT_EQ(Error("| head 5 extra"), "unexpected 'extra' after 'head' at column 10");
  EXPECT_EQ(Error("| sort 9x"), "invalid field name '9x' at column 8");
  EXPECT_EQ(Error("| top 5 count"),
            "'count' is the name of the result column of 'top' at column 3");
}

TEST(ParserTest, DepthLimitIsEnforced) {
  auto nested = [](int depth) {
    return std::string(depth, '(') + "a" + std::string(depth, ')');
  };
  EXPECT_TRUE(ParseQuery(nested(kMaxDepth)).ok());
  EXPECT_EQ(Error(nested(kMaxDepth + 1)), "query nests deeper than 64 levels at column 65");
  // Far deeper input fails the same way instead of exhausting the stack.
  EXPECT_EQ(Error(nested(30000)), "query nests deeper than 64 levels at column 65");

  std::string nots;
  for (int i = 0; i < kMaxDepth; ++i) {
    nots += "NOT ";
  }
  EXPECT_TRUE(ParseQuery(nots + "a").ok());
  EXPECT_EQ(Error(nots + "NOT a"), "query nests deeper than 64 levels at column 257");
  EXPECT_EQ(Error(std::string(60000, '!') + "a"), "query nests deeper than 64 levels at column 65");

  std::string groups =
      "f:" + std::string(kMaxDepth + 1, '(') + "a" + std::string(kMaxDepth + 1, ')');
  EXPECT_EQ(Error(groups), "query nests deeper than 64 levels at column 67");
}

TEST(ParserTest, SizeLimits) {
  std::string many;
  for (size_t i = 0; i <= kMaxTerms; ++i) {
    many += "w ";
  }
  EXPECT_EQ(Error(many), "query has more than 1024 terms at column 2049");
  EXPECT_EQ(Error(std::string(kMaxQueryBytes + 1, 'a')),
            "query is longer than 65536 bytes at column 1");
}

TEST(ParserTest, FormatQueryErrorDrawsCaret) {
  QueryError error;
  const std::string text = "source.ip:1.2.3.4 )";
  ASSERT_FALSE(ParseQuery(text, &error).ok());
  EXPECT_EQ(error.column, 19u);
  EXPECT_EQ(error.message, "unexpected ')'");
  EXPECT_EQ(FormatQueryError(text, error),
            "error: unexpected ')' at column 19\n"
            "  source.ip:1.2.3.4 )\n"
            "                    ^\n");
}

TEST(ParserTest, FormatQueryErrorCaretUnderWideCharacters) {
  QueryError error;
  const std::string text = "사용자:홍길동\t)";
  ASSERT_FALSE(ParseQuery(text, &error).ok());
  EXPECT_EQ(error.column, 9u);
  // Each Hangul syllable is two columns wide; the tab is shown as one space.
  EXPECT_EQ(FormatQueryError(text, error),
            "error: unexpected ')' at column 9\n"
            "  사용자:홍길동 )\n"
            "                ^\n");
}

// Every query in the examples section of docs/query.md parses.
TEST(ParserTest, DocumentedExamplesParse) {
  std::ifstream in(RAMPART_SOURCE_DIR "/docs/query.md");
  ASSERT_TRUE(in.good()) << "docs/query.md not found";
  std::string line;
  bool in_examples = false, in_block = false;
  int parsed = 0;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      in_examples = line == "## Examples";
    } else if (in_examples && line.rfind("```", 0) == 0) {
      in_block = !in_block;
    } else if (in_block && !line.empty() && line[0] != '#') {
      EXPECT_EQ(Parsed(line).rfind("ERROR", 0), std::string::npos) << line << ": " << Parsed(line);
      ++parsed;
    }
  }
  EXPECT_GE(parsed, 5);
}

TEST(ParserTest, TimeBounds) {
  const int64_t now = 1'800'000'000LL * 1'000'000'000;
  const int64_t hour = 3600LL * 1'000'000'000;
  EXPECT_EQ(*ParseTimeBound("now", now), now);
  EXPECT_EQ(*ParseTimeBound("NOW", now), now);
  EXPECT_EQ(*ParseTimeBound("-1h", now), now - hour);
  EXPECT_EQ(*ParseTimeBound("-15m", now), now - hour / 4);
  EXPECT_EQ(*ParseTimeBound("now-7d", now), now - 7 * 24 * hour);
  EXPECT_EQ(*ParseTimeBound("-2w", now), now - 14 * 24 * hour);
  EXPECT_EQ(*ParseTimeBound("now+30s", now), now + 30LL * 1'000'000'000);
  int64_t expected = 0;
  ASSERT_TRUE(internal::ParseIsoTime("2026-11-20T01:00:00Z", &expected));
  EXPECT_EQ(*ParseTimeBound("2026-11-20T10:00:00+09:00", now), expected);
  EXPECT_EQ(*ParseTimeBound(" 2026-11-20T01:00:00Z ", now), expected);
  ASSERT_TRUE(internal::ParseIsoTime("2026-11-20T00:00:00Z", &expected));
  EXPECT_EQ(*ParseTimeBound("2026-11-20", now), expected);

  Result<int64_t> bad = ParseTimeBound("yesterday", now);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "invalid time 'yesterday': expected 'now', a relative time such as -15m, -1h, -7d, "
            "now-2w, or ISO-8601 such as 2026-11-20T10:00:00Z");
  EXPECT_FALSE(ParseTimeBound("-1y", now).ok());
  EXPECT_FALSE(ParseTimeBound("-h", now).ok());
  EXPECT_FALSE(ParseTimeBound("2026-02-30", now).ok());
  EXPECT_FALSE(ParseTimeBound("-999999999w", now).ok());  // overflows int64 ns
}

TEST(ParserTest, TimeRange) {
  const int64_t now = 1'800'000'000LL * 1'000'000'000;
  Result<TimeRange> all = ParseTimeRange("", "", now);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->from_ns, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(all->to_ns, std::numeric_limits<int64_t>::max());
  Result<TimeRange> day = ParseTimeRange("-1d", "now", now);
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(day->to_ns - day->from_ns, 86400LL * 1'000'000'000);
  Result<TimeRange> empty = ParseTimeRange("now", "-1h", now);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(),
            "the time range is empty: --from (now) must be before --to (-1h)");
}

}  // namespace
}  // namespace rampart::query
