#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/clock.h"
#include "core/time_util.h"
#include "ingest/ingest.h"

namespace rampart::ingest {
namespace {
namespace fs = std::filesystem;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rampart_pipeline_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    PipelineOptions o;
    o.data_dir = dir_.string();
    o.batch_size = 1000;
    auto p = Pipeline::Open(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    pipeline_ = std::move(p).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Line(int day, int i) {
    return "10.0.0.1 - - [" + std::to_string(day) + "/Nov/2026:23:59:59 +0000] \"GET /" +
           std::to_string(i) + " HTTP/1.1\" 200 1";
  }

  static std::string BodyLog(const std::string& time, int i) {
    return "{\"time\":\"" + time +
           "\",\"remote_addr\":\"10.0.0.1\",\"method\":\"GET\",\"uri\":\"/" + std::to_string(i) +
           "\",\"status\":200}";
  }

  static std::string Today() {
    char day[16];
    FormatDay(WallNowNs(), day);
    return std::string(day, 10);
  }

  int64_t Count(const std::string& day, const char* table, const char* tenant = "default") {
    std::string path = (dir_ / "tenants" / tenant / ("events-" + day + ".db")).string();
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* s = nullptr;
    std::string sql = std::string("SELECT count(*) FROM ") + table;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      n = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
  }

  fs::path dir_;
  std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(PipelineTest, TailedSourceBatchesAreCutAtDayBoundariesWithTheirCheckpoint) {
  auto src = pipeline_->MakeSource("file:/t.log", parse::Format::kAccess, "default");
  src->checkpointed = true;
  src->file_id = "1:2";
  uint64_t offset = 0;
  for (int i = 0; i < 3; ++i) {
    offset += Line(20, i).size() + 1;
    ASSERT_TRUE(pipeline_->Add(*src, Line(20, i), offset).ok());
  }
  uint64_t end_of_day20 = offset;
  for (int i = 0; i < 2; ++i) {
    offset += Line(21, i).size() + 1;
    ASSERT_TRUE(pipeline_->Add(*src, Line(21, i), offset).ok());
  }
  // The move to day 21 flushed day 20 with the checkpoint just past its last line.
  EXPECT_EQ(Count("2026-11-20", "events"), 3);
  auto cp = pipeline_->writer().LoadCheckpoint("file:/t.log");
  ASSERT_TRUE(cp.ok());
  ASSERT_TRUE(cp->has_value());
  EXPECT_EQ((*cp)->offset, end_of_day20);
  ASSERT_TRUE(pipeline_->Flush().ok());
  EXPECT_EQ(Count("2026-11-21", "events"), 2);
  cp = pipeline_->writer().LoadCheckpoint("file:/t.log");
  EXPECT_EQ((*cp)->offset, offset);
  EXPECT_EQ((*cp)->file_id, "1:2");
}

TEST_F(PipelineTest, BadRecordsBecomeMaskedDeadLettersAndAreCounted) {
  auto src = pipeline_->MakeSource("stdin", parse::Format::kAccess, "default");
  ASSERT_TRUE(pipeline_->Add(*src, Line(20, 1), 10).ok());
  ASSERT_TRUE(pipeline_->Add(*src, "garbage password=hunter2hunter2", 20).ok());
  ASSERT_TRUE(pipeline_->Reject(*src, "too long", "record longer than 16 MiB", 30).ok());
  ASSERT_TRUE(pipeline_->Flush().ok());
  EXPECT_EQ(pipeline_->stats().events, 1u);
  EXPECT_EQ(pipeline_->stats().dead_letters, 2u);
  EXPECT_EQ(pipeline_->stats().records, 3u);
  EXPECT_EQ(pipeline_->stats().per_dataset.at("nginx.access"), 1u);
  EXPECT_EQ(Count("2026-11-20", "events"), 1);
  // Dead letters go to their tenant's file of the day they were received.
  EXPECT_EQ(Count(Today(), "dead_letters"), 2);
  for (const auto& e : fs::recursive_directory_iterator(dir_)) {
    if (e.is_regular_file()) {
      std::ifstream in(e.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_EQ(bytes.find("hunter2hunter2"), std::string::npos) << e.path();
    }
  }
}

TEST_F(PipelineTest, BufferedEventsOutliveTheirSource) {
  // A bulk import ends a file (and its Source) while its events still wait in the batch.
  {
    auto src = pipeline_->MakeSource("file:/a.log", parse::Format::kAccess, "acme");
    ASSERT_TRUE(pipeline_->Add(*src, Line(20, 1), 10).ok());
  }
  auto other = pipeline_->MakeSource("file:/b.log", parse::Format::kAccess, "tenant-two");
  ASSERT_TRUE(pipeline_->Add(*other, Line(20, 2), 10).ok());
  ASSERT_TRUE(pipeline_->Flush().ok());
  EXPECT_TRUE(fs::exists(dir_ / "tenants/acme/events-2026-11-20.db"));
  EXPECT_TRUE(fs::exists(dir_ / "tenants/tenant-two/events-2026-11-20.db"));
}

TEST_F(PipelineTest, ABatchOfThousandsOfDaysStoresEveryEventWithFewOpenFiles) {
  // Regression: 4,000 lines on 4,000 days opened 4,000 databases in one batch; under
  // `ulimit -n 1024` that failed with "unable to open database file" and stored nothing.
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
  rlimit low = old;
  low.rlim_cur = 256;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  auto src = pipeline_->MakeSource("file:/days.log", parse::Format::kBodyLog, "default");
  constexpr int kDays = 1500;
  Status st;
  for (int i = 0; i < kDays && st.ok(); ++i) {
    char day[16];
    FormatDay((int64_t{20000} + i) * kNsPerDay, day);
    st = pipeline_->Add(*src, BodyLog(std::string(day, 10) + "T10:00:00Z", i), 0);
  }
  if (st.ok()) {
    st = pipeline_->Flush();
  }
  setrlimit(RLIMIT_NOFILE, &old);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(pipeline_->stats().events, static_cast<uint64_t>(kDays));
  EXPECT_EQ(pipeline_->stats().storage_errors, 0u);
  auto files = store::ListDayFiles(dir_.string(), std::nullopt, INT64_MIN, INT64_MAX);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), static_cast<size_t>(kDays));
}

TEST_F(PipelineTest, DeadLettersOfManyTenantsStayWithinTheFileBound) {
  // 40 tenants' unparseable records in one batch would need 40 day files at once.
  std::vector<std::unique_ptr<Source>> sources;
  for (int i = 0; i < 40; ++i) {
    sources.push_back(
        pipeline_->MakeSource("http", parse::Format::kAccess, "tenant" + std::to_string(i)));
    ASSERT_TRUE(pipeline_->Add(*sources.back(), "not an access log line", 0).ok());
  }
  ASSERT_TRUE(pipeline_->Flush().ok());
  EXPECT_EQ(pipeline_->stats().dead_letters, 40u);
  EXPECT_EQ(pipeline_->stats().storage_errors, 0u);
  EXPECT_EQ(Count(Today(), "dead_letters", "tenant39"), 1);
}

TEST_F(PipelineTest, AStorageErrorIsIsolatedAndNeverStopsThePipeline) {
  // Regression: one failing batch stopped all intake for good and lost records already
  // accepted. Tenant "broken" cannot be written (its directory is a file); the others must
  // be stored, and broken's records kept in the spool, counted.
  fs::create_directories(dir_ / "tenants");
  std::ofstream(dir_ / "tenants" / "broken") << "not a directory";
  auto good = pipeline_->MakeSource("http:good", parse::Format::kAccess, "good");
  auto broken = pipeline_->MakeSource("http:broken", parse::Format::kAccess, "broken");
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(pipeline_->Add(*good, Line(20, i), 0).ok());
    ASSERT_TRUE(pipeline_->Add(*broken, Line(20, 100 + i), 0).ok());
  }
  ASSERT_TRUE(pipeline_->Flush().ok());
  const IngestStats& stats = pipeline_->stats();
  EXPECT_EQ(stats.storage_errors, 1u);
  EXPECT_EQ(stats.events, 5u);
  EXPECT_EQ(stats.storage_dead_letters, 5u);
  EXPECT_EQ(stats.spooled, 5u);
  EXPECT_EQ(stats.lost, 0u);
  EXPECT_NE(stats.last_error.find("broken"), std::string::npos) << stats.last_error;
  EXPECT_EQ(Count("2026-11-20", "events", "good"), 5);
  std::ifstream spool(dir_ / "spool" / "unstored.ndjson");
  std::string line;
  int lines = 0;
  while (std::getline(spool, line)) {
    ++lines;
    EXPECT_NE(line.find("\"tenant\":\"broken\""), std::string::npos);
    EXPECT_NE(line.find("GET /10"), std::string::npos);
  }
  EXPECT_EQ(lines, 5);
  // The pipeline goes on: later records of good tenants are stored as usual.
  ASSERT_TRUE(pipeline_->Add(*good, Line(20, 9), 0).ok());
  ASSERT_TRUE(pipeline_->Flush().ok());
  EXPECT_EQ(Count("2026-11-20", "events", "good"), 6);
}

TEST_F(PipelineTest, AHalfCommittedBatchIsNeverStoredTwice) {
  // Review finding: a batch's day files commit one after another; when the last one's
  // COMMIT failed, retrying the whole batch stored the first file's events again (and the
  // per-event isolation a third time). A file-size limit makes the last file's COMMIT fail
  // (its WAL would grow past it) after the small file committed.
  auto small = pipeline_->MakeSource("http:a", parse::Format::kBodyLog, "small");
  auto large = pipeline_->MakeSource("http:b", parse::Format::kBodyLog, "large");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pipeline_->Add(*small, BodyLog("2026-11-20T10:00:00Z", i), 0).ok());
  }
  const std::string pad(60 << 10, 'p');
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(pipeline_
                    ->Add(*large,
                          "{\"time\":\"2026-11-20T10:00:00Z\",\"remote_addr\":\"10.0.0.2\","
                          "\"method\":\"POST\",\"uri\":\"/u" +
                              std::to_string(i) + "\",\"status\":200,\"request_body\":\"" + pad +
                              "\"}",
                          0)
                    .ok());
  }
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit low = old;
  low.rlim_cur = 256 << 10;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &low), 0);
  Status st = pipeline_->Flush();
  setrlimit(RLIMIT_FSIZE, &old);
  ASSERT_TRUE(st.ok());
  const IngestStats& stats = pipeline_->stats();
  EXPECT_EQ(stats.storage_errors, 1u);
  EXPECT_EQ(Count("2026-11-20", "events", "small"), 3);  // once, not three times
  // Each large record is accounted for once: stored alone, or a dead letter (the limit
  // still holds while they are written one by one).
  const int64_t stored_large = Count("2026-11-20", "events", "large");
  EXPECT_EQ(stored_large + static_cast<int64_t>(stats.storage_dead_letters), 8);
  EXPECT_EQ(stats.events, 3u + static_cast<uint64_t>(stored_large));
}

