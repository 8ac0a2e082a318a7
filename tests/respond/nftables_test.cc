// The nftables syncer against the real kernel, inside a throw-away network namespace
// (root, `ip` and `nft` needed; skipped otherwise). The host's ruleset is compared before and
// after, and another table in the namespace must come through every operation unchanged.

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "respond/connectors.h"

namespace rampart::respond {
namespace {

constexpr int64_t kSec = 1'000'000'000;

int64_t time_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs a shell command line written by the test (test plumbing only), returning stdout.
std::string Sh(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) {
    return out;
  }
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
    out.append(buf.data(), n);
  }
  int rc = ::pclose(p);
  if (status != nullptr) {
    *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  return out;
}

Decision Block(const std::string& id, Scope scope, const std::string& value, int64_t expires_ns) {
  Decision d;
  d.id = id;
  d.tenant = "acme";
  d.scope = scope;
  d.value = value;
  d.action = Action::kBlock;
  d.expires_ns = expires_ns;
  return d;
}

class NftablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root";
    }
    int rc = 0;
    Sh("command -v ip && command -v nft", &rc);
    if (rc != 0) {
      GTEST_SKIP() << "needs ip and nft";
    }
    host_before_ = Sh("nft list ruleset");
    ns_ = "rampart-test-" + std::to_string(::getpid());
    Sh("ip netns add " + ns_, &rc);
    if (rc != 0) {
      ns_.clear();
      GTEST_SKIP() << "ip netns unavailable";
    }
    Sh(In("nft add table inet other"));
    Sh(In("nft 'add set inet other keep { type ipv4_addr; }'"));
    Sh(In("nft add element inet other keep '{ 203.0.113.5 }'"));
    Sh(In("nft 'add chain inet other input { type filter hook input priority 0; }'"));
    Sh(In("nft add rule inet other input ip saddr @keep counter accept"));
    other_before_ = Sh(In("nft list table inet other"));
    config_.enabled = true;
    config_.nft_prefix = {"/usr/sbin/ip", "netns", "exec", ns_};
    config_.nft = Sh("command -v nft");
    while (!config_.nft.empty() && config_.nft.back() == '\n') {
      config_.nft.pop_back();
    }
  }

  void TearDown() override {
    if (!ns_.empty()) {
      Sh("ip netns del " + ns_);
      EXPECT_EQ(Sh("nft list ruleset"), host_before_) << "the host's ruleset changed";
    }
  }

  std::string In(const std::string& cmd) const { return "ip netns exec " + ns_ + " " + cmd; }
  std::string Set(const std::string& name) const {
    return Sh(In("nft list set inet rampart " + name));
  }
  void ExpectOtherUntouched() const {
    EXPECT_EQ(Sh(In("nft list table inet other")), other_before_);
  }

  std::string ns_;
  std::string host_before_;
  std::string other_before_;
  NftablesConfig config_;
};

