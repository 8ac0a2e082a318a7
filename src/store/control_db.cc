// The per-tenant control database (incidents, decisions): one file beside the day files,
// never touched by retention (it keeps what analysts and operators decided).

#include <filesystem>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "store/sqlite.h"
#include "store/store.h"

namespace rampart::store {

Result<DbPtr> OpenControlDb(const std::string& data_dir, const std::string& tenant) {
  if (!IsValidTenant(tenant)) {
    return InvalidArgument("invalid tenant name '" + tenant + "'");
  }
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(data_dir) / "tenants" / tenant;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return IoError("create " + dir.string() + ": " + ec.message());
  }
  const std::string path = (dir / "control.db").string();
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return SqliteError(raw, "open " + path);
  }
  // The server and CLI commands write it at once; a writer waits rather than fails.
  sqlite3_busy_timeout(raw, 10000);
  RAMPART_RETURN_IF_ERROR(Exec(raw, "PRAGMA journal_mode=WAL"));
  RAMPART_RETURN_IF_ERROR(Exec(raw, "PRAGMA synchronous=NORMAL"));
  return db;
}

Result<std::string> ReadEventRaw(const std::string& data_dir,
                                 const std::string& location,
                                 int64_t rowid) {
  // tenants/<tenant>/events-YYYY-MM-DD.db, nothing else (a reference must not reach
  // files outside the data directory).
  namespace fs = std::filesystem;
  const fs::path rel(location);
  auto it = rel.begin();
  std::vector<std::string> parts;
  for (; it != rel.end(); ++it) {
    parts.push_back(it->string());
  }
  if (parts.size() != 3 || parts[0] != "tenants" || !IsValidTenant(parts[1]) ||
      !parts[2].starts_with("events-") || !parts[2].ends_with(".db")) {
    return InvalidArgument("'" + location + "' is not a day file of the data directory");
  }
  const std::string path = (fs::path(data_dir) / rel).string();
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    DbPtr guard(raw);
    return NotFound(location + " is gone (retention?)");
  }
  DbPtr db(raw);
  sqlite3_busy_timeout(raw, 5000);
  RAMPART_ASSIGN_OR_RETURN(StmtPtr st, Prepare(raw, "SELECT raw FROM events WHERE id = ?1"));
  sqlite3_bind_int64(st.get(), 1, rowid);
  if (sqlite3_step(st.get()) != SQLITE_ROW) {
    return NotFound("no event row " + std::to_string(rowid) + " in " + location);
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
  return std::string(text == nullptr ? "" : text,
                     static_cast<size_t>(sqlite3_column_bytes(st.get(), 0)));
}

}  // namespace rampart::store
