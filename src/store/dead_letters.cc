// Reading, deleting and replay bookkeeping of stored dead letters.

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/strings.h"
#include "core/time_util.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace rampart::store {
namespace {

std::string Text(sqlite3_stmt* s, int i) {
  const auto* t = sqlite3_column_text(s, i);
  return t != nullptr ? std::string(reinterpret_cast<const char*>(t),
                                    static_cast<size_t>(sqlite3_column_bytes(s, i)))
                      : std::string();
}

Result<DbPtr> OpenReadOnly(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return SqliteError(raw, "open " + path, rc);
  }
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

// Reads the rows of `stmt` (id, received_ns, tenant, source, format, reason, raw).
Status ReadLetters(sqlite3* db,
                   sqlite3_stmt* stmt,
                   const DayFile& file,
                   std::vector<StoredDeadLetter>* out,
                   size_t limit) {
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (limit != 0 && out->size() >= limit) {
      return Status::Ok();
    }
    StoredDeadLetter d;
    d.path = file.path;
    d.rowid = sqlite3_column_int64(stmt, 0);
    d.id = file.tenant + "/" + file.day + "/" + std::to_string(d.rowid);
    d.letter.received_ns = sqlite3_column_int64(stmt, 1);
    d.letter.tenant = Text(stmt, 2);
    d.letter.source = Text(stmt, 3);
    d.letter.format = Text(stmt, 4);
    d.letter.reason = Text(stmt, 5);
    const void* blob = sqlite3_column_blob(stmt, 6);
    d.letter.raw.assign(static_cast<const char*>(blob),
                        blob != nullptr ? static_cast<size_t>(sqlite3_column_bytes(stmt, 6)) : 0);
    out->push_back(std::move(d));
  }
  if (rc != SQLITE_DONE) {
    return SqliteError(db, "read dead letters of " + file.path, rc);
  }
  return Status::Ok();
}

constexpr const char* kSelect =
    "SELECT id, received_ns, tenant, source, format, reason, raw FROM dead_letters";

}  // namespace

Result<std::vector<StoredDeadLetter>> ListDeadLetters(const std::string& data_dir,
                                                      const DeadLetterFilter& filter) {
  std::optional<std::string> tenant;
  if (!filter.tenant.empty()) {
    tenant = filter.tenant;
  }
  // A dead letter lives in the file of the day it was received: earlier days cannot hold
  // letters received since `since_ns`.
  RAMPART_ASSIGN_OR_RETURN(std::vector<DayFile> files,
                           ListDayFiles(data_dir, tenant, filter.since_ns, INT64_MAX));
  std::vector<StoredDeadLetter> out;
  for (const DayFile& f : files) {
    if (filter.limit != 0 && out.size() >= filter.limit) {
      break;
    }
    std::error_code ec;
    if (!std::filesystem::exists(f.path, ec)) {
      continue;  // removed by retention meanwhile
    }
    RAMPART_ASSIGN_OR_RETURN(DbPtr db, OpenReadOnly(f.path));
    auto stmt = Prepare(db.get(), std::string(kSelect) + " WHERE received_ns >= ? ORDER BY id");
    if (!stmt.ok()) {
      continue;  // a file without the table holds none
    }
    sqlite3_bind_int64(stmt->get(), 1, filter.since_ns);
    std::vector<StoredDeadLetter> letters;
    RAMPART_RETURN_IF_ERROR(ReadLetters(db.get(), stmt->get(), f, &letters, 0));
    for (StoredDeadLetter& d : letters) {
      if (!filter.reason.empty() && !ContainsIgnoreCase(d.letter.reason, filter.reason)) {
        continue;
      }
      if (filter.limit != 0 && out.size() >= filter.limit) {
        break;
      }
      out.push_back(std::move(d));
    }
  }
  return out;
}

Result<StoredDeadLetter> GetDeadLetter(const std::string& data_dir, std::string_view id) {
  // "<tenant>/<YYYY-MM-DD>/<row>"
  const size_t a = id.find('/');
  const size_t b = a == std::string_view::npos ? a : id.find('/', a + 1);
  int64_t row = 0;
  int64_t day_ns = 0;
  if (b == std::string_view::npos || !IsValidTenant(id.substr(0, a)) ||
      !ParseInt(id.substr(b + 1), &row) || row <= 0 ||
      !ParseIso8601(std::string(id.substr(a + 1, b - a - 1)) + "T00:00:00Z", &day_ns)) {
    return InvalidArgument(
        "a dead letter id is TENANT/YYYY-MM-DD/ROW (as `deadletters list` "
        "shows), not '" +
        std::string(id) + "'");
  }
  RAMPART_ASSIGN_OR_RETURN(
      std::vector<DayFile> files,
      ListDayFiles(data_dir, std::string(id.substr(0, a)), day_ns, day_ns + kNsPerDay));
  for (const DayFile& f : files) {
    if (f.day_start_ns != day_ns) {
      continue;
    }
    RAMPART_ASSIGN_OR_RETURN(DbPtr db, OpenReadOnly(f.path));
    auto stmt = Prepare(db.get(), std::string(kSelect) + " WHERE id = ?");
    if (!stmt.ok()) {
      break;
    }
    sqlite3_bind_int64(stmt->get(), 1, row);
    std::vector<StoredDeadLetter> found;
    RAMPART_RETURN_IF_ERROR(ReadLetters(db.get(), stmt->get(), f, &found, 1));
    if (!found.empty()) {
      return std::move(found[0]);
    }
  }
  return NotFound("no dead letter " + std::string(id));
}

Status DeleteDeadLetters(const std::vector<StoredDeadLetter>& letters) {
  std::map<std::string, std::vector<int64_t>> by_file;
  for (const StoredDeadLetter& d : letters) {
    by_file[d.path].push_back(d.rowid);
  }
  for (const auto& [path, rows] : by_file) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    DbPtr db(raw);
    if (rc != SQLITE_OK) {
      return SqliteError(raw, "open " + path, rc);
    }
    sqlite3_busy_timeout(raw, 10000);
    RAMPART_RETURN_IF_ERROR(Exec(raw, "BEGIN IMMEDIATE"));
    RAMPART_ASSIGN_OR_RETURN(StmtPtr del, Prepare(raw, "DELETE FROM dead_letters WHERE id = ?"));
    for (int64_t row : rows) {
      sqlite3_bind_int64(del.get(), 1, row);
      const int step = sqlite3_step(del.get());
      sqlite3_reset(del.get());
      if (step != SQLITE_DONE) {
        Status st = SqliteError(raw, "delete dead letter in " + path, step);
        (void)Exec(raw, "ROLLBACK");
        return st;
      }
    }
    RAMPART_RETURN_IF_ERROR(Exec(raw, "COMMIT"));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ReplayMarkers(const std::string& day_file_path) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::exists(day_file_path, ec)) {
    return out;
  }
  RAMPART_ASSIGN_OR_RETURN(DbPtr db, OpenReadOnly(day_file_path));
  auto stmt = Prepare(db.get(),
                      "SELECT json_extract(fields, '$.\"event.replayed_from\"') FROM events "
                      "WHERE instr(fields, '\"event.replayed_from\"') > 0");
  if (!stmt.ok()) {
    return out;  // no events table yet
  }
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
    out.push_back(Text(stmt->get(), 0));
  }
  if (rc != SQLITE_DONE) {
    return SqliteError(db.get(), "read " + day_file_path, rc);
  }
  return out;
}

}  // namespace rampart::store
