#pragma once
// Helpers for the IOC tests: a temporary directory that removes itself, and real list files
// written into it.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "detect/ioc/ioc.h"

namespace rampart::ioc::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rampart-ioc-XXXXXX").string();
    const char* made = mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `content` to `relative` (creating directories) and returns the full path.
  std::string Write(const std::string& relative, std::string_view content) const {
    const std::filesystem::path p = path_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    EXPECT_TRUE(out.good()) << p;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

// "file:line where: reason" for each kept rejection.
inline std::vector<std::string> Rejections(const FileReport& r) {
  std::vector<std::string> out;
  for (const Rejection& x : r.rejections) {
    std::string s = x.file + ":" + std::to_string(x.line);
    if (!x.where.empty()) {
      s += " " + x.where;
    }
    s += ": " + x.reason;
    out.push_back(s);
  }
  return out;
}

inline size_t Loaded(const FileReport& r, IndicatorType t) {
  return r.loaded[static_cast<size_t>(t)];
}

// Loads one file (written into `dir` as `name`) into a new set.
struct Loaded1 {
  FileReport report;
  std::shared_ptr<const IocSet> set;
};

inline Loaded1 LoadOne(const TempDir& dir,
                       const std::string& name,
                       std::string_view content,
                       const LoadOptions& options = {}) {
  const std::string path = dir.Write(name, content);
  IocSetBuilder builder;
  LoadReport report;
  Status s = LoadIocFile(path, options, builder, report);
  EXPECT_EQ(report.files.size(), 1u);
  Loaded1 out;
  if (!report.files.empty()) {
    out.report = report.files[0];
  }
  EXPECT_EQ(s.ok(), out.report.error.ok());
  out.set = builder.Build();
  return out;
}

// The values of the indicators `value` matches.
inline std::vector<std::string> LookupValues(const IocSet& set, std::string_view value) {
  std::vector<std::string> out;
  for (const Indicator* i : set.Lookup(value)) {
    out.push_back(std::string(IndicatorTypeName(i->type)) + ":" + i->value);
  }
  return out;
}

}  // namespace rampart::ioc::testing
