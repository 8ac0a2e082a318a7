#pragma once
// Shared by the audit tests: temporary data directories, a sample log, file surgery.

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "audit/audit.h"

namespace rampart::audit::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rampart-audit.XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Audit(const std::string& file) const { return path_ + "/audit/" + file; }

 private:
  std::string path_;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// The log split into lines, each with its newline.
inline std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

inline std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    out += l;
  }
  return out;
}

// A record of the kind the other stages write; `i` varies its content.
inline Record SampleRecord(int i) {
  Record r;
  r.time_ns = 1'796'000'000'000'000'000 + int64_t{i} * 1'234'567;
  r.actor = i % 3 == 0 ? "token:ab12 alice (operator)" : "system policy:ssh-brute";
  r.action = i % 2 == 0 ? "decision.create" : "incident.transition";
  r.tenant = i % 4 == 0 ? "" : "acme";
  r.object = i % 2 == 0 ? "decision:dec-" + std::to_string(i) : "incident:inc-7";
  if (i % 2 == 0) {
    r.related = {"incident:inc-7"};
  }
  r.reason = "why \"" + std::to_string(i) + "\" — 한글\tok";
  r.details_json = "{\"n\":" + std::to_string(i) + ",\"list\":[1,2,{\"k\":\"v\"}],\"ok\":true}";
  return r;
}

// A flushed log of `n` appended records with a checkpoint every `every` of them.
inline void WriteSampleLog(const std::string& data_dir, int n, uint64_t every) {
  AuditOptions options;
  options.checkpoint_every_records = every;
  options.checkpoint_every_ns = 0;
  auto log = AuditLog::Open(data_dir, options);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  for (int i = 0; i < n; ++i) {
    auto seq = (*log)->Append(SampleRecord(i));
    ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  }
  ASSERT_TRUE((*log)->Flush().ok());
}

}  // namespace rampart::audit::testing
