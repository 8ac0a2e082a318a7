// Syslog over UDP (one datagram = one message) and TCP (RFC 6587: octet counting
// "LEN SP MSG" or newline/NUL-terminated framing, detected per message).

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

#include "core/clock.h"
#include "core/strings.h"
#include "ingest/internal/server_parts.h"

namespace rampart::ingest::internal {
namespace {

constexpr size_t kMaxMessage = 1 << 20;

Result<int> BindSocket(const std::string& address, int type, std::string* bound) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(address, &host, &port)) {
    return InvalidArgument("bad listen address '" + address + "' (want host:port)");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = type;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res) {
    return InvalidArgument("bad listen address '" + address + "' (numeric IP required)");
  }
  int fd = socket(res->ai_family, type | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
    std::string err = std::system_category().message(errno);
    freeaddrinfo(res);
    if (fd >= 0) {
      close(fd);
    }
    return IoError("cannot bind " + address + ": " + err);
  }
  freeaddrinfo(res);
  if (type == SOCK_STREAM && listen(fd, 128) != 0) {
    close(fd);
    return IoError("cannot listen on " + address + ": " + std::system_category().message(errno));
  }
  if (type == SOCK_DGRAM) {
    int size = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  }
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  char ip[INET6_ADDRSTRLEN] = {0};
  int bound_port = 0;
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
    bound_port = ntohs(a->sin6_port);
    *bound = "[" + std::string(ip) + "]:" + std::to_string(bound_port);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
    bound_port = ntohs(a->sin_port);
    *bound = std::string(ip) + ":" + std::to_string(bound_port);
  }
  return fd;
}

bool WaitReadable(int fd, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, 100);
    if (r > 0) {
      return true;
    }
    if (r < 0 && errno != EINTR) {
      return false;
    }
  }
  return false;
}

std::string_view StripTrailingNewlines(std::string_view m) {
  while (!m.empty() && (m.back() == '\n' || m.back() == '\r' || m.back() == '\0')) {
    m.remove_suffix(1);
  }
  return m;
}

class UdpInput final : public Input {
 public:
  UdpInput(int fd, std::string address, InputContext& ctx, uint32_t source)
      : fd_(fd), address_(std::move(address)), ctx_(ctx), source_(source) {
    thread_ = std::thread([this] { Run(); });
  }
  ~UdpInput() override { Stop(); }
  void Stop() override {
    stop_.store(true);
    if (thread_.joinable()) {
      thread_.join();
    }
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  std::string address() const override { return address_; }

 private:
  void Run() {
    std::string buf(65536, '\0');
    while (WaitReadable(fd_, stop_)) {
      RecordChunk chunk;
      chunk.source = source_;
      // Drain what is queued in the socket into one chunk.
      while (chunk.records.size() < 1024) {
        ssize_t n = recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n <= 0) {
          break;
        }
        std::string_view msg = StripTrailingNewlines(std::string_view(buf.data(), n));
        if (!msg.empty()) {
          chunk.Add(msg, 0);
        }
      }
      if (chunk.records.empty()) {
        continue;
      }
      size_t n = chunk.records.size();
      ctx_.stats.records_in.fetch_add(n);
      if (!ctx_.queue.TryPush(std::move(chunk))) {
        // UDP has no way to slow the sender: count what is lost so it is visible.
        ctx_.stats.udp_dropped.fetch_add(n);
      }
    }
  }

