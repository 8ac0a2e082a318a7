#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/time_util.h"
#include "store/store.h"
#include "store_test_util.h"

namespace rampart::store {
namespace {
namespace fs = std::filesystem;

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTestDir("rampart_store_");
    WriterOptions o;
    o.data_dir = dir_.string();
    auto w = EventWriter::Open(o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    writer_ = std::move(w).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static int64_t T(const char* iso) {
    int64_t ns = 0;
    EXPECT_TRUE(ParseIso8601(iso, &ns));
    return ns;
  }

  void Add(EventBatch& b, int64_t ts, std::string_view tenant, const char* raw) {
    Event& e = b.BeginEvent();
    e.timestamp_ns = ts;
    e.tenant = tenant;
    e.dataset = "test.ds";
    e.raw = b.Copy(raw);
  }

  std::string Query(const std::string& path, const char* sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    std::string out;
    while (sqlite3_step(s) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        const auto* t = sqlite3_column_text(s, i);
        out += t ? reinterpret_cast<const char*>(t) : "NULL";
        out += i + 1 < sqlite3_column_count(s) ? "|" : "\n";
      }
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
  }

  fs::path dir_;
  std::unique_ptr<EventWriter> writer_;
};

TEST_F(WriterTest, WritesEventsPerTenantAndDayWithPromotedColumnsAndArrays) {
  EventBatch b;
  Add(b, T("2026-11-20T10:00:00Z"), "default", "line one");
  b.AddField(field::kSourceIp, "10.0.0.1");
  b.AddField(field::kUserName, "kim");
  b.AddField(field::kUrlPath, "/a\"b");
  FieldId item = FieldDict::Intern("body.items.name");
  b.AddField(item, "x");
  b.AddField(item, "y");
  b.AddField(kDroppedField, "secret");
  b.CommitEvent();
  Add(b, T("2026-11-21T00:00:01Z"), "acme", "line two");
  b.CommitEvent();
  ASSERT_TRUE(writer_->Write(b, {}, {}).ok());

  auto files = ListDayFiles(dir_.string(), std::nullopt, INT64_MIN, INT64_MAX);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].day, "2026-11-20");
  EXPECT_EQ((*files)[0].tenant, "default");
  EXPECT_EQ((*files)[1].tenant, "acme");
  EXPECT_EQ(Query((*files)[0].path,
                  "SELECT tenant, dataset, source_ip, user_name, fields, raw "
                  "FROM events"),
            "default|test.ds|10.0.0.1|kim|{\"url.path\":\"/a\\\"b\",\"body.items.name\":"
            "[\"x\",\"y\"]}|line one\n");
  EXPECT_EQ(Query((*files)[1].path, "SELECT tenant, source_ip, fields FROM events"),
            "acme|NULL|{}\n");
  auto one = ListDayFiles(dir_.string(), std::string("acme"), INT64_MIN, INT64_MAX);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  auto range = ListDayFiles(dir_.string(), std::nullopt, T("2026-11-21T05:00:00Z"), INT64_MAX);
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->size(), 1u);
  EXPECT_EQ(writer_->stats().events, 2u);
}

TEST_F(WriterTest, CheckpointsCommitWithTheLastEvent) {
  EventBatch b;
  Add(b, T("2026-11-20T10:00:00Z"), "default", "x");
  b.CommitEvent();
  DeadLetter d{"default", "file:/tmp/a.log",        "access", "access log: bad status code",
               "junk",    T("2026-11-20T10:00:01Z")};
  ASSERT_TRUE(writer_->Write(b, {d}, {{"file:/tmp/a.log", "1:2", 100}}).ok());
  b.Clear();
  Add(b, T("2026-11-21T10:00:00Z"), "default", "y");
  b.CommitEvent();
  ASSERT_TRUE(writer_->Write(b, {}, {{"file:/tmp/a.log", "1:2", 250}}).ok());
  auto cp = writer_->LoadCheckpoint("file:/tmp/a.log");
  ASSERT_TRUE(cp.ok());
  ASSERT_TRUE(cp->has_value());
  EXPECT_EQ((*cp)->offset, 250u);
  EXPECT_EQ((*cp)->file_id, "1:2");
  auto none = writer_->LoadCheckpoint("file:/other");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto files = ListDayFiles(dir_.string(), std::nullopt, INT64_MIN, INT64_MAX);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(Query((*files)[0].path, "SELECT source, format, reason, raw FROM dead_letters"),
            "file:/tmp/a.log|access|access log: bad status code|junk\n");
}

