#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "query/query.h"
#include "test_db.h"

namespace rampart::query {
namespace {

using testing::MakeDayFile;
using testing::Ns;
using testing::TempDir;
using testing::TestEvent;

// Eight events over three days and two tenants; each raw record names its event (eN) so
// tests can state expected results as a list of names.
class ExecTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    shared_files_ = new std::vector<store::DayFile>();
    std::vector<store::DayFile>& files_ = *shared_files_;
    files_.push_back(MakeDayFile(
        dir_->path(), "default", "2026-11-18",
        {
            {"2026-11-18T10:00:00Z", "nginx.access", "10.0.0.5", "alice",
             R"({"url.path":"/login","http.response.status_code":"200","tags":["a","b","a"],)"
             R"("size":"512"})",
             R"(e1 10.0.0.5 - alice "GET /login HTTP/1.1" 200 512 "curl/8.0")"},
            {"2026-11-18T11:30:00Z", "nginx.access", "192.168.1.7", "bob",
             R"({"url.path":"/admin/users","http.response.status_code":"500","size":"abc"})",
             R"(e2 192.168.1.7 "POST /admin/users HTTP/1.1" 500)"},
            {"2026-11-18T23:59:59.999Z", "linux.auth", "2001:db8::1", "root",
             R"({"process.name":"sshd","event.outcome":"failure"})",
             "e3 sshd: Failed password for root from 2001:db8::1 port 22"},
        }));
    files_.push_back(MakeDayFile(
        dir_->path(), "default", "2026-11-19",
        {
            {"2026-11-19T00:00:00Z", "nginx.access", "10.1.2.3", std::nullopt,
             R"({"url.path":"/Login","http.response.status_code":"404","tags":"a","size":"64"})",
             "e4 GET /Login 404 Mozilla"},
            {"2026-11-19T05:00:00Z", "nginx.access", "10.0.0.5", "alice",
             R"({"url.path":"/search","url.query":"q=100%_off","http.response.status_code":"200",)"
             R"("http.request.bytes":"1500","size":"1500"})",
             "e5 GET /search?q=100%_off 200"},
            {"2026-11-19T05:00:00Z", "windows.sysmon", std::nullopt, "홍길동",
             R"({"CommandLine":"C:\\Windows\\System32\\cmd.exe /c whoami",)"
             R"("Image":"C:\\Windows\\System32\\cmd.exe","EventID":"1"})",
             R"(e6 {"EventID":1,"CommandLine":"cmd.exe /c whoami"})"},
        }));
    files_.push_back(MakeDayFile(
        dir_->path(), "acme", "2026-11-19",
        {
            {"2026-11-19T05:00:00Z", "nginx.access", "::ffff:10.9.9.9", std::nullopt,
             R"({"url.path":"/login","http.response.status_code":"503","tags":["b","c"]})",
             "e7 GET /login 503 acme"},
        }));
    files_.push_back(
        MakeDayFile(dir_->path(), "default", "2026-11-20",
                    {
                        {"2026-11-20T08:00:00Z", "nginx.access", "203.0.113.9", "alice",
                         R"({"url.path":"/login","http.response.status_code":"200",)"
                         R"("http.response.body.bytes":"-"})",
                         "e8 GET /login 200 from 203.0.113.9"},
                    }));
  }
  static void TearDownTestSuite() {
    delete shared_files_;
    delete dir_;
  }
  void SetUp() override { files_ = *shared_files_; }

  Result<ResultSet> Run(std::string_view text, TimeRange range = {}, ExecuteOptions opts = {}) {
    Result<Query> q = ParseQuery(text);
    EXPECT_TRUE(q.ok()) << text << ": " << q.status().message();
    if (!q.ok()) {
      return q.status();
    }
    return Execute(*q, files_, range, opts);
  }

