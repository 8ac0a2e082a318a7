#include "audit/audit.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "test_util.h"

namespace rampart::audit {
namespace {

using testing::ReadFile;
using testing::SampleRecord;
using testing::SplitLines;
using testing::TempDir;
using testing::WriteFile;

AuditOptions NoCheckpoints() {
  AuditOptions o;
  o.checkpoint_every_records = 0;
  o.checkpoint_every_ns = 0;
  return o;
}

VerifyReport MustVerify(const std::string& dir, const std::string& key = "") {
  auto report = Verify(dir, key);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() ? *report : VerifyReport{};
}

TEST(AuditLogTest, AppendReopenAndReadBack) {
  TempDir dir;
  bool created = false;
  {
    auto log = AuditLog::Open(dir.path(), NoCheckpoints(), &created);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    EXPECT_TRUE(created);
    for (int i = 0; i < 3; ++i) {
      auto seq = (*log)->Append(SampleRecord(i));
      ASSERT_TRUE(seq.ok());
      EXPECT_EQ(*seq, static_cast<uint64_t>(i + 1));
    }
    ASSERT_TRUE((*log)->Flush().ok());
  }
  auto log = AuditLog::Open(dir.path(), NoCheckpoints(), &created);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_FALSE(created);
  Record r = SampleRecord(3);
  r.time_ns = 0;  // set by Append
  r.reason = "line\nbreak, quote \" and backslash \\";
  r.details_json = "{\n  \"pretty\": [1,\r\n 2]\n}";
  ASSERT_EQ(*(*log)->Append(r), 4u);
  ASSERT_TRUE((*log)->Flush().ok());

  auto records = ReadRecords(dir.path());
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 4u);
  const Record want = SampleRecord(1);
  const Record& got = (*records)[1];
  EXPECT_EQ(got.seq, 2u);
  EXPECT_EQ(got.time_ns, want.time_ns);
  EXPECT_EQ(got.actor, want.actor);
  EXPECT_EQ(got.action, want.action);
  EXPECT_EQ(got.tenant, want.tenant);
  EXPECT_EQ(got.object, want.object);
  EXPECT_EQ(got.related, want.related);
  EXPECT_EQ(got.reason, want.reason);
  EXPECT_EQ(got.details_json, want.details_json);
  EXPECT_EQ((*records)[0].related, std::vector<std::string>{"incident:inc-7"});
  EXPECT_EQ((*records)[3].reason, r.reason);
  EXPECT_EQ((*records)[3].details_json, "{   \"pretty\": [1,   2] }");
  EXPECT_GT((*records)[3].time_ns, 0);

  VerifyReport report = MustVerify(dir.path());
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.records, 4u);
  EXPECT_EQ(report.head_seq, 4u);
  EXPECT_EQ(report.authenticated_seq, 4u);
}

TEST(AuditLogTest, LineFormatIsCanonical) {
  TempDir dir;
  auto log = AuditLog::Open(dir.path(), NoCheckpoints());
  ASSERT_TRUE(log.ok());
  Record r;
  r.time_ns = 1'796'000'000'123'456'789;
  r.actor = "local:root";
  r.action = "token.create";
  r.object = "token:ab12";
  r.reason = "a\"b";
  r.details_json = "{}";
  ASSERT_TRUE((*log)->Append(r).ok());
  const std::string line = ReadFile(dir.Audit("audit.log"));
  EXPECT_EQ(line.substr(0, line.find(",\"prev\"")),
            "{\"seq\":1,\"time\":\"2026-11-30T00:53:20.123456789Z\",\"actor\":\"local:root\","
            "\"action\":\"token.create\",\"tenant\":\"\",\"object\":\"token:ab12\","
            "\"related\":[],\"reason\":\"a\\\"b\",\"details\":{}");
  EXPECT_NE(line.find(",\"prev\":\"" + std::string(64, '0') + "\",\"hash\":\""), std::string::npos);
  EXPECT_EQ(line.back(), '\n');
}