TEST_F(WriterTest, RetentionDeletesWholeOldDays) {
  EventBatch b;
  Add(b, T("2026-11-01T10:00:00Z"), "default", "old");
  b.CommitEvent();
  Add(b, T("2026-11-20T10:00:00Z"), "default", "new");
  b.CommitEvent();
  ASSERT_TRUE(writer_->Write(b, {}, {}).ok());
  auto removed = writer_->ApplyRetention(7, T("2026-11-21T00:00:00Z"));
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  auto files = ListDayFiles(dir_.string(), std::nullopt, INT64_MIN, INT64_MAX);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].day, "2026-11-20");
}

TEST_F(WriterTest, RejectsBadTenantWithoutWritingAnything) {
  EventBatch b;
  Add(b, T("2026-11-20T10:00:00Z"), "default", "fine");
  b.CommitEvent();
  Add(b, T("2026-11-20T10:00:00Z"), "../etc", "bad");
  b.CommitEvent();
  Status st = writer_->Write(b, {}, {});
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "invalid tenant name '../etc'");
  auto files = ListDayFiles(dir_.string(), std::nullopt, INT64_MIN, INT64_MAX);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(Query((*files)[0].path, "SELECT count(*) FROM events"), "0\n");
}

TEST_F(WriterTest, DeadLettersGoToTheirOwnTenantsFile) {
  // Regression: a batch's dead letters went to the file of its last event, so bob's raw
  // record ended up under tenants/alice and expired on alice's schedule.
  EventBatch b;
  Add(b, T("2026-11-20T10:00:00Z"), "alice", "alice's event");
  b.CommitEvent();
  DeadLetter d{"bob",
               "http:bob",
               "json",
               "json: invalid JSON",
               "bob's secret record",
               T("2026-11-21T08:00:00Z")};
  ASSERT_TRUE(writer_->Write(b, {d}, {}).ok());
  const std::string alice = (dir_ / "tenants/alice/events-2026-11-20.db").string();
  const std::string bob = (dir_ / "tenants/bob/events-2026-11-21.db").string();
  EXPECT_EQ(Query(alice, "SELECT count(*) FROM dead_letters"), "0\n");
  EXPECT_EQ(Query(bob, "SELECT tenant, raw FROM dead_letters"), "bob|bob's secret record\n");
}

TEST_F(WriterTest, AnEmptyDeadLetterIsStored) {
  // Regression: an empty record bound a null blob: "NOT NULL constraint failed:
  // dead_letters.raw", which then stopped all intake.
  DeadLetter d{"default", "http", "json", "json: empty record", "", T("2026-11-20T10:00:00Z")};
  ASSERT_TRUE(writer_->Write(EventBatch(), {d}, {}).ok());
  const std::string path = (dir_ / "tenants/default/events-2026-11-20.db").string();
  EXPECT_EQ(Query(path, "SELECT length(raw), typeof(raw) FROM dead_letters"), "0|blob\n");
}

TEST_F(WriterTest, AWriteOverTooManyFilesIsRefusedNotFatal) {
  EventBatch b;
  for (int i = 0; i < 40; ++i) {
    Add(b, T("2026-01-01T00:00:00Z") + i * kNsPerDay, "default", "e");
    b.CommitEvent();
  }
  Status st = writer_->Write(b, {}, {});
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  // Nothing half-written stays in a transaction: the next write works.
  b.Clear();
  Add(b, T("2026-02-01T00:00:00Z"), "default", "after");
  b.CommitEvent();
  ASSERT_TRUE(writer_->Write(b, {}, {}).ok());
}

