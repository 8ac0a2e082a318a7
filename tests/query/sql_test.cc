#include "query/internal/sql.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "query/query.h"

namespace rampart::query::internal {
namespace {

Query Parse(std::string_view text) {
  Result<Query> q = ParseQuery(text);
  EXPECT_TRUE(q.ok()) << text << ": " << q.status().message();
  return q.ok() ? *q : Query{};
}

SqlStatement Count(std::string_view text, TimeRange range = {}) {
  Result<SqlStatement> st = CountSql(Parse(text).filter, range);
  EXPECT_TRUE(st.ok()) << st.status().message();
  return st.ok() ? *st : SqlStatement{};
}

std::vector<std::string> TextParams(const SqlStatement& st) {
  std::vector<std::string> out;
  for (const SqlParam& p : st.params) {
    if (p.type == SqlParam::Type::kText) {
      out.push_back(p.s);
    }
  }
  return out;
}

// Prepares `sql` on an empty database with the store schema and runs it to the end.
void ExpectRuns(const SqlStatement& st) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, "
                         "tenant TEXT NOT NULL, dataset TEXT NOT NULL, source_ip TEXT, "
                         "user_name TEXT, fields TEXT NOT NULL, raw TEXT NOT NULL);"
                         "INSERT INTO events VALUES(1, 5, 't', 'd', '10.1.1.1', 'u', "
                         "'{\"a\":\"b\",\"r\":[\"x\",\"y\"]}', 'raw');",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  ASSERT_TRUE(RegisterFunctions(db).ok());
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db, st.sql.c_str(), -1, &stmt, nullptr);
  EXPECT_EQ(rc, SQLITE_OK) << sqlite3_errmsg(db) << "\n" << st.sql.substr(0, 2000);
  if (rc == SQLITE_OK) {
    EXPECT_TRUE(BindParams(stmt, st.params).ok());
    int step = 0;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    EXPECT_EQ(step, SQLITE_DONE) << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(SqlTest, FullStatementShape) {
  SqlStatement st = Count("NOT (a AND b)");
  EXPECT_EQ(st.sql,
            "SELECT COUNT(*) FROM events AS e WHERE ((NOT IFNULL(e.raw LIKE ?1 ESCAPE '\\', 0) "
            "OR NOT IFNULL(e.raw LIKE ?2 ESCAPE '\\', 0)))");
  EXPECT_EQ(TextParams(st), (std::vector<std::string>{"%a%", "%b%"}));
}

TEST(SqlTest, MatchAllAndTimeRange) {
  EXPECT_EQ(Count("*").sql, "SELECT COUNT(*) FROM events AS e WHERE 1");
  TimeRange range{100, 200};
  SqlStatement st = Count("a", range);
  EXPECT_EQ(st.sql,
            "SELECT COUNT(*) FROM events AS e WHERE e.ts >= ?1 AND e.ts < ?2 AND "
            "(e.raw LIKE ?3 ESCAPE '\\')");
  ASSERT_EQ(st.params.size(), 3u);
  EXPECT_EQ(st.params[0].i, 100);
  EXPECT_EQ(st.params[1].i, 200);
}

TEST(SqlTest, ColumnsAreTheFastPath) {
  EXPECT_EQ(Count("event.dataset:nginx.access").sql,
            "SELECT COUNT(*) FROM events AS e WHERE (e.dataset = ?1 COLLATE NOCASE)");
  EXPECT_EQ(Count("event.dataset:nginx.*").sql,
            "SELECT COUNT(*) FROM events AS e WHERE (e.dataset LIKE ?1 ESCAPE '\\')");
  // source.ip and user.name: the column first; `fields` only for repeated values.
  SqlStatement cidr = Count("source.ip:10.0.0.0/8");
  EXPECT_EQ(cidr.sql,
            "SELECT COUNT(*) FROM events AS e WHERE ((rampart_cidr(e.source_ip, ?1) OR "
            "(instr(e.fields, ?3) > 0 AND EXISTS (SELECT 1 FROM json_each(e.fields, ?2) AS j "
            "WHERE rampart_cidr(j.value, ?1)))))");
  EXPECT_EQ(TextParams(cidr),
            (std::vector<std::string>{"10.0.0.0/8", "$.\"source.ip\"", "\"source.ip\":["}));
  EXPECT_EQ(Count("@timestamp>=2026-01-01").sql,
            "SELECT COUNT(*) FROM events AS e WHERE (e.ts >= ?1)");
  EXPECT_EQ(Count("source.ip:*").sql,
            "SELECT COUNT(*) FROM events AS e WHERE (e.source_ip IS NOT NULL)");
  EXPECT_EQ(
      Count("tenant:acme").sql,
      "SELECT COUNT(*) FROM events AS e WHERE ((e.tenant = ?1 COLLATE NOCASE AND e.tenant = ?1 "
      "COLLATE BINARY))");
}

TEST(SqlTest, JsonFieldsUseBoundPaths) {
  SqlStatement st = Count("url.path:/login OR url.path:/admin*");
  EXPECT_EQ(st.sql,
            "SELECT COUNT(*) FROM events AS e WHERE ((EXISTS (SELECT 1 FROM json_each(e.fields, "
            "?1) AS j WHERE j.value = ?2 COLLATE NOCASE) OR EXISTS (SELECT 1 FROM "
            "json_each(e.fields, ?1) AS j WHERE j.value LIKE ?3 ESCAPE '\\')))");
  EXPECT_EQ(TextParams(st), (std::vector<std::string>{"$.\"url.path\"", "/login", "/admin%"}));
  EXPECT_EQ(Count("status>=500").sql,
            "SELECT COUNT(*) FROM events AS e WHERE (EXISTS (SELECT 1 FROM json_each(e.fields, "
            "?1) AS j WHERE rampart_num(j.value) >= ?2))");
  EXPECT_EQ(Count("url.query:*").sql,
            "SELECT COUNT(*) FROM events AS e WHERE (json_type(e.fields, ?1) IS NOT NULL)");
}

TEST(SqlTest, UserTextIsNeverSpliced) {
  const std::string evil = "x' OR 1=1; DROP TABLE events; --";
  SqlStatement st =
      Count("user.name:\"" + evil + "\" url.path:\"" + evil + "\" \"" + evil + "\" f-1:\"\\\"\"");
  EXPECT_EQ(st.sql.find("DROP"), std::string::npos) << st.sql;
  EXPECT_EQ(st.sql.find("1=1"), std::string::npos) << st.sql;
  const auto params = TextParams(st);
  EXPECT_NE(std::find(params.begin(), params.end(), evil), params.end());
  ExpectRuns(st);
}

TEST(SqlTest, FieldNamesThatCannotBeAPath) {
  Query q;
  q.filter.leaf.op = MatchOp::kEquals;
  q.filter.leaf.field = "a\"b";
  q.filter.leaf.value = "x";
  Result<SqlStatement> st = CountSql(q.filter, {});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().message(), "field name 'a\"b' cannot be searched (empty or contains '\"')");
}

TEST(SqlTest, GlobToLike) {
  EXPECT_EQ(GlobToLike("a*b?c"), "a%b_c");
  EXPECT_EQ(GlobToLike("100%_x"), "100\\%\\_x");
  EXPECT_EQ(GlobToLike("a\\*b\\?c\\\\d"), "a*b?c\\\\d");
  EXPECT_EQ(GlobToLike("C:\\\\Windows"), "C:\\\\Windows");
}

TEST(SqlTest, EventsOrderAndLimit) {
  Query q = Parse("a");
  Result<SqlStatement> by_time = EventsSql(q.filter, {}, nullptr, false, 101);
  ASSERT_TRUE(by_time.ok());
  EXPECT_EQ(by_time->sql,
            "SELECT e.id, e.ts, e.tenant, e.dataset, e.source_ip, e.user_name, e.fields, e.raw "
            "FROM events AS e WHERE (e.raw LIKE ?1 ESCAPE '\\') ORDER BY e.ts DESC, e.id DESC "
            "LIMIT ?2");
  const std::string field = "http.response.status_code";
  Result<SqlStatement> by_field = EventsSql(q.filter, {}, &field, true, 0);
  ASSERT_TRUE(by_field.ok());
  EXPECT_NE(by_field->sql.find("(SELECT j.value FROM json_each(e.fields, ?2) AS j LIMIT 1) AS k"),
            std::string::npos)
      << by_field->sql;
  EXPECT_NE(by_field->sql.find("ORDER BY (k IS NULL), (rampart_num(k) IS NULL), rampart_num(k) "
                               "DESC, k DESC, ts DESC, id DESC"),
            std::string::npos)
      << by_field->sql;
  ExpectRuns(*by_field);
}

TEST(SqlTest, GroupAndTimelineStatementsRun) {
  Query q = Parse("a OR NOT url.path:x");
  Result<SqlStatement> group = GroupSql(q.filter, {0, 100}, {"source.ip", "r"}, false);
  ASSERT_TRUE(group.ok());
  EXPECT_NE(group->sql.find("LEFT JOIN json_each(e.fields, "), std::string::npos);
  EXPECT_NE(group->sql.find("COUNT(DISTINCT e.id)"), std::string::npos);
  ExpectRuns(*group);
  Result<SqlStatement> top = GroupSql(q.filter, {}, {"source.ip"}, true);
  ASSERT_TRUE(top.ok());
  EXPECT_NE(top->sql.find(" AND j1.value IS NOT NULL GROUP BY 1"), std::string::npos) << top->sql;
  ExpectRuns(*top);
  Result<SqlStatement> top_dataset = GroupSql(q.filter, {}, {"event.dataset"}, true);
  ASSERT_TRUE(top_dataset.ok());
  EXPECT_NE(top_dataset->sql.find(" AND e.dataset IS NOT NULL GROUP BY 1"), std::string::npos)
      << top_dataset->sql;
  EXPECT_NE(top_dataset->sql.find("COUNT(*)"), std::string::npos);
  ExpectRuns(*top_dataset);
  Result<SqlStatement> timeline = TimelineSql(q.filter, {}, 3600LL * 1'000'000'000);
  ASSERT_TRUE(timeline.ok());
  ExpectRuns(*timeline);
}

// SQLite's parser stack holds ~100 symbols; a 64-deep query must still compile.
TEST(SqlTest, DeepQueriesAreHoistedIntoCtes) {
  std::string text = "url.path:/a*";
  for (int i = 0; i < kMaxDepth - 1; ++i) {
    text = "(NOT source.ip:10.0.0.0/8 " + std::string(i % 2 ? "OR" : "AND") + " r:x" +
           std::to_string(i) + " " + (i % 2 ? "AND" : "OR") + " " + text + ")";
  }
  Query q = Parse(text);
  Result<SqlStatement> st = EventsSql(q.filter, {0, 1000}, nullptr, false, 10);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->sql.rfind("WITH h1 AS (SELECT e.id FROM events AS e WHERE ", 0), 0u);
  ExpectRuns(*st);
  Result<SqlStatement> count = CountSql(q.filter, {});
  ASSERT_TRUE(count.ok());
  ExpectRuns(*count);
}

// Chains longer than kChunk add a parenthesis level each; with negated JSON leaves at the
// bottom this is the deepest SQL a query can produce per hoisting step.
TEST(SqlTest, DeepChunkedChainsRun) {
  std::string text = "url.path:/a*";
  for (int i = 0; i < 28; ++i) {
    const std::string op = i % 2 ? " OR " : " AND ";
    std::string level = "(";
    for (size_t k = 0; k < kChunk + 2; ++k) {
      level += (k == 0 ? "" : op) + std::string("NOT r:x");
    }
    text = level + op + text + ")";
  }
  Query q = Parse(text);
  Result<SqlStatement> st = EventsSql(q.filter, {0, 1000}, nullptr, false, 10);
  ASSERT_TRUE(st.ok());
  ExpectRuns(*st);
  // Sorting by a field nests the filter one subquery deeper.
  const std::string field = "url.path";
  Result<SqlStatement> sorted = EventsSql(q.filter, {0, 1000}, &field, true, 10);
  ASSERT_TRUE(sorted.ok());
  ExpectRuns(*sorted);
  Result<SqlStatement> group = GroupSql(q.filter, {}, {"source.ip", "r"}, false);
  ASSERT_TRUE(group.ok());
  ExpectRuns(*group);
}

TEST(SqlTest, ParenthesesAndNotsAtFullDepthRun) {
  std::string text = std::string(kMaxDepth, '(') + "r:x" + std::string(kMaxDepth, ')');
  ExpectRuns(Count(text));
  // NOT and "(" each take a level: 32 of each.
  std::string nots;
  for (int i = 0; i < kMaxDepth / 2; ++i) {
    nots += i % 2 ? "NOT (a OR " : "NOT (b ";
  }
  ExpectRuns(Count(nots + "c" + std::string(kMaxDepth / 2, ')')));
}

TEST(SqlTest, LongChainsStayUnderTheExpressionDepthLimit) {
  std::string text;
  for (size_t i = 0; i < kMaxTerms; ++i) {
    text += (i == 0 ? "" : " OR ") + std::string("source.ip:10.0.") + std::to_string(i % 256) +
            "." + std::to_string(i / 256);
  }
  ExpectRuns(Count(text));
  std::string ands;
  for (size_t i = 0; i < kMaxTerms; ++i) {
    ands += "w" + std::to_string(i) + " ";
  }
  ExpectRuns(Count(ands));
}

}  // namespace
}  // namespace rampart::query::internal
