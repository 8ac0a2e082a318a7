#include "ingest/internal/server_parts.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "ingest/server.h"

namespace rampart::ingest {
namespace {
namespace fs = std::filesystem;
using internal::RecordChunk;
using internal::RecordQueue;

RecordChunk ChunkOf(size_t bytes) {
  RecordChunk c;
  c.Add(std::string(bytes, 'x'), 0);
  return c;
}

TEST(SplitHostPortTest, AcceptsV4V6AndRejectsJunk) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(internal::SplitHostPort("127.0.0.1:5514", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 5514);
  ASSERT_TRUE(internal::SplitHostPort("[::1]:0", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
  EXPECT_FALSE(internal::SplitHostPort("127.0.0.1", &host, &port));
  EXPECT_FALSE(internal::SplitHostPort("127.0.0.1:99999", &host, &port));
  EXPECT_FALSE(internal::SplitHostPort(":80", &host, &port));
  EXPECT_FALSE(internal::SplitHostPort("host:8o", &host, &port));
}

TEST(RecordQueueTest, BoundedByBytesTryPushFailsWhenFull) {
  RecordQueue q(4096);
  EXPECT_TRUE(q.TryPush(ChunkOf(3000)));
  EXPECT_FALSE(q.TryPush(ChunkOf(3000)));  // would exceed the bound
  RecordChunk out;
  ASSERT_TRUE(q.Pop(&out, 10));
  EXPECT_EQ(out.data.size(), 3000u);
  EXPECT_TRUE(q.TryPush(ChunkOf(3000)));
  EXPECT_FALSE(q.Pop(&out, 0) && q.Pop(&out, 0));  // only one chunk was queued
}

TEST(RecordQueueTest, OversizedChunkStillPassesWhenEmpty) {
  RecordQueue q(1024);
  EXPECT_TRUE(q.TryPush(ChunkOf(10000)));  // never deadlock on one big record
  EXPECT_FALSE(q.TryPush(ChunkOf(1)));
}

TEST(RecordQueueTest, PushBlocksUntilSpaceThenCloseWakesEveryone) {
  RecordQueue q(4096);
  ASSERT_TRUE(q.Push(ChunkOf(3000)));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    pushed.store(q.Push(ChunkOf(3000)));  // blocks: backpressure
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(pushed.load());
  RecordChunk out;
  ASSERT_TRUE(q.Pop(&out, 100));
  producer.join();
  EXPECT_TRUE(pushed.load());
  std::thread blocked([&] { EXPECT_FALSE(q.Push(ChunkOf(3000))); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  q.Close();
  blocked.join();
  ASSERT_TRUE(q.Pop(&out, 10));   // what was queued is still drained after Close
  EXPECT_FALSE(q.Pop(&out, 10));  // then empty and closed
}

class ConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    path_ =
        (fs::temp_directory_path() /
         ("rampart_cfg_" +
          std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".yaml"))
            .string();
    std::ofstream(path_) << text;
    return path_;
  }
  void TearDown() override { fs::remove(path_); }
  std::string path_;
};

TEST_F(ConfigTest, DefaultConfigTextEqualsBuiltInDefaults) {
  auto c = LoadServerConfig(Write(DefaultServerConfigYaml()));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ServerConfig d;
  EXPECT_EQ(c->data_dir, d.data_dir);
  EXPECT_EQ(c->tenant, d.tenant);
  EXPECT_EQ(c->retention_days, d.retention_days);
  EXPECT_EQ(c->syslog_udp, d.syslog_udp);
  EXPECT_EQ(c->syslog_tcp, d.syslog_tcp);
  EXPECT_EQ(c->http, d.http);
  EXPECT_EQ(c->http_max_body_bytes, d.http_max_body_bytes);
  EXPECT_EQ(c->queue_max_bytes, d.queue_max_bytes);
  EXPECT_EQ(c->batch_size, d.batch_size);
  EXPECT_EQ(c->flush_interval_ms, d.flush_interval_ms);
  EXPECT_TRUE(c->files.empty());
}

TEST_F(ConfigTest, FilesAndListeners) {
  auto c = LoadServerConfig(Write(R"(inputs:
  files:
    - {path: /var/log/auth.log, format: syslog, tenant: acme}
    - path: /var/log/nginx/access.log
  syslog: {udp: "", tcp: "127.0.0.1:0"}
)"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->files.size(), 2u);
  EXPECT_EQ(c->files[0].format, parse::Format::kSyslog);
  EXPECT_EQ(c->files[0].tenant, "acme");
  EXPECT_EQ(c->files[1].format, parse::Format::kAuto);
  EXPECT_EQ(c->syslog_udp, "");
  EXPECT_EQ(c->syslog_tcp, "127.0.0.1:0");
}

TEST_F(ConfigTest, ErrorsNameTheKeyAndLine) {
  std::string p = Write("retention:\n  dayz: 3\n");
  auto c = LoadServerConfig(p);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "config: unknown key 'retention.dayz' (line 2) in " + p);
  p = Write("retention:\n  days: many\n");
  c = LoadServerConfig(p);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "config: bad value for 'retention.days' (line 2) in " + p);
  p = Write("inputs:\n  files:\n    - {path: /x, format: csv}\n");
  c = LoadServerConfig(p);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "config: unknown format 'csv' (line 3) in " + p);
  p = Write("tenant: ../etc\n");
  c = LoadServerConfig(p);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "config: invalid tenant name '../etc' in " + p);
  c = LoadServerConfig("/nonexistent/rampart.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace rampart::ingest
