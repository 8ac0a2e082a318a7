#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "query/internal/util.h"
#include "query/query.h"

namespace rampart::query {
namespace {

Cell List(std::vector<std::string> v) {
  Cell c;
  c.type = Cell::Type::kList;
  c.list = std::move(v);
  return c;
}

std::string Table(const ResultSet& r) {
  std::ostringstream out;
  WriteTable(r, out);
  return out.str();
}
std::string Json(const ResultSet& r) {
  std::ostringstream out;
  WriteJson(r, out);
  return out.str();
}
std::string Csv(const ResultSet& r) {
  std::ostringstream out;
  WriteCsv(r, out);
  return out.str();
}

TEST(OutputTest, TableAlignsWideCharactersAndNumbers) {
  ResultSet r;
  r.columns = {"user.name", "count"};
  r.rows = {{Cell::Text("홍길동"), Cell::Int(3)},
            {Cell::Text("alice"), Cell::Int(12)},
            {Cell::Text("김"), Cell::Int(100000)}};
  EXPECT_EQ(Table(r),
            "user.name   count\n"
            "---------  ------\n"
            "홍길동          3\n"
            "alice          12\n"
            "김         100000\n");
}

TEST(OutputTest, TableWideColumnBeforeNarrowOne) {
  ResultSet r;
  r.columns = {"사용자", "raw"};
  r.rows = {{Cell::Text("홍길동"), Cell::Text("로그인 실패")}, {Cell::Text("bob"), Cell()}};
  // "사용자" and "홍길동" are both six columns wide; the last column is not padded.
  EXPECT_EQ(Table(r),
            "사용자  raw\n"
            "------  -----------\n"
            "홍길동  로그인 실패\n"
            "bob\n");
}

TEST(OutputTest, TableEscapesControlCharactersAndCutsLongCells) {
  ResultSet r;
  r.columns = {"a", "b"};
  r.rows = {{Cell::Text(std::string(70, 'x')), Cell::Text("line1\nline2\t\x01 end")},
            {List({"p", "q"}), Cell::Time(0)}};
  const std::string cut = std::string(63, 'x') + "\xE2\x80\xA6";
  EXPECT_EQ(Table(r), "a" + std::string(63, ' ') + "  b\n" + std::string(64, '-') + "  " +
                          std::string(24, '-') + "\n" + cut + "  line1\\nline2\\t\\x01 end\n" +
                          "p, q" + std::string(60, ' ') + "  1970-01-01T00:00:00.000Z\n");
}

TEST(OutputTest, TableOfEvents) {
  ResultSet r;
  r.shape = ResultSet::Shape::kEvents;
  r.columns = {"@timestamp", "event.dataset", "user.name", "raw"};
  EventRecord e;
  e.ts_ns = 1'763'604'000'123'000'000;
  e.tenant = "default";
  e.dataset = "linux.auth";
  e.raw = "sshd: 로그인 실패";
  e.fields = {{"user.name", Cell::Text("홍길동")}};
  r.events.push_back(e);
  EXPECT_EQ(Table(r),
            "@timestamp                event.dataset  user.name  raw\n"
            "------------------------  -------------  ---------  -----------------\n"
            "2025-11-20T02:00:00.123Z  linux.auth     홍길동     sshd: 로그인 실패\n");
}

TEST(OutputTest, EmptyResults) {
  ResultSet none;
  EXPECT_EQ(Table(none), "");
  EXPECT_EQ(Csv(none), "");
  ResultSet header_only;
  header_only.columns = {"count"};
  EXPECT_EQ(Table(header_only), "count\n-----\n");
  EXPECT_EQ(Json(header_only), "");
  EXPECT_EQ(Csv(header_only), "count\r\n");
}

TEST(OutputTest, JsonTableRows) {
  ResultSet r;
  r.columns = {"source.ip", "tags", "@timestamp", "count"};
  r.rows = {{Cell::Text("10.0.0.1"), List({"a", "b\"c"}), Cell::Time(1'500'000), Cell::Int(7)},
            {Cell(), List({}), Cell::Time(-1), Cell::Int(0)}};
  EXPECT_EQ(Json(r),
            "{\"source.ip\":\"10.0.0.1\",\"tags\":[\"a\",\"b\\\"c\"],"
            "\"@timestamp\":\"1970-01-01T00:00:00.001500Z\",\"count\":7}\n"
            "{\"source.ip\":null,\"tags\":[],\"@timestamp\":\"1969-12-31T23:59:59.999999999Z\","
            "\"count\":0}\n");
}

TEST(OutputTest, JsonEvents) {
  ResultSet r;
  r.shape = ResultSet::Shape::kEvents;
  r.columns = {"@timestamp", "raw"};
  EventRecord e;
  e.ts_ns = 0;
  e.tenant = "acme";
  e.dataset = "nginx.access";
  e.raw = "GET /\x01\xff \xed\x95\x9c";  // control char, invalid byte, then "한"
  e.fields = {{"tags", List({"x", "y"})}, {"url.path", Cell::Text("/")}};
  r.events.push_back(e);
  EXPECT_EQ(Json(r),
            "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"event.dataset\":\"nginx.access\","
            "\"tenant\":\"acme\",\"tags\":[\"x\",\"y\"],\"url.path\":\"/\","
            // The invalid byte is U+FFFD, escaped as core's one JSON escaper writes it.
            "\"raw\":\"GET /\\u0001\\ufffd \xED\x95\x9C\"}\n");
}

TEST(OutputTest, CsvQuotesPerRfc4180) {
  ResultSet r;
  r.columns = {"a,b", "plain", "multi"};
  r.rows = {{Cell::Text("say \"hi\""), Cell::Text("x"), Cell::Text("l1\nl2")},
            {Cell::Text("한국어"), Cell(), List({"p", "q,r"})},
            {Cell::Text("cr\rhere"), Cell::Int(-5), Cell::Text(" spaced ")}};
  EXPECT_EQ(Csv(r),
            "\"a,b\",plain,multi\r\n"
            "\"say \"\"hi\"\"\",x,\"l1\nl2\"\r\n"
            "한국어,,\"[\"\"p\"\",\"\"q,r\"\"]\"\r\n"
            "\"cr\rhere\",-5, spaced \r\n");
}

TEST(OutputTest, CsvOfEventsUsesDisplayColumns) {
  ResultSet r;
  r.shape = ResultSet::Shape::kEvents;
  r.columns = {"@timestamp", "source.ip", "raw"};
  EventRecord e;
  e.ts_ns = 1'000'000'000;
  e.raw = "a,b";
  r.events.push_back(e);
  EXPECT_EQ(Csv(r), "@timestamp,source.ip,raw\r\n1970-01-01T00:00:01.000Z,,\"a,b\"\r\n");
}

TEST(OutputTest, TableBuilderWritesWhatWriteTableWrites) {
  ResultSet r;
  r.columns = {"user.name", "count", "raw"};
  r.rows = {{Cell::Text("홍길동"), Cell::Int(3), Cell::Text("a\tb")},
            {Cell::Text(std::string(80, 'y')), Cell(), Cell::Text("로그인 실패")},
            {List({"p", "q"}), Cell::Int(100000), Cell()},
            {Cell::Text("short row")}};  // missing cells print as absent
  TableBuilder table(r.columns);
  for (const std::vector<Cell>& row : r.rows) {
    table.AddRow(row);
  }
  EXPECT_EQ(table.rows(), 4u);
  std::ostringstream built;
  table.Write(built);
  EXPECT_EQ(built.str(), Table(r));
  std::string lines;
  table.ForEachLine([&](std::string_view line) {
    EXPECT_EQ(line.find('\n'), std::string_view::npos);
    lines.append(line);
    lines.push_back('\n');
  });
  EXPECT_EQ(lines, Table(r));
  EXPECT_NE(lines.find(std::string(63, 'y') + "\xE2\x80\xA6"), std::string::npos);
  EXPECT_NE(lines.find("       3  a\\tb\n"), std::string::npos);  // count right-aligned
}

TEST(OutputTest, TableCellsOfMixedAsciiAndOtherText) {
  // Cells that start as plain ASCII and then hold a control character, an invalid byte or
  // Hangul: escaped and measured like the rest, wherever the first such byte is.
  ResultSet r;
  r.columns = {"a", "b"};
  r.rows = {{Cell::Text("abc\x7f"), Cell::Text("x")},
            {Cell::Text("ab\xff"), Cell::Text("x")},
            {Cell::Text("id 김"), Cell::Text("x")}};
  EXPECT_EQ(Table(r),
            "a        b\n"
            "-------  -\n"
            "abc\\x7f  x\n"
            "ab\xEF\xBF\xBD      x\n"
            "id 김    x\n");
}

TEST(OutputTest, CsvRowByRowIsWriteCsv) {
  ResultSet r;
  r.columns = {"a,b", "n", "l"};
  r.rows = {{Cell::Text("say \"hi\""), Cell::Int(-5), List({"p", "q,r"})},
            {Cell(), Cell(), Cell()}};
  std::ostringstream out;
  WriteCsvHeader(r.columns, out);
  for (const std::vector<Cell>& row : r.rows) {
    WriteCsvRow(row, out);
  }
  EXPECT_EQ(out.str(), Csv(r));
}

TEST(UtilTest, DisplayWidth) {
  EXPECT_EQ(internal::DisplayWidth("abc"), 3u);
  EXPECT_EQ(internal::DisplayWidth("홍길동"), 6u);
  EXPECT_EQ(internal::DisplayWidth("日本"), 4u);
  EXPECT_EQ(internal::DisplayWidth("ｆｕｌｌ"), 8u);          // full-width forms
  EXPECT_EQ(internal::DisplayWidth("e\xCC\x81"), 1u);         // e + combining acute
  EXPECT_EQ(internal::DisplayWidth("\xff\xfe"), 2u);          // invalid bytes: U+FFFD each
  EXPECT_EQ(internal::DisplayWidth("\xF0\x9F\x98\x80"), 2u);  // emoji
}

TEST(UtilTest, Numbers) {
  double v = 0;
  EXPECT_TRUE(internal::ParseNumber("500", &v));
  EXPECT_EQ(v, 500);
  EXPECT_TRUE(internal::ParseNumber("+1.5e3", &v));
  EXPECT_EQ(v, 1500);
  EXPECT_TRUE(internal::ParseNumber("-.5", &v));
  EXPECT_EQ(v, -0.5);
  EXPECT_TRUE(internal::ParseNumber("5.", &v));
  for (const char* bad : {"", "-", ".", "1e", "0x10", "inf", "nan", " 1", "1 ", "1e999", "1,5"}) {
    EXPECT_FALSE(internal::ParseNumber(bad, &v)) << bad;
  }
}

TEST(UtilTest, Cidr) {
  internal::IpNet net, ip;
  ASSERT_TRUE(internal::ParseCidr("10.0.0.0/8", &net));
  ASSERT_TRUE(internal::ParseIpOrNet("10.255.0.1", &ip));
  EXPECT_TRUE(internal::NetContains(net, ip));
  ASSERT_TRUE(internal::ParseIpOrNet("::ffff:10.1.1.1", &ip));
  EXPECT_TRUE(internal::NetContains(net, ip));
  ASSERT_TRUE(internal::ParseIpOrNet("11.0.0.1", &ip));
  EXPECT_FALSE(internal::NetContains(net, ip));
  ASSERT_TRUE(internal::ParseIpOrNet("10.1.0.0/16", &ip));  // a subnet is inside
  EXPECT_TRUE(internal::NetContains(net, ip));
  ASSERT_TRUE(internal::ParseIpOrNet("0.0.0.0/0", &ip));
  EXPECT_FALSE(internal::NetContains(net, ip));
  ASSERT_TRUE(internal::ParseCidr("2001:db8::/32", &net));
  ASSERT_TRUE(internal::ParseIpOrNet("2001:DB8:1::5", &ip));
  EXPECT_TRUE(internal::NetContains(net, ip));
  ASSERT_TRUE(internal::ParseIpOrNet("fe80::1%eth0", &ip));
  EXPECT_FALSE(internal::NetContains(net, ip));
  ASSERT_TRUE(internal::ParseCidr("10.1.2.3/13", &net));
  EXPECT_EQ(internal::FormatNet(net), "10.0.0.0/13");
  ASSERT_TRUE(internal::ParseCidr("2001:db8:ffff::1/33", &net));
  EXPECT_EQ(internal::FormatNet(net), "2001:db8:8000::/33");
  for (const char* bad : {"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "::/129", "x/8", "10.0.0/8",
                          "10.0.0.0/-1", "10.0.0.0/8/8"}) {
    EXPECT_FALSE(internal::ParseCidr(bad, &net)) << bad;
  }
}

TEST(UtilTest, Times) {
  int64_t ns = 0;
  ASSERT_TRUE(internal::ParseIsoTime("1970-01-01T00:00:01Z", &ns));
  EXPECT_EQ(ns, 1'000'000'000);
  ASSERT_TRUE(internal::ParseIsoTime("1970-01-01 09:00:00.5+09:00", &ns));
  EXPECT_EQ(ns, 500'000'000);
  ASSERT_TRUE(internal::ParseIsoTime("2026-11-20T10:00-0130", &ns));
  EXPECT_EQ(internal::FormatTime(ns), "2026-11-20T11:30:00.000Z");
  ASSERT_TRUE(internal::ParseIsoTime("2024-02-29T00:00:00.123456789Z", &ns));
  EXPECT_EQ(internal::FormatTime(ns), "2024-02-29T00:00:00.123456789Z");
  EXPECT_EQ(internal::FormatTime(-1'000), "1969-12-31T23:59:59.999999Z");
  for (const char* bad :
       {"2023-02-29", "2026-13-01", "2026-11-20T24:00", "2026-11-20T10", "2026-11-20T10:00:00+",
        "2026-11-20Z", "20261120", "1600-01-01", "2026-11-20T10:00:00.Z"}) {
    EXPECT_FALSE(internal::ParseIsoTime(bad, &ns)) << bad;
  }
  EXPECT_EQ(internal::FloorToInterval(-1, 10), -10);
  EXPECT_EQ(internal::FloorToInterval(19, 10), 10);
}

}  // namespace
}  // namespace rampart::query
