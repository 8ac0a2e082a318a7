#pragma once
// Shared by the store tests: a fresh data directory for the running test.

#include <filesystem>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace rampart::store::testing {

// <tmp>/<prefix><seed>_<test name>, removed first so each test starts empty.
inline std::filesystem::path FreshTestDir(std::string_view prefix) {
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              (std::string(prefix) + std::to_string(unit.random_seed()) + "_" +
                               unit.current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace rampart::store::testing