TEST_F(PipelineTest, EventsFromTheFutureAreStoredFlaggedAndCounted) {
  auto src = pipeline_->MakeSource("http", parse::Format::kBodyLog, "default");
  ASSERT_TRUE(pipeline_->Add(*src, BodyLog("2099-01-01T00:00:00Z", 1), 0).ok());
  ASSERT_TRUE(pipeline_->Add(*src, BodyLog("2026-11-20T00:00:00Z", 2), 0).ok());
  ASSERT_TRUE(pipeline_->Flush().ok());
  EXPECT_EQ(pipeline_->stats().events, 2u);
  EXPECT_EQ(pipeline_->stats().time_future, 1u);
  std::string path = (dir_ / "tenants/default/events-2099-01-01.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT fields FROM events", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  std::string fields = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  EXPECT_NE(fields.find("\"event.time_future\":\"true\""), std::string::npos) << fields;
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST(FieldNameBudgetTest, OneTenantsInventedNamesCannotDegradeAnothers) {
  // Regression: field names were one global pool; after 1M distinct names every new name
  // of every tenant became _overflow. Now each tenant has its own budget.
  const std::string dir = (fs::temp_directory_path() / "rampart_field_budget").string();
  fs::remove_all(dir);
  PipelineOptions o;
  o.data_dir = dir;
  o.field_names_per_tenant = 100;
  auto p = Pipeline::Open(o);
  ASSERT_TRUE(p.ok());
  auto evil = (*p)->MakeSource("http:evil", parse::Format::kJsonLines, "evil");
  auto good = (*p)->MakeSource("http:good", parse::Format::kJsonLines, "good");
  for (int i = 0; i < 300; ++i) {
    std::string name = "evil_invented_" + std::to_string(i) + "_" + std::to_string(getpid());
    ASSERT_TRUE((*p)->Add(*evil, "{\"" + name + "\":\"x\"}", 0).ok());
  }
  const std::string mine = "good_new_field_" + std::to_string(getpid());
  ASSERT_TRUE((*p)->Add(*good, "{\"" + mine + "\":\"kept\"}", 0).ok());
  ASSERT_TRUE((*p)->Flush().ok());
  const IngestStats& stats = (*p)->stats();
  EXPECT_EQ(stats.field_names.at("evil").used, 100u);
  EXPECT_EQ(stats.field_names.at("evil").overflowed, 200u);
  EXPECT_EQ(stats.field_names.at("good").overflowed, 0u);
  EXPECT_TRUE(FieldDict::Find(mine).has_value());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rampart::ingest
