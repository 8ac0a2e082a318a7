#pragma once
// Thin RAII wrappers over sqlite3 handles and one error mapping, shared by every stage that
// opens a Rampart SQLite file (day files, tokens, query).

#include <algorithm>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "core/status.h"

namespace rampart::store {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// "<what>: <SQLite message>" as Corruption (not a database, damaged), Unavailable (busy,
// locked: retry later) or IoError (everything else). `rc` is the failing call's result
// code; 0 takes the connection's last error code.
inline Status SqliteError(sqlite3* db, std::string_view what, int rc = 0) {
  if (rc == 0 && db != nullptr) {
    rc = sqlite3_extended_errcode(db);
  }
  std::string message =
      std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xFF) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Corruption(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(message);
    default:
      return IoError(message);
  }
}

inline Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    // Name the statement by its start only: a schema script is long and says nothing more.
    std::string_view what(sql);
    what = what.substr(0, std::min(what.find('\n'), size_t{48}));
    return IoError("sqlite: " + msg + " in: " + std::string(what));
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

}  // namespace rampart::store