TEST(AuditLogTest, RefusesBadRecords) {
  TempDir dir;
  auto log = AuditLog::Open(dir.path(), NoCheckpoints());
  ASSERT_TRUE(log.ok());
  Record r = SampleRecord(1);
  r.details_json = "{\"open\":";
  auto st = (*log)->Append(r);
  EXPECT_EQ(st.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.status().message().find("JSON object"), std::string_view::npos);
  r.details_json = "[1,2]";
  EXPECT_EQ((*log)->Append(r).status().code(), StatusCode::kInvalidArgument);
  r = SampleRecord(1);
  r.action = "checkpoint";
  EXPECT_EQ((*log)->Append(r).status().code(), StatusCode::kInvalidArgument);
  r.action = "";
  EXPECT_EQ((*log)->Append(r).status().code(), StatusCode::kInvalidArgument);
  r = SampleRecord(1);
  r.details_json = "";  // means {}
  EXPECT_EQ(*(*log)->Append(r), 1u);
}

TEST(AuditLogTest, KeyFilesModesAndWrongKey) {
  TempDir dir;
  auto log = AuditLog::Open(dir.path(), NoCheckpoints());
  ASSERT_TRUE(log.ok());
  struct stat st {};
  ASSERT_EQ(::stat(dir.Audit("signing.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dir.Audit("audit.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir.path() + "/audit").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(ReadFile(dir.Audit("signing.pub")), (*log)->PublicKeyHex() + "\n");
  EXPECT_EQ((*log)->PublicKeyHex().size(), 64u);
  ASSERT_TRUE((*log)->Append(SampleRecord(1)).ok());
  ASSERT_TRUE((*log)->Flush().ok());

  EXPECT_TRUE(MustVerify(dir.path(), (*log)->PublicKeyHex()).ok);
  TempDir other;
  auto other_log = AuditLog::Open(other.path(), NoCheckpoints());
  ASSERT_TRUE(other_log.ok());
  VerifyReport wrong = MustVerify(dir.path(), (*other_log)->PublicKeyHex());
  EXPECT_FALSE(wrong.ok);
  EXPECT_NE(wrong.problem.find("public key"), std::string::npos) << wrong.problem;
  EXPECT_EQ(wrong.first_bad_seq, 1u);  // nothing is vouched for
  EXPECT_EQ(Verify(dir.path(), "xyz").status().code(), StatusCode::kInvalidArgument);

  // A signing.pub that is not the key's is refused rather than trusted.
  WriteFile(dir.Audit("signing.pub"), (*other_log)->PublicKeyHex() + "\n");
  auto reopened = AuditLog::Open(dir.path(), NoCheckpoints());
  EXPECT_EQ(reopened.status().code(), StatusCode::kCorruption);
}

TEST(AuditLogTest, CheckpointsByCountAndByTime) {
  TempDir dir;
  AuditOptions by_count;
  by_count.checkpoint_every_records = 5;
  by_count.checkpoint_every_ns = 0;
  {
    auto log = AuditLog::Open(dir.path(), by_count);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 12; ++i) {
      ASSERT_TRUE((*log)->Append(SampleRecord(i)).ok());
    }
    ASSERT_TRUE((*log)->Flush().ok());
  }
  auto records = ReadRecords(dir.path());
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 14u);
  EXPECT_EQ((*records)[5].action, "checkpoint");
  EXPECT_EQ((*records)[11].action, "checkpoint");
  VerifyReport report = MustVerify(dir.path());
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.checkpoints, 2u);

  AuditOptions by_time;
  by_time.checkpoint_every_records = 0;
  by_time.checkpoint_every_ns = 1;  // due at once
  auto log = AuditLog::Open(dir.path(), by_time);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(*(*log)->Append(SampleRecord(20)), 15u);
  records = ReadRecords(dir.path());
  ASSERT_EQ(records->size(), 16u);
  EXPECT_EQ(records->back().action, "checkpoint");
  report = MustVerify(dir.path());
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.checkpoints, 3u);
  EXPECT_EQ(report.head_seq, 16u);  // a checkpoint flushes

  auto heads = ReadSignedHeads(dir.path());
  ASSERT_TRUE(heads.ok());
  ASSERT_EQ(heads->size(), 4u);
  EXPECT_EQ((*heads)[0].seq, 5u);
  EXPECT_FALSE((*heads)[0].from_head_file);
  EXPECT_EQ((*heads)[3].seq, 16u);
  EXPECT_TRUE((*heads)[3].from_head_file);
  EXPECT_EQ((*heads)[3].public_key_hex, (*log)->PublicKeyHex());
}

