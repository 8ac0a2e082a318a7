// Response policies: strict YAML with file:line errors, matching, the allowlist.

#include "respond/policy.h"

#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/detection.h"

namespace rampart::respond {
namespace {

constexpr int64_t kSec = 1'000'000'000;

constexpr const char* kValid = R"YAML(id: ssh-brute
description: SSH brute force, answered at the edge
match:
  rules: [ssh-brute-force, ssh-spray]
  tags: attack.t1110
  level: high
target: ip
forget: 12h
ladder:
  - action: rate_limit
    rate: 30/min
    ttl: 10m
  - action: block
    ttl: 1h
    climb: {detections: 3, risk: 40}
  - action: block
    ttl: 1d
    approval: operator
    approval_timeout: 15m
    on_timeout: approve
---
id: account-takeover
match:
  kinds: [sigma, ioc]
  tenants: [acme, globex]
  risk: 50
target: user
shadow: true
ladder:
  - action: notify
    connector: soc
  - action: lock
    connector: lock-account
    approval: operator
---
# an empty document is skipped
)YAML";

TEST(PolicyParseTest, ValidMultiDocumentFile) {
  auto parsed = ParsePolicies(kValid, "rules/response/edge.yml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->policies.size(), 2U);

  const Policy& ssh = parsed->policies[0];
  EXPECT_EQ(ssh.id, "ssh-brute");
  EXPECT_EQ(ssh.description, "SSH brute force, answered at the edge");
  EXPECT_EQ(ssh.file, "rules/response/edge.yml");
  EXPECT_EQ(ssh.line, 1);
  EXPECT_EQ(ssh.match.rules, (std::vector<std::string>{"ssh-brute-force", "ssh-spray"}));
  EXPECT_EQ(ssh.match.tags, std::vector<std::string>{"attack.t1110"});
  EXPECT_EQ(ssh.match.min_level, Severity::kHigh);
  EXPECT_TRUE(ssh.match.tenants.empty());
  EXPECT_EQ(ssh.target, Scope::kIp);
  EXPECT_FALSE(ssh.shadow);
  EXPECT_EQ(ssh.forget_ns, 12 * 3600 * kSec);
  ASSERT_EQ(ssh.ladder.size(), 3U);
  EXPECT_EQ(ssh.ladder[0].action, Action::kRateLimit);
  EXPECT_EQ(ssh.ladder[0].rate_per_minute, 30U);
  EXPECT_EQ(ssh.ladder[0].ttl_ns, 600 * kSec);
  EXPECT_EQ(ssh.ladder[0].line, 10);
  EXPECT_EQ(ssh.ladder[1].action, Action::kBlock);
  EXPECT_EQ(ssh.ladder[1].ttl_ns, 3600 * kSec);
  EXPECT_EQ(ssh.ladder[1].climb_detections, 3U);
  EXPECT_DOUBLE_EQ(ssh.ladder[1].climb_min_risk, 40.0);
  EXPECT_EQ(ssh.ladder[1].line, 13);
  EXPECT_EQ(ssh.ladder[2].approval, "operator");
  EXPECT_EQ(ssh.ladder[2].approval_timeout_ns, 900 * kSec);
  EXPECT_TRUE(ssh.ladder[2].approve_on_timeout);
  EXPECT_EQ(ssh.ladder[2].climb_detections, 1U);  // the default

  const Policy& ato = parsed->policies[1];
  EXPECT_EQ(ato.id, "account-takeover");
  EXPECT_EQ(ato.line, 22);
  EXPECT_EQ(ato.match.kinds,
            (std::vector<DetectionKind>{DetectionKind::kSigma, DetectionKind::kIoc}));
  EXPECT_EQ(ato.match.tenants, (std::vector<std::string>{"acme", "globex"}));
  EXPECT_DOUBLE_EQ(ato.match.min_risk, 50.0);
  EXPECT_EQ(ato.target, Scope::kUser);
  EXPECT_TRUE(ato.shadow);
  EXPECT_EQ(ato.forget_ns, 24 * 3600 * kSec);  // the default
  ASSERT_EQ(ato.ladder.size(), 2U);
  EXPECT_EQ(ato.ladder[0].action, Action::kNotify);
  EXPECT_EQ(ato.ladder[0].connector, "soc");
  EXPECT_EQ(ato.ladder[0].ttl_ns, 0);
  EXPECT_EQ(ato.ladder[1].action, Action::kLock);
  EXPECT_EQ(ato.ladder[1].approval_timeout_ns, 0);
  EXPECT_FALSE(ato.ladder[1].approve_on_timeout);

  ASSERT_EQ(parsed->file_hashes.size(), 1U);
  const std::string& hash = parsed->file_hashes.at("rules/response/edge.yml");
  EXPECT_EQ(hash.size(), 64U);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(PolicyParseTest, RateUnits) {
  auto rate = [](const std::string& r) -> uint32_t {
    auto parsed = ParsePolicies(
        "id: r\nmatch: {level: low}\nladder:\n  - action: rate_limit\n    ttl: 1m\n    rate: " + r +
            "\n",
        "r.yml");
    return parsed.ok() ? parsed->policies[0].ladder[0].rate_per_minute : 0;
  };
  EXPECT_EQ(rate("30/min"), 30U);
  EXPECT_EQ(rate("30/m"), 30U);
  EXPECT_EQ(rate("45"), 45U);
  EXPECT_EQ(rate("2/s"), 120U);
  EXPECT_EQ(rate("120/h"), 2U);
  EXPECT_EQ(rate("30/h"), 0U);  // under 1/min
  EXPECT_EQ(rate("0/min"), 0U);
  EXPECT_EQ(rate("-3/min"), 0U);
  EXPECT_EQ(rate("3/fortnight"), 0U);
}

// The error text of parsing `text` as "p.yml" (empty when it parses).
std::string Error(const std::string& text) {
  auto parsed = ParsePolicies(text, "p.yml");
  return parsed.ok() ? std::string() : std::string(parsed.status().message());
}

// A policy whose ladder is `stages` (lines 5 onwards).
std::string WithLadder(const std::string& stages) {
  return "id: x\nmatch:\n  level: high\nladder:\n" + stages;
}

void ExpectError(const std::string& text, const std::string& prefix, const std::string& reason) {
  const std::string message = Error(text);
  EXPECT_EQ(message.rfind(prefix, 0), 0U) << "got: " << message << "\nwant prefix: " << prefix;
  EXPECT_NE(message.find(reason), std::string::npos) << "got: " << message << "\nwant: " << reason;
}

TEST(PolicyParseTest, ErrorsNameFileAndLine) {
  ExpectError("id: x\nmatch:\n  level: high\n  colour: red\nladder:\n  - action: notify\n",
              "p.yml:4: ", "unknown key 'colour' in match");
  ExpectError("id: x\nmatch: {level: high}\nshadw: true\nladder:\n  - action: notify\n",
              "p.yml:3: ", "unknown key 'shadw' in a policy");
  ExpectError(WithLadder("  - action: notify\n    tll: 1h\n"),
              "p.yml:6: ", "unknown key 'tll' in a ladder stage");
  ExpectError(WithLadder("  - action: block\n"), "p.yml:5: ", "a block stage needs a ttl");
  ExpectError(WithLadder("  - action: notify\n  - action: isolate\n"),
              "p.yml:6: ", "an isolate stage needs a ttl");
  ExpectError(WithLadder("  - action: block\n    ttl: 1h\n    rate: 30/min\n"),
              "p.yml:7: ", "rate applies to rate_limit stages only");
  ExpectError(WithLadder("  - action: rate_limit\n    ttl: 1h\n"),
              "p.yml:5: ", "a rate_limit stage needs a rate");
  ExpectError(WithLadder("  - action: block\n    ttl: 10 minutes\n"),
              "p.yml:6: ", "ttl '10 minutes' is not a duration");
  ExpectError(WithLadder("  - action: block\n    ttl: 0s\n"), "p.yml:6: ", "ttl must be positive");
  ExpectError("id: x\nmatch: {level: high}\nforget: soon\nladder:\n  - action: notify\n",
              "p.yml:3: ", "forget 'soon' is not a duration");
  ExpectError(WithLadder("  - action: block\n    ttl: 1h\n    climb: {detections: 2}\n"),
              "p.yml:7: ", "the first stage has no climb condition");
  ExpectError(WithLadder("  - action: notify\n  - action: notify\n    climb: {detections: 0}\n"),
              "p.yml:7: ", "climb.detections 0 is outside 1..");
  ExpectError(WithLadder("  - action: notify\n  - action: notify\n    climb: {hits: 2}\n"),
              "p.yml:7: ", "unknown key 'hits' in climb");
  ExpectError(WithLadder("  - action: block\n    ttl: 1h\n    approval: admin\n"),
              "p.yml:7: ", "approval must be auto or operator");
  ExpectError(
      WithLadder(
          "  - action: block\n    ttl: 1h\n    approval: operator\n    on_timeout: approve\n"),
      "p.yml:8: ", "on_timeout needs an approval_timeout");
  ExpectError(WithLadder("  - action: block\n    ttl: 1h\n    approval: operator\n"
                         "    approval_timeout: 5m\n    on_timeout: maybe\n"),
              "p.yml:9: ", "on_timeout must be approve or reject");
  ExpectError(WithLadder("  - action: block\n    ttl: 1h\n    approval_timeout: 5m\n"),
              "p.yml:7: ", "approval_timeout needs approval: operator");
  ExpectError(WithLadder("  - action: notify\n  - action: revoke\n"),
              "p.yml:6: ", "a revoke stage needs a connector");
  ExpectError(WithLadder("  - action: lock\n"), "p.yml:5: ", "a lock stage needs a connector");
  ExpectError(WithLadder("  - action: nuke\n"), "p.yml:5: ", "unknown action 'nuke'");
  ExpectError(WithLadder("  - ttl: 1h\n"), "p.yml:5: ", "a ladder stage needs an action");
  ExpectError("id: x\nmatch: {level: high}\ntarget: range\nladder:\n  - action: notify\n",
              "p.yml:3: ", "target 'range' must be");
  ExpectError("id: x\nmatch: {level: urgent}\nladder:\n  - action: notify\n",
              "p.yml:2: ", "unknown level 'urgent'");
  ExpectError("id: x\nmatch: {kinds: [sigma, yara]}\nladder:\n  - action: notify\n",
              "p.yml:2: ", "unknown detection kind 'yara'");
  ExpectError(
      "id: x\nmatch:\n  tags: [attack.t1110, credential-access]\nladder:\n  - action: notify\n",
      "p.yml:3: ", "tag 'credential-access' must be an ATT&CK tag");
  ExpectError("id: x\nmatch:\n  tenants: [acme]\nladder:\n  - action: notify\n",
              "p.yml:3: ", "match needs at least one of");
  ExpectError("id: x\nmatch: {level: high}\nshadow: maybe\nladder:\n  - action: notify\n",
              "p.yml:3: ", "shadow must be true or false");
  ExpectError("id: x\nmatch: {level: high}\n", "p.yml:1: ", "needs a ladder");
  ExpectError("id: x\nmatch: {level: high}\nladder: []\n", "p.yml:3: ", "needs a ladder");
  ExpectError("match: {level: high}\nladder:\n  - action: notify\n",
              "p.yml:1: ", "a policy needs an id");
  ExpectError("id: 'has space'\nmatch: {level: high}\nladder:\n  - action: notify\n",
              "p.yml:1: ", "id 'has space' must be");
  ExpectError("id: x\nladder:\n  - action: notify\n", "p.yml:1: ", "needs a match section");
  ExpectError("- just\n- a list\n", "p.yml:1: ", "a policy must be a mapping");
}

TEST(PolicyParseTest, ErrorInALaterDocumentNamesItsOwnLine) {
  const std::string text =
      "id: a\nmatch: {level: high}\nladder:\n  - action: notify\n"  // lines 1-4
      "---\n"                                                       // line 5
      "id: b\nmatch: {level: high}\nladder:\n  - action: block\n";  // lines 6-9
  ExpectError(text, "p.yml:9: ", "a block stage needs a ttl");
  ExpectError(
      "id: a\nmatch: {level: high}\nladder:\n  - action: notify\n---\n"
      "id: a\nmatch: {level: low}\nladder:\n  - action: notify\n",
      "p.yml:6: ", "duplicate policy id 'a'");
}

TEST(PolicyParseTest, InvalidYaml) {
  const std::string message = Error("id: x\nmatch: {level: high\nladder:\n  - action: notify\n");
  ASSERT_FALSE(message.empty());
  EXPECT_EQ(message.rfind("p.yml:", 0), 0U) << message;
  EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(message[6]))) << message;
  const std::string tabs = Error("id: x\n\tmatch: 1\n");
  EXPECT_EQ(tabs.rfind("p.yml:", 0), 0U) << tabs;
}

class PolicyDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rampart_policy_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "sub");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(PolicyDirTest, LoadsADirectoryRecursivelyAndSorted) {
  Write("b.yml", "id: b\nmatch: {level: high}\nladder:\n  - action: notify\n");
  Write("a.yaml", "id: a\nmatch: {level: high}\nladder:\n  - action: notify\n");
  Write("sub/c.yml", "id: c\nmatch: {level: high}\nladder:\n  - action: notify\n");
  Write("notes.txt", "not a policy");
  auto loaded = LoadPolicies({dir_.string()});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->policies.size(), 3U);
  EXPECT_EQ(loaded->policies[0].id, "a");
  EXPECT_EQ(loaded->policies[1].id, "b");
  EXPECT_EQ(loaded->policies[2].id, "c");
  EXPECT_EQ(loaded->policies[2].file, (dir_ / "sub/c.yml").string());
  EXPECT_EQ(loaded->file_hashes.size(), 3U);

  auto missing = LoadPolicies({(dir_ / "nope").string()});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(PolicyDirTest, DuplicateIdAcrossFiles) {
  Write("a.yml", "id: same\nmatch: {level: high}\nladder:\n  - action: notify\n");
  Write("b.yml", "# the second file\nid: same\nmatch: {level: low}\nladder:\n  - action: notify\n");
  auto loaded = LoadPolicies({dir_.string()});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(),
            (dir_ / "b.yml").string() + ":2: duplicate policy id 'same'");
}

