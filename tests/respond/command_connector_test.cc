// The command connector against real programs: /bin/sh scripts written by the test (the
// connector itself never uses a shell).

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "respond/connectors.h"

namespace rampart::respond {
namespace {

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CommandConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rampart-cmd-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    decision_.id = "dec-00000000000000aa";
    decision_.tenant = "acme";
    decision_.scope = Scope::kUser;
    decision_.value = "alice; rm -rf / $(reboot)";
    decision_.action = Action::kLock;
    decision_.reason = "impossible travel";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Script(const std::string& name, const std::string& body) {
    std::filesystem::path p = dir_ / name;
    std::ofstream(p) << "#!/bin/sh\n" << body;
    ::chmod(p.c_str(), 0700);
    return p.string();
  }

  std::filesystem::path dir_;
  Decision decision_;
};

TEST_F(CommandConnectorTest, PassesTheDecisionOnStdinAndAMinimalEnvironment) {
  CommandConfig c;
  c.name = "lock";
  c.argv = {Script("lock.sh", "cat > \"$1\"; env | sort > \"$2\"; echo done\n"),
            (dir_ / "stdin").string(), (dir_ / "env").string()};
  std::string out;
  Status s = RunCommand(c, Operation::kApply, decision_, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out, "done\n");
  std::string stdin_seen = ReadFile(dir_ / "stdin");
  EXPECT_EQ(stdin_seen, DecisionToJson(decision_) + "\n");
  auto parsed = ParseDecisionJson(stdin_seen);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->value, decision_.value);
  std::string env = ReadFile(dir_ / "env");
  EXPECT_NE(env.find("RAMPART_DECISION_ID=dec-00000000000000aa\n"), std::string::npos) << env;
  EXPECT_NE(env.find("RAMPART_ACTION=lock\n"), std::string::npos) << env;
  EXPECT_NE(env.find("RAMPART_OPERATION=apply\n"), std::string::npos) << env;
  EXPECT_NE(env.find("PATH="), std::string::npos) << env;
  EXPECT_EQ(env.find("HOME="), std::string::npos) << env;  // nothing inherited
}

TEST_F(CommandConnectorTest, ArgumentsAreNeverInterpretedByAShell) {
  CommandConfig c;
  c.name = "args";
  std::string marker = (dir_ / "pwned").string();
  c.argv = {Script("args.sh", "printf '%s\\n' \"$@\" > \"$0.args\"\n"), "$(touch " + marker + ")",
            "a b;c"};
  ASSERT_TRUE(RunCommand(c, Operation::kRemove, decision_).ok());
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_EQ(ReadFile(dir_ / "args.sh.args"), "$(touch " + marker + ")\na b;c\n");
}

TEST_F(CommandConnectorTest, NonZeroExitReportsCodeAndFirstStderrLine) {
  CommandConfig c;
  c.name = "fail";
  c.argv = {
      Script("fail.sh", "cat >/dev/null; echo 'no such account' >&2; echo more >&2; exit 3\n")};
  Status s = RunCommand(c, Operation::kApply, decision_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "exit 3: no such account");
}

TEST_F(CommandConnectorTest, MissingProgramIsAnError) {
  CommandConfig c;
  c.name = "missing";
  c.argv = {(dir_ / "does-not-exist").string()};
  Status s = RunCommand(c, Operation::kApply, decision_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot run"), std::string::npos) << s.message();
}

TEST_F(CommandConnectorTest, TimeoutKillsTheWholeProcessGroup) {
  CommandConfig c;
  c.name = "slow";
  c.timeout_ms = 300;
  std::string pidfile = (dir_ / "child.pid").string();
  // A child that ignores SIGTERM, so only the group SIGKILL ends it.
  c.argv = {Script("slow.sh", "(trap '' TERM; sleep 30) & echo $! > \"$1\"; wait\n"), pidfile};
  auto start = std::chrono::steady_clock::now();
  Status s = RunCommand(c, Operation::kApply, decision_);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("timeout after 300 ms"), std::string::npos) << s.message();
  EXPECT_LT(took, std::chrono::seconds(5));
  pid_t child = std::stoi(ReadFile(pidfile));
  // The grandchild is gone (or a zombie being reaped by init).
  for (int i = 0; i < 100 && ::kill(child, 0) == 0; ++i) {
    std::string stat = ReadFile("/proc/" + std::to_string(child) + "/stat");
    if (stat.find(") Z") != std::string::npos || stat.empty()) {
      break;
    }
    ::usleep(20'000);
  }
  std::string stat = ReadFile("/proc/" + std::to_string(child) + "/stat");
  EXPECT_TRUE(stat.empty() || stat.find(") Z") != std::string::npos) << stat;
}

TEST_F(CommandConnectorTest, OutputIsBounded) {
  CommandConfig c;
  c.name = "chatty";
  c.argv = {Script("chatty.sh", "head -c 1000000 /dev/zero\n")};
  std::string out;
  ASSERT_TRUE(RunCommand(c, Operation::kApply, decision_, &out).ok());
  EXPECT_EQ(out.size(), 64U * 1024U);
}

}  // namespace
}  // namespace rampart::respond
