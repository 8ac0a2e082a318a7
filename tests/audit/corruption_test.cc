// Attacks on a sample audit log, in the spirit of leveldb's log and corruption tests:
// every single-byte flip, every truncation, deletion, reordering, duplication and
// insertion (with and without recomputed hashes) must be detected, and the verifier must
// name the first record that cannot be trusted.

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "audit/audit.h"
#include "audit/internal/format.h"
#include "test_util.h"

namespace rampart::audit {
namespace {

using testing::Join;
using testing::ReadFile;
using testing::SplitLines;
using testing::TempDir;
using testing::WriteFile;

// 50 appended records, a checkpoint after every 20: checkpoints are seq 21 and 42, the
// log ends at 52 and the signed head names 52.
constexpr int kAppended = 50;
constexpr uint64_t kEvery = 20;
constexpr uint64_t kRecords = 52;
const std::vector<uint64_t> kCheckpointSeqs = {21, 42};

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteSampleLog(sample_.path(), kAppended, kEvery);
    log_ = ReadFile(sample_.Audit("audit.log"));
    lines_ = SplitLines(log_);
    ASSERT_EQ(lines_.size(), kRecords);
    // The attacked copy: the same key and head, the log replaced per case.
    std::filesystem::create_directories(copy_.path() + "/audit");
    for (const char* f : {"audit.head", "signing.pub"}) {
      WriteFile(copy_.Audit(f), ReadFile(sample_.Audit(f)));
    }
  }

  VerifyReport VerifyLog(const std::string& text) {
    WriteFile(copy_.Audit("audit.log"), text);
    auto report = Verify(copy_.path());
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{};
  }

  // Asserts detection, and that record `seq` (on line `seq`) is named first.
  void ExpectBad(const std::string& text, uint64_t seq, const std::string& what) {
    VerifyReport r = VerifyLog(text);
    EXPECT_FALSE(r.ok) << what;
    EXPECT_EQ(r.first_bad_seq, seq) << what << ": " << r.problem;
    EXPECT_EQ(r.first_bad_line, seq) << what << ": " << r.problem;
  }

  // The 1-based line holding byte `pos` of the sample.
  uint64_t LineOf(size_t pos) const {
    uint64_t line = 1;
    for (size_t i = 0; i < pos; ++i) {
      line += log_[i] == '\n' ? 1 : 0;
    }
    return line;
  }

  // A record forged without the key: well-formed, chained after `prev`.
  static std::string Forge(uint64_t seq, const internal::Hash& prev, internal::Hash* hash) {
    Record r = testing::SampleRecord(99);
    r.seq = seq;
    r.reason = "forged";
    return Encode(r, prev, hash);
  }

  static std::string Encode(const Record& r, const internal::Hash& prev, internal::Hash* hash) {
    internal::Hasher hasher;
    std::string line;
    internal::AppendBody(line, r, prev);
    *hash = hasher.Chain(prev, line);
    internal::AppendTail(line, *hash);
    return line;
  }

  static internal::ParsedLine Parse(const std::string& line) {
    internal::JsonChecker json;
    std::string scratch;
    internal::ParsedLine parsed;
    Status st = internal::ParseLine(line.substr(0, line.size() - 1), json, scratch, &parsed);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return parsed;
  }

  // The first record a valid signature does not reach when the chain is rewritten from
  // `seq` on: the record after the head signed by the last checkpoint before it.
  static uint64_t FirstUnvouched(uint64_t seq) {
    uint64_t vouched = 0;
    for (uint64_t c : kCheckpointSeqs) {
      if (c < seq) {
        vouched = c - 1;
      }
    }
    return vouched + 1;
  }

  TempDir sample_;
  TempDir copy_;
  std::string log_;
  std::vector<std::string> lines_;
};