TEST_F(PolicyDirTest, ErrorNamesTheFileItIsIn) {
  Write("a.yml", "id: a\nmatch: {level: high}\nladder:\n  - action: notify\n");
  Write("b.yml", "id: b\nmatch: {level: high}\nladder:\n  - action: block\n");
  auto loaded = LoadPolicies({(dir_ / "a.yml").string(), (dir_ / "b.yml").string()});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(std::string(loaded.status().message()).rfind((dir_ / "b.yml").string() + ":4: ", 0), 0U)
      << loaded.status().ToString();
}

Detection Det() {
  Detection d;
  d.kind = DetectionKind::kSigma;
  d.rule_id = "ssh-brute-force";
  d.level = Severity::kHigh;
  d.tenant = "acme";
  d.tactics = {"credential-access"};
  d.techniques = {"T1110.003"};
  return d;
}

Policy MatchOnly(const std::string& match_yaml) {
  auto parsed =
      ParsePolicies("id: m\nmatch:\n" + match_yaml + "ladder:\n  - action: notify\n", "m.yml");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? parsed->policies[0] : Policy{};
}

TEST(PolicyMatchTest, ByTenant) {
  const Policy p = MatchOnly("  tenants: [acme]\n  level: low\n");
  Detection d = Det();
  EXPECT_TRUE(Matches(p, d, 0));
  d.tenant = "globex";
  EXPECT_FALSE(Matches(p, d, 0));
  EXPECT_TRUE(Matches(MatchOnly("  level: low\n"), d, 0));  // no tenants: every tenant
}

