// The per-tenant control database (incidents, decisions): one file beside the day files,
// never touched by retention (it keeps what analysts and operators decided).

#include <sqlite3.h>

#include <filesystem>
#include <string>

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
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
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

}  // namespace rampart::store