// Two writers of one process, each with its own file handle: the lock orders them.
TEST(AuditLogTest, TwoHandlesInterleave) {
  TempDir dir;
  auto a = AuditLog::Open(dir.path(), NoCheckpoints());
  auto b = AuditLog::Open(dir.path(), NoCheckpoints());
  ASSERT_TRUE(a.ok() && b.ok());
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(*(*a)->Append(SampleRecord(i)), static_cast<uint64_t>(2 * i + 1));
    ASSERT_EQ(*(*b)->Append(SampleRecord(i)), static_cast<uint64_t>(2 * i + 2));
  }
  ASSERT_TRUE((*a)->Flush().ok());
  ASSERT_TRUE((*b)->Flush().ok());
  VerifyReport report = MustVerify(dir.path());
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.records, 20u);
}

TEST(AuditLogTest, ConcurrentProcessesKeepSeqContiguous) {
  TempDir dir;
  constexpr int kWriters = 2;
  constexpr int kEach = 300;
  {
    auto first = AuditLog::Open(dir.path(), NoCheckpoints());  // the key exists before forking
    ASSERT_TRUE(first.ok());
  }
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      AuditOptions o;
      o.checkpoint_every_records = 50;
      o.checkpoint_every_ns = 0;
      auto log = AuditLog::Open(dir.path(), o);
      Status st = log.status();
      for (int i = 0; i < kEach && st.ok(); ++i) {
        Record r = SampleRecord(i);
        r.actor = "writer-" + std::to_string(w);
        st = (*log)->Append(r).status();
        if (st.ok() && i % 10 == 9) {
          st = (*log)->Flush();
        }
      }
      if (!st.ok()) {
        std::fprintf(stderr, "writer %d: %s\n", w, st.ToString().c_str());
      }
      const int bad = st.ok() ? 0 : 1;
      ::_exit(bad == 0 ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  VerifyReport report = MustVerify(dir.path());
  EXPECT_TRUE(report.ok) << report.problem << " at seq " << report.first_bad_seq;
  auto records = ReadRecords(dir.path());
  ASSERT_TRUE(records.ok());
  std::map<std::string, int> per_actor;
  for (size_t i = 0; i < records->size(); ++i) {
    EXPECT_EQ((*records)[i].seq, i + 1);
    ++per_actor[(*records)[i].actor];
  }
  EXPECT_EQ(per_actor["writer-0"], kEach);
  EXPECT_EQ(per_actor["writer-1"], kEach);
  EXPECT_GT(report.checkpoints, 0u);
}

// A crash in the middle of a write leaves a line without a newline: verify names it, the
// readers skip it, and the next writer cuts it off and records what it cut.
TEST(AuditLogTest, TornFinalLineIsReportedThenRecovered) {
  TempDir dir;
  testing::WriteSampleLog(dir.path(), 5, 0);
  const std::string good = ReadFile(dir.Audit("audit.log"));
  const std::string torn = "{\"seq\":6,\"time\":\"2026-";
  WriteFile(dir.Audit("audit.log"), good + torn);

  VerifyReport report = MustVerify(dir.path());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 6u);
  EXPECT_EQ(report.first_bad_line, 6u);
  EXPECT_NE(report.problem.find("torn final record"), std::string::npos) << report.problem;
  auto records = ReadRecords(dir.path());
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 5u);

  auto log = AuditLog::Open(dir.path(), NoCheckpoints());
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  records = ReadRecords(dir.path());
  ASSERT_EQ(records->size(), 6u);
  const Record& rec = records->back();
  EXPECT_EQ(rec.action, "audit.recovered");
  EXPECT_NE(rec.details_json.find("\"after_seq\":5"), std::string::npos);
  EXPECT_NE(rec.details_json.find("\"dropped_bytes\":" + std::to_string(torn.size())),
            std::string::npos);
  EXPECT_NE(rec.details_json.find("\"dropped_hex\":\"7b227365"), std::string::npos);
  report = MustVerify(dir.path());
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(ReadFile(dir.Audit("audit.log")).substr(0, good.size()), good);
}

