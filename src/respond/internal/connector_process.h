#pragma once
// Running a program for a connector (nft, commands): posix_spawn of an argv (never a
// shell), a given environment, bytes on stdin, stdout and stderr captured up to a bound, a
// deadline after which its process group gets SIGTERM, then SIGKILL. Private to the
// connectors. Thread-safe: nothing shared; the child inherits no descriptor but 0, 1, 2.

#include <cstddef>
#include <string>
#include <vector>

namespace rampart::respond::internal {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is the path exec'd
  std::vector<std::string> env;   // "NAME=value"
  std::string stdin_data;
  int timeout_ms = 10'000;
  int kill_grace_ms = 2'000;      // SIGTERM → SIGKILL
  size_t max_output = 64 * 1024;  // per stream; the rest is read and dropped
};

struct ProcessOutcome {
  std::string spawn_error;  // non-empty: it never ran (errno text)
  bool timed_out = false;
  int exit_code = -1;  // when it exited
  int signal = 0;      // when a signal ended it
  std::string out;
  std::string err;
  bool ok() const { return spawn_error.empty() && !timed_out && exit_code == 0; }
  // "exit 3: <first line of stderr>", "killed by signal 9", "timeout after N ms", ...
  std::string Describe(int timeout_ms) const;
};

ProcessOutcome RunProcess(const ProcessSpec& spec);

}  // namespace rampart::respond::internal
