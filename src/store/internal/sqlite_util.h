#pragma once
// Private to src/store: thin RAII wrappers over sqlite3 handles.

#include <string>
#include <string_view>

#include <sqlite3.h>

#include "core/status.h"

namespace rampart::store::internal {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

inline Status SqliteError(sqlite3* db, std::string_view what) {
  return IoError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

inline Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return IoError(std::string("sqlite: ") + msg + " in: " + sql);
  }
  return Status::Ok();
}

inline Result<StmtPtr> Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    return SqliteError(db, "prepare");
  }
  return StmtPtr(stmt);
}

// SQL that creates a day file's tables and indexes (docs/formats/store.md).
extern const char* const kSchemaSql;

}  // namespace rampart::store::internal
