// The audit log's two costs: appending (what every audited action pays) and verifying
// (what `rampart audit verify` pays over a whole log).
//
// Hypotheses. Append is bound by the write(2) per record and the fsync per Flush, not by
// hashing: SHA-256 of ~400 bytes is about a microsecond, so with a Flush every 100
// records the rate is set by the disk's fsync latency (tens of thousands of records/s on
// an SSD). Verify is bound by parsing and hashing, one pass over the file with one
// signature check per 1,000 records: it should reach several hundred thousand records/s
// on one core. Rates are per wall second (waiting on the disk is part of the cost).

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include <benchmark/benchmark.h>

#include "audit/audit.h"

namespace rampart::audit {
namespace {

std::string MakeTempDir() {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "rampart-audit-bench.XXXXXX").string();
  return ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
}

// A record shaped like a decision approval: ~400 bytes on the line.
Record Typical(uint64_t i) {
  Record r;
  r.actor = "token:3f9a1c2d operator-alice (operator)";
  r.action = "decision.approve";
  r.tenant = "acme";
  r.object = "decision:dec-" + std::to_string(1'000'000 + i);
  r.related = {"incident:inc-42"};
  r.reason = "approved after reviewing the ssh brute force evidence";
  r.details_json =
      "{\"scope\":\"ip\",\"value\":\"203.0.113.7\",\"action\":\"block\",\"ttl_s\":3600,"
      "\"policy\":\"ssh-brute\"}";
  return r;
}

void BM_AuditAppend(benchmark::State& state) {
  const std::string dir = MakeTempDir();
  auto log = AuditLog::Open(dir, AuditOptions{});
  if (!log.ok()) {
    state.SkipWithError(log.status().ToString().c_str());
    return;
  }
  uint64_t n = 0;
  for (auto _ : state) {
    if (!(*log)->Append(Typical(n)).ok()) {
      state.SkipWithError("append failed");
      break;
    }
    if (++n % 100 == 0 && !(*log)->Flush().ok()) {
      state.SkipWithError("flush failed");
      break;
    }
  }
  (void)(*log)->Flush();
  state.SetItemsProcessed(static_cast<int64_t>(n));
  log->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_AuditAppend)->UseRealTime();

void BM_AuditVerify(benchmark::State& state) {
  const std::string dir = MakeTempDir();
  const auto records = static_cast<uint64_t>(state.range(0));
  {
    auto log = AuditLog::Open(dir, AuditOptions{});
    if (!log.ok()) {
      state.SkipWithError(log.status().ToString().c_str());
      return;
    }
    for (uint64_t i = 0; i < records; ++i) {
      if (!(*log)->Append(Typical(i)).ok()) {
        state.SkipWithError("append failed");
        return;
      }
    }
    (void)(*log)->Flush();
  }
  uint64_t verified = 0;
  for (auto _ : state) {
    auto report = Verify(dir);
    if (!report.ok() || !report->ok) {
      state.SkipWithError("verify failed");
      break;
    }
    verified += report->records;
  }
  state.SetItemsProcessed(static_cast<int64_t>(verified));
  state.counters["bytes_per_record"] =
      benchmark::Counter(static_cast<double>(std::filesystem::file_size(dir + "/audit/audit.log")) /
                         static_cast<double>(records + records / 1000));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_AuditVerify)->Arg(100'000)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rampart::audit

BENCHMARK_MAIN();