TEST(PolicyMatchTest, ByRule) {
  const Policy p = MatchOnly("  rules: [ssh-brute-force, other]\n");
  Detection d = Det();
  EXPECT_TRUE(Matches(p, d, 0));
  d.rule_id = "ssh-brute-force-2";
  EXPECT_FALSE(Matches(p, d, 0));
}

TEST(PolicyMatchTest, ByTag) {
  Detection d = Det();
  EXPECT_TRUE(Matches(MatchOnly("  tags: attack.t1110\n"), d, 0));
  EXPECT_TRUE(Matches(MatchOnly("  tags: attack.T1110.003\n"), d, 0));
  EXPECT_FALSE(Matches(MatchOnly("  tags: attack.t1110.001\n"), d, 0));
  EXPECT_TRUE(Matches(MatchOnly("  tags: [attack.t1059, attack.credential-access]\n"), d, 0));
  EXPECT_FALSE(Matches(MatchOnly("  tags: attack.t1059\n"), d, 0));
  d.techniques = {"T11100"};
  EXPECT_FALSE(Matches(MatchOnly("  tags: attack.t1110\n"), d, 0));
  d.techniques = {"T1110"};
  EXPECT_TRUE(Matches(MatchOnly("  tags: attack.t1110\n"), d, 0));
  EXPECT_FALSE(Matches(MatchOnly("  tags: attack.t1110.003\n"), d, 0));
}

