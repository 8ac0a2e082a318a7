#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "respond/connectors.h"

namespace rampart::respond {
namespace {

class ConnectorsConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("rampart-conncfg-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "webhook.secret") << "0123456789abcdef-secret\n";
    file_ = (dir_ / "rampart.yaml").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<ConnectorsConfig> Parse(const std::string& yaml) {
    YAML::Node root = YAML::Load(yaml);
    return ParseConnectorsConfig(root["connectors"], file_);
  }

  std::filesystem::path dir_;
  std::string file_;
};

TEST_F(ConnectorsConfigTest, ReadsTheDocumentedExample) {
  auto c = Parse(R"(
connectors:
  nftables: { enabled: true, table: rampart, family: inet, nft: /usr/sbin/nft }
  webhooks:
    - name: soc
      url: http://127.0.0.1:9000/hook
      secret_file: webhook.secret
      actions: [block, notify]
      retries: 5
      backoff_ms: 500
      timeout_ms: 5000
  commands:
    - name: lock-account
      argv: [/usr/local/bin/lock-account, --reason, rampart]
      actions: [lock, revoke]
      timeout_ms: 10000
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->nftables.enabled);
  EXPECT_EQ(c->nftables.table, "rampart");
  ASSERT_EQ(c->webhooks.size(), 1U);
  EXPECT_EQ(c->webhooks[0].secret, "0123456789abcdef-secret");  // newline stripped
  EXPECT_EQ(c->webhooks[0].retry.retries, 5);
  EXPECT_EQ(c->webhooks[0].retry.backoff_ms, 500);
  EXPECT_EQ(c->webhooks[0].actions, (std::vector<Action>{Action::kBlock, Action::kNotify}));
  ASSERT_EQ(c->commands.size(), 1U);
  EXPECT_EQ(c->commands[0].argv.size(), 3U);
  EXPECT_EQ(c->commands[0].timeout_ms, 10000);
  EXPECT_TRUE(Parse("other: 1").ok());  // absent: nothing configured
}

TEST_F(ConnectorsConfigTest, BackoffDoublesUpToTheCap) {
  RetryConfig r{5, 500, 3000};
  EXPECT_EQ(r.DelayMsBefore(2), 500);
  EXPECT_EQ(r.DelayMsBefore(3), 1000);
  EXPECT_EQ(r.DelayMsBefore(4), 2000);
  EXPECT_EQ(r.DelayMsBefore(5), 3000);
  EXPECT_EQ(r.DelayMsBefore(60), 3000);
}

TEST_F(ConnectorsConfigTest, ErrorsNameFileLineAndReason) {
  struct Case {
    const char* yaml;
    const char* error;
  };
  const Case cases[] = {
      {"connectors:\n  nftable: {}\n", ":2: response.connectors: unknown key \"nftable\""},
      {"connectors:\n  nftables: { family: ip }\n",
       ":2: response.connectors.nftables.family: only \"inet\""},
      {"connectors:\n  nftables: { table: \"x; flush ruleset\" }\n",
       "response.connectors.nftables.table: must be a letter"},
      {"connectors:\n  webhooks:\n    - name: a\n      url: ftp://x/\n      secret_file: "
       "webhook.secret\n",
       ":4: response.connectors.webhooks[0].url: the URL must start with http:// or https://"},
      {"connectors:\n  webhooks:\n    - name: a\n      url: http://x/\n",
       ":3: response.connectors.webhooks[0]: missing \"secret_file\""},
      {"connectors:\n  webhooks:\n    - name: a\n      url: http://x/\n      secret_file: nope\n",
       ":5: response.connectors.webhooks[0].secret_file: "},
      {"connectors:\n  webhooks:\n    - name: a\n      url: http://x/\n      secret_file: "
       "webhook.secret\n      actions: [block, smite]\n",
       ":6: response.connectors.webhooks[0].actions[1]: unknown action"},
      {"connectors:\n  webhooks:\n    - name: a\n      url: http://x/\n      secret_file: "
       "webhook.secret\n      retries: many\n",
       "webhooks[0].retries: must be an integer from 0 to 100"},
      {"connectors:\n  commands:\n    - name: c\n      argv: [lock-account]\n",
       ":4: response.connectors.commands[0].argv: must start with the program's absolute path"},
      {"connectors:\n  commands:\n    - name: c\n      argv: [/bin/true]\n    - name: c\n"
       "      argv: [/bin/true]\n",
       ":5: response.connectors.commands[1].name: \"c\" is used twice"},
      {"connectors:\n  commands:\n    - name: c\n      argv: /bin/true\n",
       "commands[0].argv: must be a list of strings"},
  };
  for (const Case& c : cases) {
    auto r = Parse(c.yaml);
    ASSERT_FALSE(r.ok()) << c.yaml;
    std::string message(r.status().message());
    EXPECT_EQ(message.rfind(file_, 0), 0U) << message;
    EXPECT_NE(message.find(c.error), std::string::npos) << c.yaml << "\n -> " << message;
  }
}

TEST_F(ConnectorsConfigTest, ShortSecretsAreRefused) {
  std::ofstream(dir_ / "short.secret") << "abc\n";
  auto r = Parse(
      "connectors:\n  webhooks:\n    - name: a\n      url: https://x/\n      secret_file: "
      "short.secret\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("at least 16 bytes"), std::string::npos);
}

}  // namespace
}  // namespace rampart::respond