TEST(AuditLogTest, OpenRefusesToChainOntoABadTail) {
  TempDir dir;
  testing::WriteSampleLog(dir.path(), 5, 0);
  std::string text = ReadFile(dir.Audit("audit.log"));
  std::string flipped = text;
  flipped[flipped.size() - 20] ^= 1;  // inside the last record's hash
  WriteFile(dir.Audit("audit.log"), flipped);
  auto log = AuditLog::Open(dir.path(), NoCheckpoints());
  EXPECT_EQ(log.status().code(), StatusCode::kCorruption);
  EXPECT_NE(log.status().message().find("last record"), std::string_view::npos);

  // Cut at a record boundary: the signed head names a record the log no longer has.
  std::vector<std::string> lines = SplitLines(text);
  lines.resize(3);
  WriteFile(dir.Audit("audit.log"), testing::Join(lines));
  log = AuditLog::Open(dir.path(), NoCheckpoints());
  EXPECT_EQ(log.status().code(), StatusCode::kCorruption);
  EXPECT_NE(log.status().message().find("signed head"), std::string_view::npos);
}

// Open looks the signed head up a few records back when records were appended after the
// last Flush, and finds it.
TEST(AuditLogTest, ReopenWithUnflushedRecordsAfterTheHead) {
  TempDir dir;
  {
    auto log = AuditLog::Open(dir.path(), NoCheckpoints());
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 8; ++i) {
      ASSERT_TRUE((*log)->Append(SampleRecord(i)).ok());
      if (i == 4) {
        ASSERT_TRUE((*log)->Flush().ok());
      }
    }
  }
  VerifyReport report = MustVerify(dir.path());
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.head_seq, 5u);
  EXPECT_EQ(report.authenticated_seq, 5u);
  EXPECT_EQ(report.last_seq, 8u);
  auto log = AuditLog::Open(dir.path(), NoCheckpoints());
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_TRUE((*log)->Flush().ok());
  EXPECT_EQ(MustVerify(dir.path()).authenticated_seq, 8u);
}

TEST(AuditLogTest, StoryOfAnIncidentIncludesItsDecisions) {
  std::vector<Record> records(6);
  records[0].object = "incident:inc-1";
  records[1].object = "decision:dec-a";
  records[1].related = {"incident:inc-1"};
  records[2].object = "decision:dec-a";  // enforce.apply: names only the decision
  records[3].object = "incident:inc-2";
  records[4].object = "decision:dec-b";
  records[4].related = {"incident:inc-2"};
  records[5].object = "api:/v1/incidents/inc-1";
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].seq = i + 1;
  }
  auto seqs = [](const std::vector<Record>& rs) {
    std::vector<uint64_t> out;
    for (const Record& r : rs) {
      out.push_back(r.seq);
    }
    return out;
  };
  EXPECT_EQ(seqs(SelectStory(records, "inc-1")), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(seqs(SelectStory(records, "dec-a")), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(seqs(SelectStory(records, "inc-2")), (std::vector<uint64_t>{4, 5}));
  EXPECT_TRUE(SelectStory(records, "inc-9").empty());
}

}  // namespace
}  // namespace rampart::audit
