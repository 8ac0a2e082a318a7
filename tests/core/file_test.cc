#include "core/file.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(ReadWholeFileTest, BytesOrANamedError) {
  const std::string path = "/tmp/rampart_file_test_" + std::to_string(getpid());
  const std::string bytes("a\0b\n\xFF", 5);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  auto read = ReadWholeFile(path, "test values");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read.value(), bytes);
  std::remove(path.c_str());
  auto missing = ReadWholeFile(path, "test values");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), path + ": cannot read the test values");
}

}  // namespace
}  // namespace rampart