  // Names (e1..e8) of the events a query returns, in result order.
  std::string Names(std::string_view text, TimeRange range = {}, ExecuteOptions opts = {}) {
    Result<ResultSet> r = Run(text, range, opts);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
    if (!r.ok()) {
      return "ERROR";
    }
    EXPECT_EQ(r->shape, ResultSet::Shape::kEvents) << text;
    std::string out;
    for (const EventRecord& e : r->events) {
      out += (out.empty() ? "" : " ") + e.raw.substr(0, 2);
    }
    return out;
  }

  // A table result as "a|b|c" rows joined by "; ".
  std::string Table(std::string_view text, TimeRange range = {}) {
    Result<ResultSet> r = Run(text, range);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
    if (!r.ok()) {
      return "ERROR";
    }
    std::ostringstream csv;
    WriteCsv(*r, csv);
    std::string s = csv.str();
    std::string out;
    for (char c : s) {
      if (c == '\r') {
        continue;
      }
      out += c == '\n' ? std::string("; ") : std::string(1, c == ',' ? '|' : c);
    }
    return out;
  }

  static TempDir* dir_;
  static std::vector<store::DayFile>* shared_files_;
  std::vector<store::DayFile> files_;  // per test: some tests add files
};

TempDir* ExecTest::dir_ = nullptr;
std::vector<store::DayFile>* ExecTest::shared_files_ = nullptr;

TEST_F(ExecTest, DefaultIsNewestFirstWithDeterministicTies) {
  // e5, e6 (default) and e7 (acme) share a timestamp: ties go by file (tenant), then id.
  EXPECT_EQ(Names("*"), "e8 e6 e5 e7 e4 e3 e2 e1");
  EXPECT_EQ(Names(""), "e8 e6 e5 e7 e4 e3 e2 e1");
}

TEST_F(ExecTest, FullTextIsCaseInsensitiveSubstringOfRaw) {
  EXPECT_EQ(Names("login"), "e8 e7 e4 e1");
  EXPECT_EQ(Names("LOGIN 200"), "e8 e1");
  EXPECT_EQ(Names("\"failed password\""), "e3");
  EXPECT_EQ(Names("adm*users"), "e2");
  // % and _ are literal characters, not LIKE wildcards.
  EXPECT_EQ(Names("\"100%_off\""), "e5");
  EXPECT_EQ(Names("\"100%%\""), "");
  EXPECT_EQ(Names("\"q=1_0\""), "");
}

TEST_F(ExecTest, EqualityAndWildcards) {
  EXPECT_EQ(Names("url.path:/login"), "e8 e7 e4 e1");  // case-insensitive: /Login too
  EXPECT_EQ(Names("url.path:\"/LOGIN\""), "e8 e7 e4 e1");
  EXPECT_EQ(Names("url.path:/admin*"), "e2");
  EXPECT_EQ(Names("url.path:/LOG?N"), "e8 e7 e4 e1");
  EXPECT_EQ(Names("url.query:q=1*"), "e5");
  EXPECT_EQ(Names("url.query:*100%_*"), "e5");
  EXPECT_EQ(Names("url.query:q=1%"), "");
  EXPECT_EQ(Names("event.dataset:NGINX.ACCESS url.path:/search"), "e5");
  EXPECT_EQ(Names("event.dataset:linux.*"), "e3");
  EXPECT_EQ(Names("tenant:acme"), "e7");
  // Regression: tenants "A" and "a" are two directories, but tenant:a matched both.
  EXPECT_EQ(Names("tenant:ACME"), "");
  EXPECT_EQ(Names("user.name:홍길동"), "e6");
  EXPECT_EQ(Names("CommandLine:*whoami*"), "e6");
  EXPECT_EQ(Names(R"(Image:"C:\Windows\System32\cmd.exe")"), "e6");
  EXPECT_EQ(Names("raw:e1*"), "e1");
}