TEST_F(CorruptionTest, SampleVerifies) {
  VerifyReport r = VerifyLog(log_);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.records, kRecords);
  EXPECT_EQ(r.checkpoints, 2u);
  EXPECT_EQ(r.head_seq, kRecords);
  EXPECT_EQ(r.authenticated_seq, kRecords);
}

TEST_F(CorruptionTest, EverySingleByteFlip) {
  for (size_t pos = 0; pos < log_.size(); ++pos) {
    for (unsigned char mask : {0x01, 0x80}) {
      if (mask == 0x80 && pos % 5 != 0) {
        continue;  // the high bit at a fifth of the positions keeps the run short
      }
      std::string bad = log_;
      bad[pos] = static_cast<char>(bad[pos] ^ mask);
      ExpectBad(bad, LineOf(pos),
                "flip 0x" + std::to_string(mask) + " at byte " + std::to_string(pos));
      if (HasFailure()) {
        return;
      }
    }
  }
}

TEST_F(CorruptionTest, TruncationAtEveryRecordBoundaryAndInside) {
  size_t offset = 0;
  for (uint64_t kept = 0; kept < kRecords; ++kept) {
    ExpectBad(log_.substr(0, offset), kept + 1, "cut after " + std::to_string(kept));
    const std::string& line = lines_[kept];
    for (size_t inside = 1; inside < line.size(); ++inside) {
      ExpectBad(log_.substr(0, offset + inside), kept + 1,
                "cut " + std::to_string(inside) + " bytes into line " + std::to_string(kept + 1));
      if (HasFailure()) {
        return;
      }
    }
    offset += line.size();
  }
}

TEST_F(CorruptionTest, DeletionOfARecord) {
  for (uint64_t k = 1; k <= kRecords; ++k) {
    std::vector<std::string> lines = lines_;
    lines.erase(lines.begin() + static_cast<long>(k - 1));
    ExpectBad(Join(lines), k, "delete " + std::to_string(k));
  }
}

TEST_F(CorruptionTest, ReorderingOfTwoRecords) {
  for (uint64_t k = 1; k < kRecords; ++k) {
    std::vector<std::string> lines = lines_;
    std::swap(lines[k - 1], lines[k]);
    ExpectBad(Join(lines), k, "swap " + std::to_string(k) + " and " + std::to_string(k + 1));
  }
  std::vector<std::string> lines = lines_;
  std::swap(lines[4], lines[30]);
  ExpectBad(Join(lines), 5, "swap 5 and 31");
}

TEST_F(CorruptionTest, DuplicationOfARecord) {
  for (uint64_t k = 1; k <= kRecords; ++k) {
    std::vector<std::string> lines = lines_;
    lines.insert(lines.begin() + static_cast<long>(k), lines_[k - 1]);
    VerifyReport r = VerifyLog(Join(lines));
    EXPECT_FALSE(r.ok) << "duplicate " << k;
    EXPECT_EQ(r.first_bad_seq, k + 1) << r.problem;
    EXPECT_EQ(r.first_bad_line, k + 1) << r.problem;
    EXPECT_NE(r.problem.find("seq " + std::to_string(k) + " where"), std::string::npos)
        << r.problem;
  }
}

// A well-formed record chained onto its predecessor but not renumbering what follows:
// the record after it repeats its seq. Inserted at the head's seq, the head's hash
// disagrees first, and what the head vouched for (after the last checkpoint) is named.
TEST_F(CorruptionTest, InsertionWithoutRecomputing) {
  for (uint64_t k = 1; k <= kRecords; ++k) {
    const internal::Hash prev = k == 1 ? internal::Hash{} : Parse(lines_[k - 2]).hash;
    internal::Hash hash;
    std::vector<std::string> lines = lines_;
    lines.insert(lines.begin() + static_cast<long>(k - 1), Forge(k, prev, &hash));
    ExpectBad(Join(lines), k == kRecords ? FirstUnvouched(k) : k + 1,
              "insert at " + std::to_string(k));
  }
}