TEST_F(WriterTest, SqliteErrorsNameTheStatementNotTheWholeSchema) {
  // Regression: an error while creating the schema printed the whole schema.
  fs::create_directories(dir_ / "tenants/odd");
  const std::string path = (dir_ / "tenants/odd/events-2026-11-20.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE events(x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EventBatch b;
  Add(b, T("2026-11-20T10:00:00Z"), "odd", "e");
  b.CommitEvent();
  Status st = writer_->Write(b, {}, {});
  ASSERT_FALSE(st.ok());
  EXPECT_LT(st.message().size(), 200u) << st.message();
  EXPECT_EQ(st.message().find("CREATE INDEX"), std::string_view::npos) << st.message();
}

TEST_F(WriterTest, AWriteThatFailsOnDiskLeavesTheFileUsable) {
  // A file-size limit makes writing the WAL fail (as a full disk would); the write fails,
  // nothing of it is stored, and the next write to the same file works. (A COMMIT that
  // fails without SQLite's automatic rollback, the case RollbackAll now also ends, cannot
  // be provoked from outside the connection.)
  EventBatch b;
  Add(b, T("2026-11-20T10:00:00Z"), "default", "first");
  b.CommitEvent();
  ASSERT_TRUE(writer_->Write(b, {}, {}).ok());
  const fs::path db = dir_ / "tenants/default/events-2026-11-20.db";
  std::error_code ec;
  const auto wal = fs::file_size(db.string() + "-wal", ec);
  const uint64_t limit = std::max<uint64_t>(fs::file_size(db), ec ? 0 : wal) + 4096;
  b.Clear();
  const std::string big(256 << 10, 'x');
  for (int i = 0; i < 8; ++i) {
    Add(b, T("2026-11-20T10:00:01Z"), "default", big.c_str());
    b.CommitEvent();
  }
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit low = old;
  low.rlim_cur = limit;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &low), 0);
  Status failed = writer_->Write(b, {}, {});
  setrlimit(RLIMIT_FSIZE, &old);
  EXPECT_FALSE(failed.ok());
  b.Clear();
  Add(b, T("2026-11-20T10:00:02Z"), "default", "after");
  b.CommitEvent();
  Status after = writer_->Write(b, {}, {});
  ASSERT_TRUE(after.ok()) << after.ToString();
  EXPECT_EQ(Query(db.string(), "SELECT raw FROM events ORDER BY id"), "first\nafter\n");
}

TEST_F(WriterTest, ListDayFilesNeverThrows) {
  // Regression: directory iteration could throw inside the server's writer thread (a
  // symlink loop here); now such entries are skipped.
  fs::create_directories(dir_ / "tenants/real");
  EventBatch b;
  Add(b, T("2026-11-20T10:00:00Z"), "real", "e");
  b.CommitEvent();
  ASSERT_TRUE(writer_->Write(b, {}, {}).ok());
  fs::create_symlink(dir_ / "tenants/loop", dir_ / "tenants/loop");
  fs::create_symlink(dir_ / "tenants/real/events-x.db", dir_ / "tenants/real/events-x.db");
  auto files = ListDayFiles(dir_.string(), std::nullopt, INT64_MIN, INT64_MAX);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].tenant, "real");
}

TEST_F(WriterTest, TheDataDirectoryLockAdmitsOneOwnerAndNamesIt) {
  auto first = DataDirLock::Acquire(dir_.string());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // fcntl locks are per process: the second owner must be another process.
  pid_t child = fork();
  if (child == 0) {
    auto second = DataDirLock::Acquire(dir_.string());
    const bool refused =
        !second.ok() && second.status().code() == StatusCode::kAlreadyExists &&
        second.status().message().find(std::to_string(getppid())) != std::string_view::npos;
    _exit(refused && DataDirOwner(dir_.string()) == getppid() ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  first->reset();  // released: the next server may start
  auto again = DataDirLock::Acquire(dir_.string());
  EXPECT_TRUE(again.ok());
}

}  // namespace
}  // namespace rampart::store