TEST(PolicyMatchTest, ByKindLevelAndRisk) {
  Detection d = Det();
  const Policy ioc_only = MatchOnly("  kinds: ioc\n");
  EXPECT_FALSE(Matches(ioc_only, d, 0));
  d.kind = DetectionKind::kIoc;
  EXPECT_TRUE(Matches(ioc_only, d, 0));

  const Policy high = MatchOnly("  level: high\n");
  d.level = Severity::kHigh;
  EXPECT_TRUE(Matches(high, d, 0));
  d.level = Severity::kCritical;
  EXPECT_TRUE(Matches(high, d, 0));
  d.level = Severity::kMedium;
  EXPECT_FALSE(Matches(high, d, 0));

  const Policy risky = MatchOnly("  risk: 40\n");
  EXPECT_FALSE(Matches(risky, d, 39.9));
  EXPECT_TRUE(Matches(risky, d, 40));
  EXPECT_TRUE(Matches(risky, d, 100));

  // Every condition must hold.
  const Policy all = MatchOnly("  rules: [ssh-brute-force]\n  level: high\n  risk: 10\n");
  d = Det();
  EXPECT_TRUE(Matches(all, d, 10));
  EXPECT_FALSE(Matches(all, d, 5));
  d.level = Severity::kLow;
  EXPECT_FALSE(Matches(all, d, 10));
}