TEST_F(ExecTest, ExistsAndNot) {
  EXPECT_EQ(Names("user.name:*"), "e8 e6 e5 e3 e2 e1");
  EXPECT_EQ(Names("url.query:*"), "e5");
  // NOT matches events without the field (e4 and e7 have no user).
  EXPECT_EQ(Names("NOT user.name:alice"), "e6 e7 e4 e3 e2");
  EXPECT_EQ(Names("-url.path:*"), "e6 e3");
  EXPECT_EQ(Names("NOT (event.dataset:nginx.access OR tenant:acme)"), "e6 e3");
}

TEST_F(ExecTest, CidrV4AndV6) {
  // ::ffff:10.9.9.9 (e7) is IPv4-mapped and counts as 10.9.9.9.
  EXPECT_EQ(Names("source.ip:10.0.0.0/8"), "e5 e7 e4 e1");
  EXPECT_EQ(Names("source.ip:10.0.0.0/24"), "e5 e1");
  EXPECT_EQ(Names("source.ip:192.168.0.0/16"), "e2");
  EXPECT_EQ(Names("source.ip:2001:db8::/32"), "e3");
  EXPECT_EQ(Names("source.ip:2001:db9::/32"), "");
  EXPECT_EQ(Names("NOT source.ip:10.0.0.0/8"), "e8 e6 e3 e2");
  EXPECT_EQ(Names("source.ip:(192.168.0.0/16 OR 2001:db8::/32)"), "e3 e2");
}

TEST_F(ExecTest, NumericComparisons) {
  EXPECT_EQ(Names("http.response.status_code>=500"), "e7 e2");
  EXPECT_EQ(Names("http.response.status_code:>=500"), "e7 e2");
  EXPECT_EQ(Names("http.response.status_code<300"), "e8 e5 e1");
  EXPECT_EQ(Names("http.response.status_code:[200 TO 404}"), "e8 e5 e1");
  EXPECT_EQ(Names("http.response.status_code:{200 TO *]"), "e7 e4 e2");
  // "-" is not a number, so it is neither > 0 nor <= 0.
  EXPECT_EQ(Names("http.response.body.bytes>0"), "");
  EXPECT_EQ(Names("http.response.body.bytes<=0"), "");
  EXPECT_EQ(Names("size>100"), "e5 e1");  // numeric, not text order ("1500" < "512")
  EXPECT_EQ(Names("NOT http.response.status_code>=400"), "e8 e6 e5 e3 e1");
  EXPECT_EQ(Names("@timestamp>=2026-11-19T05:00:00Z"), "e8 e6 e5 e7");
  EXPECT_EQ(Names("@timestamp:[2026-11-18T11:30:00Z TO 2026-11-19]"), "e4 e3 e2");
}

TEST_F(ExecTest, RepeatedFieldsMatchAnyValue) {
  EXPECT_EQ(Names("tags:b"), "e7 e1");
  EXPECT_EQ(Names("tags:a"), "e4 e1");  // e4 has a single value
  EXPECT_EQ(Names("tags:c*"), "e7");
  EXPECT_EQ(Names("tags:a AND tags:b"), "e1");
  EXPECT_EQ(Names("NOT tags:a"), "e8 e6 e5 e7 e3 e2");
}

TEST_F(ExecTest, TimeRangeSelectsDaysAndBoundsEvents) {
  TimeRange day19{Ns("2026-11-19"), Ns("2026-11-20")};
  EXPECT_EQ(Names("*", day19), "e6 e5 e7 e4");
  Result<ResultSet> r = Run("*", day19);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->files_searched, 2u);  // the two 2026-11-19 files only
  TimeRange evening{Ns("2026-11-18T11:00:00Z"), Ns("2026-11-19T01:00:00Z")};
  EXPECT_EQ(Names("*", evening), "e4 e3 e2");
}

