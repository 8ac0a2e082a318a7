// Open-loop, constant-rate HTTP/1.1 load generator (loopback benchmarks; used by
// bench/decision_api_bench.sh). One thread, epoll, N keep-alive connections, one request in
// flight per connection (no pipelining).
//
//   rate_gen --port P [--host 127.0.0.1] [--path /] [--rate R] [--seconds S] [--conns N]
//            [--header 'Name: value']... [--ips FILE]
//
// Request k is scheduled at start + k / R. It goes out on the first free connection at or
// after that time; if every connection is busy it waits in a backlog. Its latency is
// measured from its *scheduled* time to the last byte of its response, so time spent
// waiting behind a slow server is counted (no coordinated omission). --rate 0 is closed
// loop instead: every connection sends its next request as soon as the previous answer is
// in (the maximum rate; latency then from the actual send).
//
// --ips FILE: one address a line; request k carries `X-Real-IP: <line k mod lines>`.
//
// Prints one JSON line: sent, completed, errors, status counts, achieved rate (completed
// / seconds from the first scheduled send to the last response), latency percentiles in
// microseconds, the generator's own lateness (actual send - scheduled send; in closed loop
// 0), the largest backlog seen.
//
// Build: g++ -O2 -std=c++20 bench/rate_gen.cc -o rate_gen

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "rate_gen: %s\n", what.c_str());
  std::exit(2);
}

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/";
  double rate = 1000;
  double seconds = 10;
  int conns = 64;
  std::vector<std::string> headers;
  std::vector<std::string> ips;
};

struct Conn {
  int fd = -1;
  bool busy = false;
  int64_t scheduled_ns = 0;  // of the request in flight
  std::string out;           // bytes still to write
  size_t out_off = 0;
  std::string in;  // response bytes read so far
};

class Generator {
 public:
  explicit Generator(Options o) : o_(std::move(o)) {
    prefix_ = "GET " + o_.path + " HTTP/1.1\r\nHost: " + o_.host + ":" + std::to_string(o_.port) +
              "\r\nUser-Agent: rate_gen\r\n";
    for (const std::string& h : o_.headers) {
      prefix_ += h + "\r\n";
    }
    ep_ = epoll_create1(0);
    if (ep_ < 0)
      Die("epoll_create1");
    std::memset(&addr_, 0, sizeof addr_);
    addr_.sin_family = AF_INET;
    addr_.sin_port = htons(static_cast<uint16_t>(o_.port));
    if (inet_pton(AF_INET, o_.host.c_str(), &addr_.sin_addr) != 1)
      Die("bad --host (IPv4 only)");
    conns_.resize(static_cast<size_t>(o_.conns));
    for (size_t i = 0; i < conns_.size(); ++i) {
      if (!Connect(i))
        Die("cannot connect to " + o_.host + ":" + std::to_string(o_.port));
    }
    latencies_.reserve(static_cast<size_t>(std::max(1.0, o_.rate * o_.seconds * 1.1)));
    send_lag_.reserve(latencies_.capacity());
  }

  void Run() {
    const bool closed_loop = o_.rate <= 0;
    const double interval_ns = closed_loop ? 0 : 1e9 / o_.rate;
    const uint64_t total = closed_loop ? UINT64_MAX : uint64_t(o_.rate * o_.seconds);
    start_ = NowNs();
    const int64_t end = start_ + int64_t(o_.seconds * 1e9);
    uint64_t next = 0;  // index of the next request to schedule
    epoll_event events[256];
    for (;;) {
      int64_t now = NowNs();
      if (closed_loop) {
        if (now < end) {
          for (size_t i = 0; i < conns_.size(); ++i) {
            if (!conns_[i].busy && conns_[i].fd >= 0)
              Send(i, now);
          }
        }
      } else {
        // Everything due by now joins the backlog, then the backlog goes to free connections.
        while (next < total && start_ + int64_t(double(next) * interval_ns) <= now) {
          backlog_.push_back(start_ + int64_t(double(next) * interval_ns));
          ++next;
        }
        max_backlog_ = std::max(max_backlog_, backlog_.size());
        for (size_t i = 0; i < conns_.size() && !backlog_.empty(); ++i) {
          if (!conns_[i].busy && conns_[i].fd >= 0) {
            Send(i, backlog_.front());
            backlog_.pop_front();
          }
        }
      }
      const bool scheduling_done = closed_loop ? now >= end : next >= total;
      if (scheduling_done && backlog_.empty() && InFlight() == 0)
        break;
      if (scheduling_done && now > end + 5'000'000'000LL) {  // 5 s grace for the stragglers
        errors_ += InFlight() + backlog_.size();
        timeouts_ += InFlight() + backlog_.size();
        break;
      }
      // Sleep until the next scheduled request or an event, whichever comes first.
      int64_t wake = scheduling_done || closed_loop ? now + 10'000'000
                                                    : start_ + int64_t(double(next) * interval_ns);
      if (closed_loop && now < end)
        wake = std::min(wake, end);
      timespec ts{};
      const int64_t wait = std::max<int64_t>(0, wake - NowNs());
      ts.tv_sec = wait / 1'000'000'000;
      ts.tv_nsec = wait % 1'000'000'000;
      const int n = epoll_pwait2(ep_, events, 256, &ts, nullptr);
      if (n < 0 && errno != EINTR)
        Die("epoll_pwait2");
      for (int k = 0; k < n; ++k) {
        const size_t i = events[k].data.u64;
        if (events[k].events & (EPOLLERR | EPOLLHUP)) {
          Broken(i);
          continue;
        }
        if (events[k].events & EPOLLOUT)
          Flush(i);
        if (events[k].events & EPOLLIN)
          Read(i);
      }
    }
    last_ns_ = std::max(last_ns_, start_);
  }