  int fd_;
  std::string address_;
  InputContext& ctx_;
  uint32_t source_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// One thread per connection (syslog senders keep few, long connections). Bounded three
// ways so that idle or hostile peers cannot lock out a legitimate sender: an idle timeout,
// a per-source-address limit, and, when a limit is reached, eviction of the connection
// that has been idle longest (of that address when its own limit is reached).
class TcpInput final : public Input {
 public:
  TcpInput(int fd, std::string address, InputContext& ctx, uint32_t source)
      : fd_(fd), address_(std::move(address)), ctx_(ctx), source_(source) {
    thread_ = std::thread([this] { Accept(); });
  }
  ~TcpInput() override { Stop(); }
  void Stop() override {
    stop_.store(true);
    if (thread_.joinable()) {
      thread_.join();
    }
    std::list<std::shared_ptr<Connection>> conns;
    {
      std::lock_guard<std::mutex> lock(mu_);
      conns.swap(connections_);
    }
    for (auto& c : conns) {
      c->thread.join();
    }
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  std::string address() const override { return address_; }

 private:
  struct Connection {
    int fd = -1;
    std::string peer;
    std::thread thread;
    std::atomic<bool> done{false};
    std::atomic<bool> evicted{false};
    std::atomic<bool> busy{false};  // blocked handing records to the full queue
    std::atomic<int64_t> last_active_ns{0};
  };

  static std::string PeerAddress(const sockaddr_storage& ss) {
    char ip[INET6_ADDRSTRLEN] = {0};
    if (ss.ss_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, ip, sizeof(ip));
    } else {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, ip, sizeof(ip));
    }
    return ip;
  }

  void Accept() {
    while (WaitReadable(fd_, stop_)) {
      sockaddr_storage ss{};
      socklen_t len = sizeof(ss);
      int c = accept4(fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC);
      if (c < 0) {
        continue;
      }
      std::lock_guard<std::mutex> lock(mu_);
      ReapFinishedLocked();
      auto conn = std::make_shared<Connection>();
      conn->fd = c;
      conn->peer = PeerAddress(ss);
      conn->last_active_ns.store(MonotonicNowNs());
      if (!MakeRoomLocked(conn->peer)) {
        close(c);
        ctx_.stats.tcp_refused.fetch_add(1);
        continue;
      }
      conn->thread = std::thread([this, conn] {
        Serve(*conn);
        // Under the lock: eviction must never shut down an fd number already reused.
        std::lock_guard<std::mutex> done_lock(mu_);
        close(conn->fd);
        conn->fd = -1;
        conn->done.store(true);
      });
      connections_.push_back(std::move(conn));
    }
  }

  // Whether a new connection from `peer` may be served, evicting the longest-idle
  // connection (of `peer` when its own limit is reached) to make room.
  bool MakeRoomLocked(const std::string& peer) {
    const size_t max_total = ctx_.config.syslog_tcp_max_connections;
    const size_t max_peer = ctx_.config.syslog_tcp_max_per_source;
    size_t total = 0;
    size_t of_peer = 0;
    for (const auto& c : connections_) {
      if (!c->done.load() && !c->evicted.load()) {
        ++total;
        of_peer += c->peer == peer ? 1 : 0;
      }
    }
    if (total < max_total && of_peer < max_peer) {
      return true;
    }
    const bool peer_full = of_peer >= max_peer;
    Connection* oldest = nullptr;
    for (const auto& c : connections_) {
      if (c->done.load() || c->evicted.load() || c->busy.load() || c->fd < 0 ||
          (peer_full && c->peer != peer)) {
        continue;
      }
      if (oldest == nullptr || c->last_active_ns.load() < oldest->last_active_ns.load()) {
        oldest = c.get();
      }
    }
    if (oldest == nullptr) {
      return false;
    }
    oldest->evicted.store(true);
    shutdown(oldest->fd, SHUT_RDWR);  // its thread sees the end and exits
    ctx_.stats.tcp_evicted.fetch_add(1);
    return true;
  }