TEST_F(ExecTest, Count) {
  EXPECT_EQ(Table("* | count"), "count; 8; ");
  EXPECT_EQ(Table("login | count"), "count; 4; ");
  EXPECT_EQ(Table("nothing-matches | count"), "count; 0; ");
  TimeRange day19{Ns("2026-11-19"), Ns("2026-11-20")};
  EXPECT_EQ(Table("| count", day19), "count; 4; ");
}

TEST_F(ExecTest, CountByMergesAcrossFiles) {
  EXPECT_EQ(Table("| count by event.dataset"),
            "event.dataset|count; nginx.access|6; linux.auth|1; windows.sysmon|1; ");
  EXPECT_EQ(Table("event.dataset:nginx.access | count by url.path, tenant"),
            "url.path|tenant|count; /login|default|2; /Login|default|1; /admin/users|default|1; "
            "/login|acme|1; /search|default|1; ");
  // Events without the field form a group of their own (empty in CSV, null in JSON).
  EXPECT_EQ(Table("| count by user.name"),
            "user.name|count; alice|3; |2; bob|1; root|1; 홍길동|1; ");
  // A repeated field counts each distinct value once per event (e1 has a twice).
  EXPECT_EQ(Table("| count by tags"), "tags|count; |5; a|2; b|2; c|1; ");
  EXPECT_EQ(Table("| count by @timestamp | sort count desc | head 1"),
            "@timestamp|count; 2026-11-19T05:00:00.000Z|3; ");
}

TEST_F(ExecTest, TopReranksMergedCounts) {
  // /login: 2 in default files + 1 in acme; a per-file top 1 would be wrong.
  EXPECT_EQ(Table("| top 2 url.path"), "url.path|count; /login|3; /Login|1; ");
  Result<ResultSet> r = Run("| top 2 url.path");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->truncated);
  // Events without the field are not a value.
  EXPECT_EQ(Table("| top url.path"),
            "url.path|count; /login|3; /Login|1; /admin/users|1; /search|1; ");
  EXPECT_EQ(Table("| top 1 tags"), "tags|count; a|2; ");
  EXPECT_EQ(Table("| top 3 source.ip | sort source.ip"),
            "source.ip|count; 10.0.0.5|2; 10.1.2.3|1; 192.168.1.7|1; ");
}

TEST_F(ExecTest, TimelineFillsEmptyBuckets) {
  EXPECT_EQ(Table("event.dataset:nginx.access | timeline 1d"),
            "@timestamp|count; 2026-11-18T00:00:00.000Z|2; 2026-11-19T00:00:00.000Z|3; "
            "2026-11-20T00:00:00.000Z|1; ");
  EXPECT_EQ(Table("event.dataset:nginx.access | timeline 12h"),
            "@timestamp|count; 2026-11-18T00:00:00.000Z|2; 2026-11-18T12:00:00.000Z|0; "
            "2026-11-19T00:00:00.000Z|3; 2026-11-19T12:00:00.000Z|0; "
            "2026-11-20T00:00:00.000Z|1; ");
  // A bounded range is covered whole, before and after the data.
  TimeRange range{Ns("2026-11-17T00:00:00Z"), Ns("2026-11-19T00:00:00Z")};
  EXPECT_EQ(Table("| timeline 1d", range),
            "@timestamp|count; 2026-11-17T00:00:00.000Z|0; 2026-11-18T00:00:00.000Z|3; ");
  EXPECT_EQ(Table("| timeline 1d | sort count desc | head 1"),
            "@timestamp|count; 2026-11-19T00:00:00.000Z|4; ");
  EXPECT_EQ(Table("nothing-matches | timeline 1h"), "@timestamp|count; ");
}

TEST_F(ExecTest, TimelineRejectsTooManyBuckets) {
  Result<ResultSet> r = Run("| timeline 1s");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "timeline would have 165601 buckets (at most 100000); use a larger interval or a "
            "shorter time range");
}

