#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

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

  int64_t Count(const std::string& day, const char* table) {
    std::string path = (dir_ / "tenants/default" / ("events-" + day + ".db")).string();
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
  // The file of the batch's last event also holds its dead letters.
  EXPECT_EQ(Count("2026-11-20", "dead_letters"), 2);
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

}  // namespace
}  // namespace rampart::ingest