TEST_F(NftablesTest, ApplyRemoveAndReconcile) {
  NftablesSyncer nft(config_);
  const int64_t now = time_now_ns();
  Decision v4 = Block("dec-v4", Scope::kIp, "192.0.2.10", now + 3600 * kSec);
  Decision v6 = Block("dec-v6", Scope::kRange, "2001:db8:1::/48", now + 600 * kSec);
  Decision forever = Block("dec-forever", Scope::kRange, "198.51.100.0/24", 0);

  ASSERT_TRUE(nft.Apply(v4, now).ok());
  ASSERT_TRUE(nft.Apply(v6, now).ok());
  ASSERT_TRUE(nft.Apply(forever, now).ok());
  ASSERT_TRUE(nft.Apply(v4, now).ok());  // idempotent
  std::string s4 = Set("block_v4");
  std::string s6 = Set("block_v6");
  EXPECT_NE(s4.find("192.0.2.10 timeout 1h"), std::string::npos) << s4;
  EXPECT_NE(s4.find(" 198.51.100.0/24 }"), std::string::npos) << s4;  // no timeout
  EXPECT_EQ(s4.find("198.51.100.0/24 timeout"), std::string::npos) << s4;
  EXPECT_EQ(s4.find("192.0.2.10", s4.find("192.0.2.10") + 1), std::string::npos) << s4;
  EXPECT_NE(s6.find("2001:db8:1::/48 timeout 10m"), std::string::npos) << s6;
  std::string chains = Sh(In("nft list chain inet rampart input"));
  EXPECT_NE(chains.find("ip saddr @block_v4 drop"), std::string::npos) << chains;
  EXPECT_NE(chains.find("ip6 saddr @block_v6 drop"), std::string::npos) << chains;
  EXPECT_NE(Sh(In("nft list chain inet rampart forward")).find("hook forward priority filter - 10"),
            std::string::npos);
  ExpectOtherUntouched();

  // An address inside a blocked range: the kernel refuses overlapping elements, the syncer
  // splits the range so the inner address keeps the longer timeout.
  Decision inner = Block("dec-inner", Scope::kIp, "198.51.100.77", now + 60 * kSec);
  ASSERT_TRUE(nft.Apply(inner, now).ok()) << nft.last_script();
  Decision outer = Block("dec-outer", Scope::kRange, "192.0.2.0/28", now + 120 * kSec);
  ASSERT_TRUE(nft.Apply(outer, now).ok()) << nft.last_script();
  s4 = Set("block_v4");
  EXPECT_NE(s4.find("198.51.100.0/24"), std::string::npos) << s4;  // forever wins inside
  EXPECT_NE(s4.find("192.0.2.10 timeout 1h"), std::string::npos) << s4;
  EXPECT_NE(s4.find("192.0.2.0-192.0.2.9 timeout 2m"), std::string::npos) << s4;

  ASSERT_TRUE(nft.Remove(v4, now).ok());
  ASSERT_TRUE(nft.Remove(v4, now).ok());  // removing a missing element is fine
  ASSERT_TRUE(nft.Remove(outer, now).ok());
  s4 = Set("block_v4");
  EXPECT_EQ(s4.find("192.0.2."), std::string::npos) << s4;
  ASSERT_TRUE(nft.Remove(v6, now).ok());
  EXPECT_EQ(Set("block_v6").find("2001:db8"), std::string::npos);

  // Invalid values never reach nft.
  Status bad = nft.Apply(Block("dec-bad", Scope::kIp, "10.0.0.1 } ; flush ruleset ;", 0), now);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(nft.Apply(Block("dec-wide", Scope::kRange, "0.0.0.0/0", 0), now).code(),
            StatusCode::kInvalidArgument);

  // A restart: the table is gone, the store still has the active decisions.
  Sh(In("nft delete table inet rampart"));
  NftablesSyncer fresh(config_);
  Decision expired = Block("dec-expired", Scope::kIp, "192.0.2.99", now - kSec);
  Decision revoked = Block("dec-revoked", Scope::kIp, "192.0.2.98", 0);
  revoked.state = DecisionState::kRevoked;
  Decision shadow = Block("dec-shadow", Scope::kIp, "192.0.2.97", 0);
  shadow.shadow = true;
  Decision notify = Block("dec-notify", Scope::kIp, "192.0.2.96", 0);
  notify.action = Action::kNotify;
  Decision isolate = Block("dec-isolate", Scope::kIp, "2001:db8::5", now + 30 * kSec);
  isolate.action = Action::kIsolate;
  ASSERT_TRUE(fresh.Reconcile({v4, expired, revoked, shadow, notify, isolate, forever}, now).ok());
  s4 = Set("block_v4");
  s6 = Set("block_v6");
  EXPECT_NE(s4.find("elements = { 192.0.2.10 timeout 1h"), std::string::npos) << s4;
  EXPECT_NE(s4.find("198.51.100.0/24 }"), std::string::npos) << s4;
  for (const char* absent : {"192.0.2.99", "192.0.2.98", "192.0.2.97", "192.0.2.96"}) {
    EXPECT_EQ(s4.find(absent), std::string::npos) << absent << "\n" << s4;
  }
  EXPECT_NE(s6.find("elements = { 2001:db8::5 timeout 30s"), std::string::npos) << s6;
  ExpectOtherUntouched();

  // Traffic really is dropped: a TCP connect to the namespace's loopback from a blocked
  // source address times out; from an unblocked one it succeeds.
  Sh(In("ip link set lo up"));
  Sh(In("ip addr add 192.0.2.10/32 dev lo"));
  auto connect_from = [&](const std::string& source) {
    int rc = 0;
    Sh(In("python3 -c \"import socket; l = socket.socket(); l.bind(('127.0.0.1', 0)); "
          "l.listen(); c = socket.socket(); c.settimeout(1); c.bind(('" +
          source + "', 0)); c.connect(l.getsockname())\""),
       &rc);
    return rc;
  };
  int rc = 0;
  Sh("command -v python3", &rc);
  if (rc == 0) {
    EXPECT_EQ(connect_from("127.0.0.1"), 0) << "an unblocked source was dropped";
    EXPECT_NE(connect_from("192.0.2.10"), 0) << "a blocked source got through";
  }
  // Nothing here ever names another table or the whole ruleset.
  EXPECT_EQ(fresh.last_script().find("ruleset"), std::string::npos);
  EXPECT_EQ(fresh.last_script().find("other"), std::string::npos);
}

TEST_F(NftablesTest, DispatcherReconcilesAndApplies) {
  ConnectorsConfig c;
  c.nftables = config_;
  std::vector<ConnectorResult> results;
  std::mutex mu;
  ConnectorDispatcher d(c, "",
                        [&](const std::string&, const std::string&, const ConnectorResult& r) {
                          std::lock_guard<std::mutex> lock(mu);
                          results.push_back(r);
                        });
  const int64_t now = time_now_ns();
  ASSERT_TRUE(d.Reconcile({Block("dec-a", Scope::kIp, "192.0.2.1", 0)}, now).ok());
  EXPECT_EQ(d.Enqueue(Operation::kApply, Block("dec-b", Scope::kIp, "192.0.2.2", 0)), 1U);
  EXPECT_EQ(d.Stop(10'000), 0U);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(results.size(), 1U);
  EXPECT_EQ(results[0].connector, "nftables");
  EXPECT_EQ(results[0].outcome, "ok") << results[0].detail;
  std::string s4 = Set("block_v4");
  EXPECT_NE(s4.find("192.0.2.1-192.0.2.2"), std::string::npos) << s4;
  ExpectOtherUntouched();
}

}  // namespace
}  // namespace rampart::respond
