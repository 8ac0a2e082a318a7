// Fuzzes the query language: any bytes must either parse or fail with a positioned error,
// and every parsed query must compile to SQL that SQLite accepts and runs (no parser
// stack overflow, no expression-depth or variable-count errors, no bad JSON paths).

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "query/internal/sql.h"
#include "query/query.h"

namespace {

using rampart::query::internal::SqlStatement;

sqlite3* SchemaDb() {
  static sqlite3* db = [] {
    sqlite3* d = nullptr;
    if (sqlite3_open(":memory:", &d) != SQLITE_OK ||
        sqlite3_exec(d,
                     "CREATE TABLE events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, "
                     "tenant TEXT NOT NULL, dataset TEXT NOT NULL, source_ip TEXT, "
                     "user_name TEXT, fields TEXT NOT NULL, raw TEXT NOT NULL);"
                     "INSERT INTO events VALUES(1, 1763604000000000000, 'default', "
                     "'nginx.access', '10.0.0.1', 'alice', "
                     "'{\"url.path\":\"/login\",\"status\":\"200\",\"tags\":[\"a\",\"b\"]}', "
                     "'GET /login 200');"
                     "INSERT INTO events VALUES(2, -5, 'acme', 'linux.auth', '2001:db8::1', NULL, "
                     "'{}', 'sshd failed');",
                     nullptr, nullptr, nullptr) != SQLITE_OK ||
        !rampart::query::internal::RegisterFunctions(d).ok()) {
      std::abort();
    }
    return d;
  }();
  return db;
}

void MustRun(const rampart::Result<SqlStatement>& st) {
  if (!st.ok()) {
    std::abort();  // the parser only produces compilable trees
  }
  sqlite3* db = SchemaDb();
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, st->sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK ||
      !rampart::query::internal::BindParams(stmt, st->params).ok()) {
    std::abort();
  }
  int rc = 0;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) {
    std::abort();
  }
  sqlite3_finalize(stmt);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace q = rampart::query;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  q::QueryError error;
  rampart::Result<q::Query> query = q::ParseQuery(text, &error);
  if (!query.ok()) {
    if (error.column == 0 || error.message.empty() ||
        q::FormatQueryError(text, error).find('^') == std::string::npos) {
      std::abort();
    }
    return 0;
  }
  (void)q::ToString(*query);
  const q::TimeRange range{0, 2'000'000'000'000'000'000};
  MustRun(q::internal::CountSql(query->filter, range));
  MustRun(q::internal::EventsSql(query->filter, {}, nullptr, false, 10));
  for (const q::Pipe& p : query->pipes) {
    if (p.kind == q::PipeKind::kSort || p.kind == q::PipeKind::kTop) {
      MustRun(q::internal::EventsSql(query->filter, range, &p.fields[0], p.descending, 5));
    }
    if (p.kind == q::PipeKind::kCountBy || p.kind == q::PipeKind::kTop) {
      MustRun(q::internal::GroupSql(query->filter, range, p.fields, p.kind == q::PipeKind::kTop));
    }
    if (p.kind == q::PipeKind::kTimeline) {
      MustRun(q::internal::TimelineSql(query->filter, range, p.interval_ns));
    }
  }
  return 0;
}
