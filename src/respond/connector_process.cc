// RunProcess (internal/connector_process.h): posix_spawn with pipes, one poll loop for
// stdin/stdout/stderr and the deadline.

#include "respond/internal/connector_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/strings.h"

namespace rampart::respond::internal {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  void Reset(int fd) {
    Close();
    fd_ = fd;
  }
  void Close() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_ = -1;
};

std::string ErrnoText(const char* what, int err) {
  return std::string(what) + ": " + std::strerror(err);  // NOLINT(concurrency-mt-unsafe)
}

// Appends what `fd` has (up to the bound); false at end of file or error.
bool Drain(int fd, std::string* into, size_t max) {
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) {
      size_t room = max > into->size() ? max - into->size() : 0;
      into->append(buf, std::min(room, static_cast<size_t>(n)));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      return true;
    }
    return false;
  }
}

// Waits until the child has exited, without reaping it (so its pid, which is also its
// group's id, cannot be reused while we still signal the group); false at `deadline_ns`.
bool ExitedBy(pid_t pid, int64_t deadline_ns) {
  for (;;) {
    siginfo_t info{};
    int r = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if ((r == 0 && info.si_pid == pid) || (r < 0 && errno != EINTR)) {
      return true;
    }
    if (MonotonicNowNs() >= deadline_ns) {
      return false;
    }
    ::usleep(10'000);
  }
}

}  // namespace

std::string ProcessOutcome::Describe(int timeout_ms) const {
  if (!spawn_error.empty()) {
    return spawn_error;
  }
  std::string d;
  if (timed_out) {
    d = "timeout after " + std::to_string(timeout_ms) + " ms";
  } else if (signal != 0) {
    d = "killed by signal " + std::to_string(signal);
  } else {
    d = "exit " + std::to_string(exit_code);
  }
  std::string_view first = Trim(std::string_view(err).substr(0, err.find('\n')));
  if (!first.empty()) {
    d += ": ";
    d += first.substr(0, 300);
  }
  return d;
}

ProcessOutcome RunProcess(const ProcessSpec& spec) {
  ProcessOutcome result;
  if (spec.argv.empty()) {
    result.spawn_error = "empty argv";
    return result;
  }
  // stdin is a socket so writing to a child that stopped reading gives EPIPE, not SIGPIPE.
  int sv[2];
  int out_pipe[2];
  int err_pipe[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    result.spawn_error = ErrnoText("socketpair", errno);
    return result;
  }
  Fd in_parent(sv[0]);
  Fd in_child(sv[1]);
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.spawn_error = ErrnoText("pipe", errno);
    return result;
  }
  Fd out_parent(out_pipe[0]);
  Fd out_child(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.spawn_error = ErrnoText("pipe", errno);
    return result;
  }
  Fd err_parent(err_pipe[0]);
  Fd err_child(err_pipe[1]);
  ::shutdown(in_child.get(), SHUT_WR);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_child.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out_child.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_child.get(), 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty;
  sigset_t defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGQUIT, SIGUSR1, SIGUSR2}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group, so a timeout kills its children too
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> argv;
  for (const std::string& a : spec.argv) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : spec.env) {
    envp.push_back(const_cast<char*>(e.c_str()));
  }
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, spec.argv[0].c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    result.spawn_error = ErrnoText(("cannot run " + spec.argv[0]).c_str(), rc);
    return result;
  }
  in_child.Close();
  out_child.Close();
  err_child.Close();
  for (int fd : {in_parent.get(), out_parent.get(), err_parent.get()}) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }

  const int64_t deadline = MonotonicNowNs() + spec.timeout_ms * kNsPerMs;
  size_t written = 0;
  if (spec.stdin_data.empty()) {
    in_parent.Close();
  }
  bool out_open = true;
  bool err_open = true;
  int wstatus = 0;
  bool reaped = false;
  while (!reaped) {
    int64_t now = MonotonicNowNs();
    if (now >= deadline) {
      result.timed_out = true;
      break;
    }
    pollfd fds[3];
    nfds_t n = 0;
    if (in_parent.get() >= 0) {
      fds[n++] = {in_parent.get(), POLLOUT, 0};
    }
    if (out_open) {
      fds[n++] = {out_parent.get(), POLLIN, 0};
    }
    if (err_open) {
      fds[n++] = {err_parent.get(), POLLIN, 0};
    }
    // Wake at least every 50 ms to see whether the child exited with its pipes still held
    // open by a grandchild.
    int wait_ms = static_cast<int>(std::min<int64_t>((deadline - now) / kNsPerMs + 1, 50));
    ::poll(fds, n, wait_ms);
    if (in_parent.get() >= 0) {
      ssize_t w = ::send(in_parent.get(), spec.stdin_data.data() + written,
                         spec.stdin_data.size() - written, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) {
        written += static_cast<size_t>(w);
      }
      if (written == spec.stdin_data.size() || (w < 0 && errno != EAGAIN && errno != EINTR)) {
        in_parent.Close();  // done, or the child closed its stdin: EOF either way
      }
    }
    if (out_open) {
      out_open = Drain(out_parent.get(), &result.out, spec.max_output);
    }
    if (err_open) {
      err_open = Drain(err_parent.get(), &result.err, spec.max_output);
    }
    pid_t r = ::waitpid(pid, &wstatus, WNOHANG);
    if (r == pid) {
      reaped = true;
      Drain(out_parent.get(), &result.out, spec.max_output);
      Drain(err_parent.get(), &result.err, spec.max_output);
    }
  }
  if (!reaped) {
    ::kill(-pid, SIGTERM);
    ExitedBy(pid, MonotonicNowNs() + spec.kill_grace_ms * kNsPerMs);
    ::kill(-pid, SIGKILL);  // the leader if it ignored SIGTERM, and whatever it left behind
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
  }
  if (WIFEXITED(wstatus)) {
    result.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    result.signal = WTERMSIG(wstatus);
  }
  return result;
}

}  // namespace rampart::respond::internal
