#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "enrich/enrich.h"

namespace rampart::enrich {
namespace {

// A fresh directory under the test's temp dir, removed afterwards.
class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("enrich_key_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(LoadOrCreateKeyTest, CreatesDirAndKeyWithMode0600) {
  TempDir dir;
  std::string data_dir = dir.path() + "/nested/data";
  Result<std::string> key = LoadOrCreateKey(data_dir);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat((data_dir + "/secret.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(static_cast<size_t>(st.st_size), 32u);
  // No temporary file left behind.
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(data_dir)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

TEST(LoadOrCreateKeyTest, StableAcrossRestarts) {
  TempDir dir;
  Result<std::string> first = LoadOrCreateKey(dir.path());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::string> second = LoadOrCreateKey(dir.path());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(PseudonymToken(*first, "sk_live_abc"), PseudonymToken(*second, "sk_live_abc"));
}

TEST(LoadOrCreateKeyTest, TwoInstallationsGetDifferentKeys) {
  TempDir dir;
  Result<std::string> a = LoadOrCreateKey(dir.path() + "/a");
  Result<std::string> b = LoadOrCreateKey(dir.path() + "/b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(LoadOrCreateKeyTest, WrongSizeIsCorruptionAndFileIsKept) {
  TempDir dir;
  std::filesystem::create_directories(dir.path());
  std::string path = dir.path() + "/secret.key";
  {
    std::ofstream out(path, std::ios::binary);
    out << "short";
  }
  Result<std::string> key = LoadOrCreateKey(dir.path());
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kCorruption);
  EXPECT_NE(key.status().message().find(path), std::string_view::npos) << key.status().message();
  EXPECT_NE(key.status().message().find("expected a 32-byte key, found 5 bytes"),
            std::string_view::npos)
      << key.status().message();
  EXPECT_EQ(std::filesystem::file_size(path), 5u) << "never overwritten";

  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << std::string(40, 'k');
  }
  key = LoadOrCreateKey(dir.path());
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("found more than 32 bytes"), std::string_view::npos)
      << key.status().message();
}

TEST(LoadOrCreateKeyTest, LoosenedModeIsTightened) {
  TempDir dir;
  ASSERT_TRUE(LoadOrCreateKey(dir.path()).ok());
  std::string path = dir.path() + "/secret.key";
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(LoadOrCreateKey(dir.path()).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(LoadOrCreateKeyTest, UncreatableDirIsIoError) {
  TempDir dir;
  std::filesystem::create_directories(dir.path());
  std::string file = dir.path() + "/plainfile";
  { std::ofstream(file) << "x"; }
  Result<std::string> key = LoadOrCreateKey(file + "/sub");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kIoError);
  EXPECT_NE(key.status().message().find("cannot create directory"), std::string_view::npos)
      << key.status().message();
}

TEST(PseudonymTokenTest, MatchesHmacSha256) {
  // RFC 4231 test case 2: HMAC-SHA-256("Jefe", "what do ya want for nothing?") =
  // 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843.
  EXPECT_EQ(PseudonymToken("Jefe", "what do ya want for nothing?"), "hmac:5bdcc146bf60754e");
}

TEST(PseudonymTokenTest, StableAndKeyed) {
  std::string key1(32, '\x01');
  std::string key2(32, '\x02');
  std::string t1 = PseudonymToken(key1, "sk_live_0C1ffb4DC5BFedcdCf5134560A539484");
  EXPECT_EQ(t1.size(), 5u + 16u);
  EXPECT_EQ(t1.substr(0, 5), "hmac:");
  EXPECT_EQ(t1, PseudonymToken(key1, "sk_live_0C1ffb4DC5BFedcdCf5134560A539484"));
  EXPECT_NE(t1, PseudonymToken(key2, "sk_live_0C1ffb4DC5BFedcdCf5134560A539484"));
  EXPECT_NE(t1, PseudonymToken(key1, "sk_live_0C1ffb4DC5BFedcdCf5134560A539485"));
}

TEST(PseudonymTokenTest, EmptyKeyEqualsZeroKey) {
  // HMAC pads keys with zeros, so "" and "\0" are the same key.
  EXPECT_EQ(PseudonymToken("", "v"), PseudonymToken(std::string(1, '\0'), "v"));
  EXPECT_EQ(PseudonymToken("", "v").size(), 21u);
}

}  // namespace
}  // namespace rampart::enrich