TEST_F(ExecTest, FieldsProjects) {
  EXPECT_EQ(Table("url.path:/login | fields @timestamp, url.path, tags, user.name"),
            "@timestamp|url.path|tags|user.name; "
            "2026-11-20T08:00:00.000Z|/login||alice; "
            "2026-11-19T05:00:00.000Z|/login|\"[\"\"b\"\"|\"\"c\"\"]\"|; "
            "2026-11-19T00:00:00.000Z|/Login|a|; "
            "2026-11-18T10:00:00.000Z|/login|\"[\"\"a\"\"|\"\"b\"\"|\"\"a\"\"]\"|alice; ");
}

TEST_F(ExecTest, SortNumericThenTextThenMissing) {
  EXPECT_EQ(Names("| sort http.response.status_code desc"), "e7 e2 e4 e8 e5 e1 e6 e3");
  EXPECT_EQ(Names("| sort http.response.status_code"), "e1 e5 e8 e4 e2 e7 e3 e6");
  EXPECT_EQ(Names("| sort size"), "e4 e1 e5 e2 e3 e7 e6 e8");
  EXPECT_EQ(Names("| sort size desc"), "e5 e1 e4 e2 e8 e6 e7 e3");
  EXPECT_EQ(Names("| sort @timestamp"), "e1 e2 e3 e4 e7 e5 e6 e8");
  EXPECT_EQ(Names("| sort user.name"), "e1 e5 e8 e2 e3 e6 e4 e7");
  EXPECT_EQ(Names("| sort tags"), "e1 e4 e7 e2 e3 e5 e6 e8");  // first value of a repeated field
}

TEST_F(ExecTest, HeadAndLimitPushdown) {
  EXPECT_EQ(Names("| head 3"), "e8 e6 e5");
  Result<ResultSet> one = Run("| head 1");
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->truncated);
  // Two candidates are needed (one more than asked, to know about truncation): 2026-11-20
  // has one, so both 2026-11-19 files are read; 2026-11-18 cannot reach the result.
  EXPECT_EQ(one->files_searched, 3u);
  Result<ResultSet> oldest = Run("| sort @timestamp | head 2");
  ASSERT_TRUE(oldest.ok());
  EXPECT_EQ(oldest->events.size(), 2u);
  EXPECT_EQ(oldest->files_searched, 1u);  // 2026-11-18 has three events: enough
  EXPECT_EQ(Names("| sort http.response.status_code desc | head 2"), "e7 e2");
  EXPECT_EQ(Names("| head 8"), "e8 e6 e5 e7 e4 e3 e2 e1");
  Result<ResultSet> all = Run("| head 8");
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(all->truncated);
}

TEST_F(ExecTest, HeadBeforeSortSortsTheHead) {
  // The five newest events (e8 e6 e5 e7 e4), then ordered by path; ties by time, file and
  // id in the sort's direction, as when the sort runs in SQL.
  EXPECT_EQ(Names("| head 5 | sort url.path"), "e4 e7 e8 e5 e6");
  EXPECT_EQ(Names("| head 5 | sort @timestamp"), "e4 e7 e5 e6 e8");
  EXPECT_EQ(Names("| sort @timestamp | head 5"), "e1 e2 e3 e4 e7");
  EXPECT_EQ(Names("| head 5 | sort url.path | head 2"), "e4 e7");
  EXPECT_EQ(Names("| head 5 | sort url.path desc"), "e5 e8 e7 e4 e6");
}

TEST_F(ExecTest, ChainedPipes) {
  EXPECT_EQ(Table("event.dataset:nginx.access | fields url.path, http.response.status_code | "
                  "sort http.response.status_code desc | head 2"),
            "url.path|http.response.status_code; /login|503; /admin/users|500; ");
  EXPECT_EQ(Table("| count by event.dataset | sort event.dataset | head 2"),
            "event.dataset|count; linux.auth|1; nginx.access|6; ");
  EXPECT_EQ(Table("| count by event.dataset, tenant | fields tenant, count | sort count"),
            "tenant|count; default|1; acme|1; default|1; default|5; ");
}

