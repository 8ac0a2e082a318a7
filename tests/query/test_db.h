#pragma once
// Test helper: day files with exactly the store's schema (store/store.h), written with
// plain sqlite3 so query tests do not depend on the store's writer.

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "query/internal/util.h"
#include "store/store.h"

namespace rampart::query::testing {

struct TestEvent {
  std::string ts;  // ISO-8601
  std::string dataset = "nginx.access";
  std::optional<std::string> source_ip;
  std::optional<std::string> user_name;
  std::string fields = "{}";  // the fields JSON, as the store writes it
  std::string raw;
};

inline int64_t Ns(const std::string& iso) {
  int64_t ns = 0;
  EXPECT_TRUE(internal::ParseIsoTime(iso, &ns)) << iso;
  return ns;
}

// A fresh directory, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rampart-query-XXXXXX").string();
    char* made = mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes <dir>/tenants/<tenant>/events-<day>.db with `events`. `wal` leaves the file in
// WAL mode like the live writer does.
inline store::DayFile MakeDayFile(const std::string& dir,
                                  const std::string& tenant,
                                  const std::string& day,
                                  const std::vector<TestEvent>& events,
                                  bool wal = false) {
  const std::filesystem::path folder = std::filesystem::path(dir) / "tenants" / tenant;
  std::filesystem::create_directories(folder);
  store::DayFile file;
  file.tenant = tenant;
  file.day = day;
  file.path = (folder / ("events-" + day + ".db")).string();
  file.day_start_ns = Ns(day);
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.path.c_str(), &db), SQLITE_OK);
  const char* schema =
      "CREATE TABLE events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, tenant TEXT NOT NULL, "
      "dataset TEXT NOT NULL, source_ip TEXT, user_name TEXT, fields TEXT NOT NULL, "
      "raw TEXT NOT NULL);"
      "CREATE INDEX events_ts ON events(ts);";
  EXPECT_EQ(sqlite3_exec(db, schema, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  if (wal) {
    EXPECT_EQ(sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db,
                               "INSERT INTO events(ts, tenant, dataset, source_ip, user_name, "
                               "fields, raw) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               -1, &st, nullptr),
            SQLITE_OK);
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  for (const TestEvent& e : events) {
    sqlite3_bind_int64(st, 1, Ns(e.ts));
    sqlite3_bind_text(st, 2, tenant.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, e.dataset.c_str(), -1, SQLITE_TRANSIENT);
    if (e.source_ip) {
      sqlite3_bind_text(st, 4, e.source_ip->c_str(), -1, SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(st, 4);
    }
    if (e.user_name) {
      sqlite3_bind_text(st, 5, e.user_name->c_str(), -1, SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(st, 5);
    }
    sqlite3_bind_text(st, 6, e.fields.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, e.raw.c_str(), -1, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db);
    sqlite3_reset(st);
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return file;
}

}  // namespace rampart::query::testing