// The attacker inserts a record and recomputes seq, prev and hash of everything after it,
// checkpoints included (with their signed head moved along, but the old signature). The
// chain is whole; the signatures are not, and the verifier names the first record that no
// valid signature reaches.
TEST_F(CorruptionTest, InsertionWithAllLaterHashesRecomputed) {
  for (uint64_t k = 1; k <= kRecords; ++k) {
    std::vector<std::string> lines(lines_.begin(), lines_.begin() + static_cast<long>(k - 1));
    internal::Hash prev = k == 1 ? internal::Hash{} : Parse(lines_[k - 2]).hash;
    lines.push_back(Forge(k, prev, &prev));
    for (uint64_t i = k; i <= kRecords; ++i) {
      internal::ParsedLine p = Parse(lines_[i - 1]);
      p.record.seq = i + 1;
      if (p.record.action == "checkpoint") {
        internal::CheckpointFields cp;
        internal::JsonChecker json;
        ASSERT_TRUE(internal::ParseCheckpoint(p.record.details_json, json, &cp).ok());
        p.record.details_json =
            internal::CheckpointDetails(i, prev, cp.public_key.data(), cp.signature.data());
      }
      lines.push_back(Encode(p.record, prev, &prev));
    }
    VerifyReport r = VerifyLog(Join(lines));
    EXPECT_FALSE(r.ok) << "insert at " << k;
    EXPECT_EQ(r.first_bad_seq, FirstUnvouched(k)) << "insert at " << k << ": " << r.problem;
    EXPECT_EQ(r.first_bad_line, FirstUnvouched(k)) << r.problem;
  }
}

// Appending after the signed head needs no key: such records verify as chained but not
// vouched for, until the next checkpoint or Flush signs them (docs/formats/audit.md).
TEST_F(CorruptionTest, AppendAfterTheHeadIsChainedButNotVouchedFor) {
  internal::Hash hash;
  VerifyReport r = VerifyLog(log_ + Forge(kRecords + 1, Parse(lines_.back()).hash, &hash));
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.last_seq, kRecords + 1);
  EXPECT_EQ(r.authenticated_seq, kRecords);
}

TEST_F(CorruptionTest, HeadFileTampering) {
  const std::string head = ReadFile(sample_.Audit("audit.head"));
  for (size_t pos = 0; pos < head.size(); ++pos) {
    std::string bad = head;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x01);
    WriteFile(copy_.Audit("audit.head"), bad);
    VerifyReport r = VerifyLog(log_);
    EXPECT_FALSE(r.ok) << "head flip at " << pos;
    // Records after the last checkpoint's signed head (seq 41) are vouched for by the head
    // alone.
    EXPECT_EQ(r.first_bad_seq, 42u) << "head flip at " << pos << ": " << r.problem;
  }
  std::filesystem::remove(copy_.Audit("audit.head"));
  VerifyReport r = VerifyLog(log_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 42u);
  EXPECT_NE(r.problem.find("audit.head is missing"), std::string::npos) << r.problem;
}

// The documented limit: rolling the log and the head back together to an older state that
// was itself signed is not visible inside the data directory; exported heads catch it.
TEST_F(CorruptionTest, RollbackOfLogAndHeadTogetherNeedsAnExternalAnchor) {
  TempDir older;
  testing::WriteSampleLog(older.path(), 10, kEvery);
  TempDir newer;
  std::filesystem::copy(older.path() + "/audit", newer.path() + "/audit");
  {
    auto log = AuditLog::Open(newer.path(), AuditOptions{});
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->Append(testing::SampleRecord(11)).ok());
    ASSERT_TRUE((*log)->Flush().ok());
  }
  WriteFile(newer.Audit("audit.log"), ReadFile(older.Audit("audit.log")));
  WriteFile(newer.Audit("audit.head"), ReadFile(older.Audit("audit.head")));
  auto r = Verify(newer.path());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(r->head_seq, 10u);
}

}  // namespace
}  // namespace rampart::audit