  void Report() {
    std::sort(latencies_.begin(), latencies_.end());
    std::sort(send_lag_.begin(), send_lag_.end());
    auto pct_of = [](const std::vector<int64_t>& v, double p) -> double {
      if (v.empty())
        return 0;
      size_t idx = size_t(p / 100.0 * double(v.size()));
      if (idx >= v.size())
        idx = v.size() - 1;
      return double(v[idx]) / 1000.0;
    };
    auto pct = [&](double p) {
      return pct_of(latencies_, p);
    };
    const double elapsed = double(last_ns_ - start_) / 1e9;
    std::string status;
    for (const auto& [code, count] : status_) {
      if (!status.empty())
        status += ",";
      status += "\"" + std::to_string(code) + "\":" + std::to_string(count);
    }
    std::printf(
        "{\"target\":\"%s:%d%s\",\"mode\":\"%s\",\"rate\":%.0f,\"seconds\":%.1f,\"conns\":%d,"
        "\"sent\":%llu,\"completed\":%llu,\"errors\":%llu,\"timeouts\":%llu,\"reconnects\":%llu,"
        "\"status\":{%s},\"achieved_rps\":%.0f,\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,"
        "\"p99\":%.1f,\"p99.9\":%.1f,\"max\":%.1f},\"send_lag_us\":{\"p50\":%.1f,\"p99\":%.1f,"
        "\"max\":%.1f},\"max_backlog\":%zu}\n",
        o_.host.c_str(), o_.port, o_.path.c_str(), o_.rate <= 0 ? "closed-loop" : "open-loop",
        o_.rate, o_.seconds, o_.conns, (unsigned long long)sent_, (unsigned long long)completed_,
        (unsigned long long)errors_, (unsigned long long)timeouts_, (unsigned long long)reconnects_,
        status.c_str(), elapsed > 0 ? double(completed_) / elapsed : 0.0, pct(50), pct(90), pct(99),
        pct(99.9), latencies_.empty() ? 0.0 : double(latencies_.back()) / 1000.0,
        pct_of(send_lag_, 50), pct_of(send_lag_, 99),
        send_lag_.empty() ? 0.0 : double(send_lag_.back()) / 1000.0, max_backlog_);
  }

 private:
  size_t InFlight() const {
    size_t n = 0;
    for (const Conn& c : conns_)
      n += c.busy ? 1 : 0;
    return n;
  }