  // Joins connection threads that have ended, so a long-running server does not
  // accumulate one per connection ever accepted.
  void ReapFinishedLocked() {
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->done.load()) {
        (*it)->thread.join();
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Waits for data until stopped, evicted or idle for longer than the idle timeout.
  bool WaitData(Connection& conn) {
    const int64_t idle_ns = int64_t{ctx_.config.syslog_tcp_idle_timeout_ms} * 1'000'000;
    while (!stop_.load() && !conn.evicted.load()) {
      pollfd p{conn.fd, POLLIN, 0};
      int r = poll(&p, 1, 100);
      if (r > 0) {
        return true;
      }
      if (r < 0 && errno != EINTR) {
        return false;
      }
      if (MonotonicNowNs() - conn.last_active_ns.load() > idle_ns) {
        ctx_.stats.tcp_idle_closed.fetch_add(1);
        return false;
      }
    }
    return false;
  }

  // The framing state of one connection. A message longer than kMaxMessage (newline-framed
  // or octet-counted) is kept as one dead letter of its first kMaxMessage bytes, marked
  // with its full length; the rest of it is read and discarded, so memory stays bounded
  // by one message, and the messages after it are framed as usual.
  struct Framer {
    std::string buf;               // bytes not framed yet
    std::string kept;              // the first kMaxMessage bytes of an oversized message
    uint64_t total = 0;            // its full length so far
    uint64_t skip_octets = 0;      // octet-counted: bytes of it still to come
    bool skip_to_newline = false;  // newline-framed: discarding up to the next \n or NUL

    void Keep(std::string_view part) {
      if (kept.size() < kMaxMessage) {
        kept.append(part.substr(0, kMaxMessage - kept.size()));
      }
    }
    void FinishOversized(RecordChunk& chunk) {
      chunk.Add(kept, 0);
      chunk.records.back().full_length = std::max<uint64_t>(total, kept.size() + 1);
      kept.clear();
      kept.shrink_to_fit();
      total = 0;
      skip_octets = 0;
      skip_to_newline = false;
    }

    // Frames what `data` completes into `chunk`.
    void Consume(std::string_view data, RecordChunk& chunk) {
      std::string carry;
      while (!data.empty()) {
        if (skip_octets > 0) {
          const size_t take = static_cast<size_t>(std::min<uint64_t>(skip_octets, data.size()));
          Keep(data.substr(0, take));
          skip_octets -= take;
          data.remove_prefix(take);
          if (skip_octets == 0) {
            FinishOversized(chunk);
          }
          continue;
        }
        if (skip_to_newline) {
          const size_t end = data.find_first_of(std::string_view("\n\0", 2));
          total += std::min(end, data.size());
          if (end == std::string_view::npos) {
            return;
          }
          data.remove_prefix(end + 1);
          FinishOversized(chunk);
          continue;
        }
        buf.append(data);
        data = {};
        uint64_t big = 0;
        const size_t used = Frame(buf, chunk, false, &big);
        if (big > 0) {
          // An octet-counted message over the limit starts at `used`: skip exactly it.
          const size_t sp = buf.find(' ', used);
          carry.assign(buf, sp + 1, std::string::npos);
          buf.clear();
          skip_octets = big;
          total = big;
          data = carry;
          continue;
        }
        buf.erase(0, used);
        if (buf.size() > kMaxMessage) {
          Keep(buf);
          total = buf.size();
          buf.clear();
          buf.shrink_to_fit();
          skip_to_newline = true;
        }
      }
    }

    // The peer closed: an unterminated last message is still a message.
    void End(RecordChunk& chunk) {
      if (skip_octets > 0 || skip_to_newline) {
        FinishOversized(chunk);
        return;
      }
      uint64_t big = 0;
      const size_t used = Frame(buf, chunk, true, &big);
      if (big > 0) {
        Keep(std::string_view(buf).substr(buf.find(' ', used) + 1));
        total = big;
        FinishOversized(chunk);
      }
    }
  };

  // Frames messages from one connection. Pushing blocks when the queue is full, so we stop
  // reading and TCP flow control slows the sender; meanwhile the connection is busy, not
  // idle, and never evicted.
  void Serve(Connection& conn) {
    Framer framer;
    char tmp[65536];
    auto push = [&](RecordChunk& chunk) {
      if (chunk.records.empty()) {
        return true;
      }
      ctx_.stats.records_in.fetch_add(chunk.records.size());
      conn.busy.store(true);
      const bool pushed = ctx_.queue.Push(std::move(chunk));
      conn.busy.store(false);
      conn.last_active_ns.store(MonotonicNowNs());
      return pushed;
    };
    while (WaitData(conn)) {
      ssize_t n = recv(conn.fd, tmp, sizeof(tmp), 0);
      if (n <= 0) {
        break;
      }
      conn.last_active_ns.store(MonotonicNowNs());
      RecordChunk chunk;
      chunk.source = source_;
      framer.Consume(std::string_view(tmp, static_cast<size_t>(n)), chunk);
      if (!push(chunk)) {
        return;
      }
    }
    RecordChunk chunk;
    chunk.source = source_;
    framer.End(chunk);
    push(chunk);
  }

  // Consumes complete messages from `buf`; returns bytes used. Stops before an
  // octet-counted message longer than kMaxMessage, giving its length in `*oversized`.
  static size_t Frame(const std::string& buf,
                      RecordChunk& chunk,
                      bool at_eof,
                      uint64_t* oversized) {
    size_t pos = 0;
    while (pos < buf.size()) {
      std::string_view rest(buf.data() + pos, buf.size() - pos);
      if (IsDigit(rest[0])) {
        // Octet counting: "123 <msg of 123 bytes>".
        size_t sp = rest.find(' ');
        size_t len = 0;
        if (sp <= 7 && ParseInt(rest.substr(0, sp), &len)) {
          if (len > kMaxMessage) {
            *oversized = len;
            return pos;
          }
          if (rest.size() < sp + 1 + len) {
            if (!at_eof) {
              break;
            }
            len = rest.size() - sp - 1;
          }
          std::string_view msg = StripTrailingNewlines(rest.substr(sp + 1, len));
          if (!msg.empty()) {
            chunk.Add(msg, 0);
          }
          pos += sp + 1 + len;
          continue;
        }
      }
      size_t end = rest.find_first_of(std::string_view("\n\0", 2));
      if (end == std::string_view::npos) {
        if (at_eof) {
          std::string_view msg = StripTrailingNewlines(rest);
          if (!msg.empty()) {
            chunk.Add(msg, 0);
          }
          pos = buf.size();
        }
        break;
      }
      std::string_view msg = StripTrailingNewlines(rest.substr(0, end));
      if (!msg.empty()) {
        chunk.Add(msg, 0);
      }
      pos += end + 1;
    }
    return pos;
  }

  int fd_;
  std::string address_;
  InputContext& ctx_;
  uint32_t source_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::list<std::shared_ptr<Connection>> connections_;  // guarded by mu_
};

}  // namespace

Result<std::unique_ptr<Input>> StartSyslogUdp(InputContext& ctx) {
  std::string bound;
  RAMPART_ASSIGN_OR_RETURN(int fd, BindSocket(ctx.config.syslog_udp, SOCK_DGRAM, &bound));
  uint32_t id = ctx.sources.Register(
      SourceSpec{"syslog-udp:" + bound, parse::Format::kSyslog, ctx.config.tenant, false});
  return std::unique_ptr<Input>(std::make_unique<UdpInput>(fd, bound, ctx, id));
}

Result<std::unique_ptr<Input>> StartSyslogTcp(InputContext& ctx) {
  std::string bound;
  RAMPART_ASSIGN_OR_RETURN(int fd, BindSocket(ctx.config.syslog_tcp, SOCK_STREAM, &bound));
  uint32_t id = ctx.sources.Register(
      SourceSpec{"syslog-tcp:" + bound, parse::Format::kSyslog, ctx.config.tenant, false});
  return std::unique_ptr<Input>(std::make_unique<TcpInput>(fd, bound, ctx, id));
}

}  // namespace rampart::ingest::internal