TEST_F(ExecTest, DefaultLimit) {
  ExecuteOptions opts;
  opts.default_limit = 2;
  Result<ResultSet> r = Run("*", {}, opts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->events.size(), 2u);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(Names("| head 4", {}, opts), "e8 e6 e5 e7");  // head overrides the default
  opts.default_limit = 0;
  EXPECT_EQ(Names("*", {}, opts), "e8 e6 e5 e7 e4 e3 e2 e1");
}

TEST_F(ExecTest, EventRecordsAndDefaultColumns) {
  Result<ResultSet> r = Run("url.path:/search");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->columns, (std::vector<std::string>{"@timestamp", "event.dataset", "source.ip",
                                                  "user.name", "raw"}));
  std::ostringstream json;
  WriteJson(*r, json);
  EXPECT_EQ(json.str(),
            R"({"@timestamp":"2026-11-19T05:00:00.000Z","event.dataset":"nginx.access",)"
            R"("tenant":"default","http.request.bytes":"1500","http.response.status_code":"200",)"
            R"("size":"1500","source.ip":"10.0.0.5","url.path":"/search",)"
            R"("url.query":"q=100%_off","user.name":"alice","raw":"e5 GET /search?q=100%_off 200"})"
            "\n");
  Result<ResultSet> all = Run("*");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->columns, (std::vector<std::string>{"@timestamp", "tenant", "event.dataset",
                                                    "source.ip", "user.name", "raw"}));
  Result<ResultSet> sysmon = Run("event.dataset:windows.sysmon");
  ASSERT_TRUE(sysmon.ok());
  EXPECT_EQ(sysmon->columns,
            (std::vector<std::string>{"@timestamp", "event.dataset", "user.name", "raw"}));
  std::ostringstream sysmon_json;
  WriteJson(*sysmon, sysmon_json);
  EXPECT_EQ(sysmon_json.str(),
            R"({"@timestamp":"2026-11-19T05:00:00.000Z","event.dataset":"windows.sysmon",)"
            R"("tenant":"default","CommandLine":"C:\\Windows\\System32\\cmd.exe /c whoami",)"
            R"("EventID":"1","Image":"C:\\Windows\\System32\\cmd.exe","user.name":"홍길동",)"
            R"("raw":"e6 {\"EventID\":1,\"CommandLine\":\"cmd.exe /c whoami\"}"})"
            "\n");
}

TEST_F(ExecTest, CountByJson) {
  Result<ResultSet> r = Run("| count by user.name | head 2");
  ASSERT_TRUE(r.ok());
  std::ostringstream json;
  WriteJson(*r, json);
  EXPECT_EQ(json.str(),
            "{\"user.name\":\"alice\",\"count\":3}\n{\"user.name\":null,\"count\":2}\n");
}

TEST_F(ExecTest, MissingAndEmptyFilesAreSkipped) {
  store::DayFile gone = files_[0];
  gone.path = dir_->path() + "/tenants/default/events-2026-11-10.db";
  gone.day = "2026-11-10";
  gone.day_start_ns = Ns("2026-11-10");
  files_.push_back(gone);
  const std::string empty_path = dir_->path() + "/empty.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(empty_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE other(x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  store::DayFile empty = gone;
  empty.path = empty_path;
  files_.push_back(empty);
  Result<ResultSet> r = Run("| count");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows[0][0].number, 8);
  EXPECT_EQ(r->files_searched, 4u);
}

TEST_F(ExecTest, CorruptFileIsAnErrorNamingIt) {
  store::DayFile bad = files_[0];
  bad.path = dir_->path() + "/bad.db";
  {
    std::ofstream out(bad.path);
    out << "this is not a database, just text that is long enough to have a header....."
        << std::string(4096, 'x');
  }
  files_.push_back(bad);
  Result<ResultSet> r = Run("| count");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find(bad.path), std::string_view::npos) << r.status().message();
}