TEST(AllowlistTest, LoopbackByDefault) {
  auto list = Allowlist::Parse({}, true);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->Contains(Scope::kIp, "127.0.0.1"));
  EXPECT_TRUE(list->Contains(Scope::kIp, "127.255.0.9"));
  EXPECT_TRUE(list->Contains(Scope::kIp, "::1"));
  EXPECT_TRUE(list->Contains(Scope::kIp, "0:0:0:0:0:0:0:1"));
  EXPECT_FALSE(list->Contains(Scope::kIp, "128.0.0.1"));
  EXPECT_FALSE(list->Contains(Scope::kIp, "::2"));
  EXPECT_FALSE(list->Contains(Scope::kIp, "not an address"));
  auto none = Allowlist::Parse({}, false);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->Contains(Scope::kIp, "127.0.0.1"));
  EXPECT_FALSE(none->Contains(Scope::kIp, "::1"));
}

TEST(AllowlistTest, RangesOverlap) {
  auto list = Allowlist::Parse({"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"}, false);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_TRUE(list->Contains(Scope::kIp, "10.200.3.4"));
  EXPECT_TRUE(list->Contains(Scope::kIp, "192.0.2.7"));
  EXPECT_FALSE(list->Contains(Scope::kIp, "192.0.2.8"));
  EXPECT_TRUE(list->Contains(Scope::kIp, "2001:0db8:0:0:0:0:0:1"));
  EXPECT_FALSE(list->Contains(Scope::kIp, "2001:db9::1"));
  // A range inside an allowlisted range, and one that contains it: both overlap.
  EXPECT_TRUE(list->Contains(Scope::kRange, "10.1.0.0/16"));
  EXPECT_TRUE(list->Contains(Scope::kRange, "8.0.0.0/5"));
  EXPECT_TRUE(list->Contains(Scope::kRange, "0.0.0.0/0"));
  EXPECT_TRUE(list->Contains(Scope::kRange, "192.0.2.0/24"));
  EXPECT_FALSE(list->Contains(Scope::kRange, "11.0.0.0/8"));
  EXPECT_FALSE(list->Contains(Scope::kRange, "192.0.3.0/24"));
  EXPECT_TRUE(list->Contains(Scope::kRange, "2001:db8:1::/48"));
  EXPECT_FALSE(list->Contains(Scope::kRange, "2001:db9::/32"));
  // Families never mix.
  auto v4 = Allowlist::Parse({"10.0.0.0/8"}, false);
  ASSERT_TRUE(v4.ok());
  EXPECT_FALSE(v4->Contains(Scope::kRange, "::/0"));
}