  bool Connect(size_t i) {
    Conn& c = conns_[i];
    c = Conn();
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
      return false;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr_), sizeof addr_) != 0 &&
        errno != EINPROGRESS) {
      close(fd);
      return false;
    }
    c.fd = fd;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
    return true;
  }

  void Send(size_t i, int64_t scheduled) {
    Conn& c = conns_[i];
    c.busy = true;
    c.scheduled_ns = scheduled;
    send_lag_.push_back(NowNs() - scheduled);  // the generator's own lateness
    c.out = prefix_;
    if (!o_.ips.empty()) {
      c.out += "X-Real-IP: ";
      c.out += o_.ips[sent_ % o_.ips.size()];
      c.out += "\r\n";
    }
    c.out += "\r\n";
    c.out_off = 0;
    c.in.clear();
    ++sent_;
    Flush(i);
  }

  void Flush(size_t i) {
    Conn& c = conns_[i];
    while (c.out_off < c.out.size()) {
      const ssize_t w =
          send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EAGAIN) {
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLOUT;
          ev.data.u64 = i;
          epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
          return;
        }
        Broken(i);
        return;
      }
      c.out_off += size_t(w);
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void Read(size_t i) {
    Conn& c = conns_[i];
    char buf[16384];
    for (;;) {
      const ssize_t r = recv(c.fd, buf, sizeof buf, 0);
      if (r == 0) {
        Broken(i);
        return;
      }
      if (r < 0) {
        if (errno == EAGAIN)
          break;
        Broken(i);
        return;
      }
      c.in.append(buf, size_t(r));
    }
    if (!c.busy) {  // bytes nobody asked for
      Broken(i);
      return;
    }
    // Complete? Status line, headers, then Content-Length bytes of body.
    const size_t head_end = c.in.find("\r\n\r\n");
    if (head_end == std::string::npos)
      return;
    int code = 0;
    if (c.in.size() < 12 || c.in.compare(0, 5, "HTTP/") != 0 ||
        std::sscanf(c.in.c_str() + 9, "%3d", &code) != 1) {
      Broken(i);
      return;
    }
    size_t length = 0;
    bool close_after = false;
    std::string head = c.in.substr(0, head_end + 2);
    for (char& ch : head)
      ch = char(std::tolower(static_cast<unsigned char>(ch)));
    if (size_t p = head.find("\r\ncontent-length:"); p != std::string::npos) {
      length = std::strtoull(head.c_str() + p + 17, nullptr, 10);
    } else if (head.find("\r\ntransfer-encoding:") != std::string::npos) {
      Broken(i);  // not needed for our targets
      return;
    }
    if (head.find("\r\nconnection: close") != std::string::npos)
      close_after = true;
    if (c.in.size() < head_end + 4 + length)
      return;
    const int64_t now = NowNs();
    latencies_.push_back(now - c.scheduled_ns);
    last_ns_ = now;
    ++completed_;
    ++status_[code];
    c.busy = false;
    c.in.clear();
    if (close_after) {
      epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
      close(c.fd);
      ++reconnects_;
      if (!Connect(i))
        conns_[i].fd = -1;
    }
  }

  void Broken(size_t i) {
    Conn& c = conns_[i];
    if (c.busy)
      ++errors_;
    if (c.fd >= 0) {
      epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
      close(c.fd);
    }
    ++reconnects_;
    if (!Connect(i))
      conns_[i].fd = -1;
  }

  Options o_;
  std::string prefix_;
  int ep_ = -1;
  sockaddr_in addr_{};
  std::vector<Conn> conns_;
  std::deque<int64_t> backlog_;
  std::vector<int64_t> latencies_;
  std::vector<int64_t> send_lag_;
  std::map<int, uint64_t> status_;
  uint64_t sent_ = 0, completed_ = 0, errors_ = 0, timeouts_ = 0, reconnects_ = 0;
  size_t max_backlog_ = 0;
  int64_t start_ = 0, last_ns_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        Die("missing value after " + a);
      return argv[++i];
    };
    if (a == "--host")
      o.host = value();
    else if (a == "--port")
      o.port = std::atoi(value().c_str());
    else if (a == "--path")
      o.path = value();
    else if (a == "--rate")
      o.rate = std::atof(value().c_str());
    else if (a == "--seconds")
      o.seconds = std::atof(value().c_str());
    else if (a == "--conns")
      o.conns = std::atoi(value().c_str());
    else if (a == "--header")
      o.headers.push_back(value());
    else if (a == "--ips") {
      std::ifstream in(value());
      if (!in)
        Die("cannot read --ips file");
      for (std::string line; std::getline(in, line);) {
        if (!line.empty())
          o.ips.push_back(line);
      }
      if (o.ips.empty())
        Die("--ips file is empty");
    } else
      Die("unknown option " + a);
  }
  if (o.port <= 0 || o.conns <= 0 || o.seconds <= 0)
    Die("need --port, --conns > 0, --seconds > 0");
  Generator g(std::move(o));
  g.Run();
  g.Report();
  return 0;
}