TEST_F(ExecTest, EmptyRangeIsRejected) {
  Result<ResultSet> r = Run("*", TimeRange{5, 5});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "the time range is empty");
}

// A repeated source.ip: the column holds the first value, `fields` the array of all.
TEST(ExecRepeatedColumnTest, SourceIpArrayInFields) {
  TempDir dir;
  store::DayFile file = MakeDayFile(
      dir.path(), "default", "2026-11-20",
      {{"2026-11-20T01:00:00Z", "nginx.access", "1.1.1.1", "bob",
        R"({"source.ip":["1.1.1.1","10.20.30.40"]})", "xff"},
       {"2026-11-20T02:00:00Z", "nginx.access", "10.0.0.1", std::nullopt, "{}", "single"}});
  auto run = [&](std::string_view text) {
    Result<Query> q = ParseQuery(text);
    EXPECT_TRUE(q.ok());
    Result<ResultSet> r = Execute(*q, {file}, {});
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::ostringstream out;
    WriteJson(*r, out);
    return out.str();
  };
  EXPECT_EQ(run("source.ip:10.20.30.40 | fields raw"), "{\"raw\":\"xff\"}\n");
  EXPECT_EQ(run("source.ip:10.0.0.0/8 | fields raw, source.ip"),
            "{\"raw\":\"single\",\"source.ip\":\"10.0.0.1\"}\n"
            "{\"raw\":\"xff\",\"source.ip\":[\"1.1.1.1\",\"10.20.30.40\"]}\n");
  EXPECT_EQ(run("NOT source.ip:10.20.* | fields raw"), "{\"raw\":\"single\"}\n");
  EXPECT_EQ(run("| count by source.ip"),
            "{\"source.ip\":\"1.1.1.1\",\"count\":1}\n{\"source.ip\":\"10.0.0.1\",\"count\":1}\n"
            "{\"source.ip\":\"10.20.30.40\",\"count\":1}\n");
  EXPECT_EQ(run("| count by user.name"),
            "{\"user.name\":\"bob\",\"count\":1}\n{\"user.name\":null,\"count\":1}\n");
  EXPECT_EQ(run("| top 1 user.name"), "{\"user.name\":\"bob\",\"count\":1}\n");
  EXPECT_EQ(run("| sort source.ip desc | fields raw"), "{\"raw\":\"single\"}\n{\"raw\":\"xff\"}\n");
}

// The live writer keeps the file in WAL mode with recent rows only in the -wal file.
TEST(ExecWalTest, ReadsWalFilesWhileTheWriterHoldsThem) {
  TempDir dir;
  store::DayFile file = MakeDayFile(
      dir.path(), "default", "2026-11-20",
      {{"2026-11-20T01:00:00Z", "nginx.access", "10.0.0.1", std::nullopt, "{}", "first"}},
      /*wal=*/true);
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(file.path.c_str(), &writer), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer, "PRAGMA wal_autocheckpoint=0", nullptr, nullptr, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer,
                         "INSERT INTO events(ts, tenant, dataset, fields, raw) VALUES "
                         "(1763604000000000000, 'default', 'nginx.access', '{}', 'second')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  ASSERT_TRUE(std::filesystem::exists(file.path + "-wal"));
  Result<Query> q = ParseQuery("| count");
  ASSERT_TRUE(q.ok());
  Result<ResultSet> r = Execute(*q, {file}, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows[0][0].number, 2);
  // An open write transaction does not block readers in WAL mode.
  ASSERT_EQ(sqlite3_exec(writer,
                         "BEGIN IMMEDIATE; INSERT INTO events(ts, tenant, dataset, "
                         "fields, raw) VALUES (1, 'default', 'd', '{}', 'third')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  r = Execute(*q, {file}, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows[0][0].number, 2);
  sqlite3_exec(writer, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(writer);
}

}  // namespace
}  // namespace rampart::query