TEST(AllowlistTest, Entities) {
  auto list = Allowlist::Parse(
      {"user:Alice", "api_key:hmac:AbC123", "host:db-01", "session:hmac:s1", "token:hmac:t1"},
      true);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_TRUE(list->Contains(Scope::kUser, "alice"));
  EXPECT_TRUE(list->Contains(Scope::kUser, "ALICE"));
  EXPECT_FALSE(list->Contains(Scope::kUser, "alice2"));
  EXPECT_TRUE(list->Contains(Scope::kApiKey, "hmac:AbC123"));
  EXPECT_FALSE(list->Contains(Scope::kApiKey, "hmac:abc123"));  // secrets are exact
  EXPECT_TRUE(list->Contains(Scope::kHost, "DB-01"));
  EXPECT_TRUE(list->Contains(Scope::kSession, "hmac:s1"));
  EXPECT_FALSE(list->Contains(Scope::kSession, "hmac:S1"));
  EXPECT_TRUE(list->Contains(Scope::kToken, "hmac:t1"));
  // A value allowlisted for one type does not cover another.
  EXPECT_FALSE(list->Contains(Scope::kHost, "alice"));
  EXPECT_FALSE(list->Contains(Scope::kToken, "hmac:AbC123"));
}

TEST(AllowlistTest, BadEntriesRefused) {
  for (const char* bad : {"bogus", "user:", "planet:mars", "ip:10.0.0.1", "range:10.0.0.0/8",
                          "10.0.0.0/33", "300.1.1.1", "", "2001:db8::/129"}) {
    auto list = Allowlist::Parse({"10.0.0.0/8", bad}, true);
    ASSERT_FALSE(list.ok()) << "'" << bad << "' was accepted";
    EXPECT_NE(list.status().message().find("'" + std::string(bad) + "'"), std::string::npos)
        << list.status().ToString();
  }
}

}  // namespace
}  // namespace rampart::respond
