// Boost.Beast sessions: one strand per connection, every read and write with a deadline.

#include "server/http.h"

#include <atomic>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <zlib.h>

#include "core/strings.h"

namespace rampart::server {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

void ParseTarget(std::string_view target, HttpRequest* req) {
  size_t q = target.find('?');
  req->path = UrlDecode(target.substr(0, q), false);
  if (q == std::string_view::npos) {
    return;
  }
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    size_t eq = pair.find('=');
    std::string key = UrlDecode(pair.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : UrlDecode(pair.substr(eq + 1), true);
    if (!key.empty()) {
      req->query[std::move(key)] = std::move(value);
    }
    if (amp == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(amp + 1);
  }
}

// The request as handlers see it, from Beast's message, all but the body (shared by the
// sessions and ParseHttpRequest, which the fuzzer drives).
void FillHead(const bhttp::request<bhttp::string_body>& msg, std::string peer, HttpRequest* req) {
  req->method = std::string(msg.method_string());
  ParseTarget(std::string_view(msg.target().data(), msg.target().size()), req);
  req->peer = std::move(peer);
  for (const auto& f : msg) {
    std::string name(f.name_string());
    for (char& c : name) {
      c = AsciiLower(c);
    }
    req->headers.emplace_back(std::move(name), std::string(f.value()));
  }
  req->content_encoding = std::string(msg[bhttp::field::content_encoding]);
  req->authorization = std::string(msg[bhttp::field::authorization]);
  req->accept = std::string(msg[bhttp::field::accept]);
}

class ServerImpl;

// Connections per client address and in all; a session holds one slot while it lives.
// A session as the connection table sees it: something that can be closed from outside.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection on its own strand (thread-safe).
  virtual void Evict() = 0;
};

// Connections per client address and in all; a session holds one slot while it lives.
// When a limit is reached, the connection that has waited longest for its headers (of the
// same address, when that address's limit is reached) is evicted to make room: idle or
// slowly-sending clients, even from many addresses, cannot lock out the others. Only when
// no connection is waiting for headers is a new one refused.
class ConnectionSlots {
 public:
  explicit ConnectionSlots(const HttpLimits& limits) : limits_(limits) {}

  // Whether a connection from `ip` may be served; `*evict` is set to a session to close
  // for room (outside this lock).
  bool Take(const std::string& ip, std::shared_ptr<SessionBase>* evict) {
    std::lock_guard<std::mutex> lock(mu_);
    size_t& n = per_ip_[ip];
    const bool ip_full = n >= limits_.max_connections_per_ip;
    if (total_ >= limits_.max_connections || ip_full) {
      auto victim = waiting_.end();
      for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
        if (!ip_full || it->ip == ip) {
          victim = it;  // oldest first: the list is in the order sessions started waiting
          break;
        }
      }
      std::shared_ptr<SessionBase> session =
          victim == waiting_.end() ? nullptr : victim->session.lock();
      if (session == nullptr) {
        if (n == 0) {
          per_ip_.erase(ip);
        }
        return false;
      }
      waiting_.erase(victim);
      *evict = std::move(session);
    }
    ++n;
    ++total_;
    return true;
  }
  void Release(const std::string& ip) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = per_ip_.find(ip);
    if (it != per_ip_.end() && --it->second == 0) {
      per_ip_.erase(it);
    }
    --total_;
  }
  // A session starts or stops waiting for a request's headers.
  uint64_t StartWaiting(std::weak_ptr<SessionBase> session, const std::string& ip) {
    std::lock_guard<std::mutex> lock(mu_);
    waiting_.push_back(Waiting{std::move(session), ip, ++next_id_});
    return next_id_;
  }
  void StopWaiting(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
      if (it->id == id) {
        waiting_.erase(it);
        return;
      }
    }
  }
  size_t total() const {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }

 private:
  struct Waiting {
    std::weak_ptr<SessionBase> session;
    std::string ip;
    uint64_t id;
  };
  const HttpLimits limits_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, size_t> per_ip_;
  std::list<Waiting> waiting_;  // oldest first
  uint64_t next_id_ = 0;
  size_t total_ = 0;
};

struct Shared {
  HttpLimits limits;
  std::vector<Route> routes;
  ConnectionSlots slots;
  net::thread_pool workers;
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> rejected{0};

  Shared(const HttpLimits& l, std::vector<Route> r)
      : limits(l),
        routes(std::move(r)),
        slots(l),
        workers(static_cast<size_t>(std::max(1, l.worker_threads))) {}
};

// The route of `req`, or null with the 404/405 answer in `error`.
const Route* FindRoute(const Shared& shared, const HttpRequest& req, HttpResponse* error) {
  bool path_known = false;
  for (const Route& r : shared.routes) {
    if (r.path != req.path) {
      continue;
    }
    path_known = true;
    if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) {
      return &r;
    }
  }
  *error = path_known ? ErrorResponse(405, "method_not_allowed", "method not allowed on this path")
                      : ErrorResponse(404, "not_found", "no such endpoint");
  return nullptr;
}

template <typename Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, std::shared_ptr<Shared> shared, std::string peer)
      : stream_(std::move(stream)), shared_(std::move(shared)), peer_(std::move(peer)) {}
  ~Session() override {
    shared_->slots.StopWaiting(waiting_);
    shared_->slots.Release(peer_);
  }

  void Evict() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      beast::get_lowest_layer(self->stream_)
          .close();  // the pending read ends, and so does the session
    });
  }

  void Start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      ReadHeader();
    } else {
      beast::get_lowest_layer(stream_).expires_after(
          std::chrono::milliseconds(shared_->limits.header_timeout_ms));
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) {
                                  self->ReadHeader();
                                }
                              });
    }
  }

 private:
  void ReadHeader() {
    waiting_ = shared_->slots.StartWaiting(this->weak_from_this(), peer_);
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(shared_->limits.max_header_bytes));
    parser_->body_limit(shared_->limits.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::milliseconds(shared_->limits.header_timeout_ms));
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    shared_->slots.StopWaiting(waiting_);
    if (ec) {
      Fail(ec);
      return;
    }
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::milliseconds(shared_->limits.request_timeout_ms));
    const auto& header = parser_->get();
    // Route and admission before the body: an unknown path, a wrong method or a refused
    // token never makes the server read and hold a body.
    request_ = std::make_shared<HttpRequest>();
    FillHead(header, peer_, request_.get());
    HttpResponse refusal;
    route_ = FindRoute(*shared_, *request_, &refusal);
    if (route_ == nullptr || (route_->admit && !route_->admit(*request_, refusal))) {
      Reply(std::move(refusal), false, header.version());
      return;
    }
    auto expect = header.find(bhttp::field::expect);
    if (expect != header.end() &&
        EqualsIgnoreCase(std::string_view(expect->value().data(), expect->value().size()),
                         "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       header.version());
      bhttp::async_write(stream_, *cont,
                         [self = this->shared_from_this(), cont](beast::error_code e, size_t) {
                           if (e) {
                             return;
                           }
                           self->ReadBody();
                         });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRequest(ec); });
  }

  void Fail(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) {
      ++shared_->rejected;
      Reply(ErrorResponse(431, "header_too_large", "request headers over the limit"), false, 11);
    } else if (ec == bhttp::error::body_limit) {
      ++shared_->rejected;
      Reply(ErrorResponse(
                413, "body_too_large",
                "request body over " + std::to_string(shared_->limits.max_body_bytes) + " bytes"),
            false, 11);
    } else if (ec == beast::error::timeout) {
      ++shared_->rejected;  // the connection is gone or useless: just close it
    } else if (ec != bhttp::error::end_of_stream && ec != net::error::eof &&
               ec != net::error::operation_aborted &&
               ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      Reply(ErrorResponse(400, "bad_request", "malformed HTTP request"), false, 11);
    }
  }

  void OnRequest(beast::error_code ec) {
    if (ec) {
      Fail(ec);
      return;
    }
    ++shared_->requests;
    bhttp::request<bhttp::string_body> msg = parser_->release();
    const bool keep_alive = msg.keep_alive();
    const unsigned version = msg.version();
    const bool head = msg.method() == bhttp::verb::head;
    std::shared_ptr<HttpRequest> req = std::move(request_);  // its head was filled in OnHeader
    req->body = std::move(msg.body());
    const Route* blocking = route_;
    if (!blocking->blocking) {
      HttpResponse res;
      blocking->handler(*req, res);
      Reply(std::move(res), keep_alive, version, head);
      return;
    }
    // Long work on the worker pool; the reply goes back through this session's strand.
    net::post(shared_->workers,
              [self = this->shared_from_this(), req, blocking, keep_alive, version, head] {
                auto out = std::make_shared<HttpResponse>();
                blocking->handler(*req, *out);
                net::post(self->stream_.get_executor(), [self, out, keep_alive, version, head] {
                  self->Reply(std::move(*out), keep_alive, version, head);
                });
              });
  }

  void Reply(HttpResponse res, bool keep_alive, unsigned version, bool head = false) {
    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(res.status), version);
    msg->set(bhttp::field::server, "rampart");
    msg->set(bhttp::field::content_type, res.content_type);
    msg->set(bhttp::field::cache_control, "no-store");
    for (auto& [name, value] : res.headers) {
      msg->set(name, value);
    }
    msg->keep_alive(keep_alive);
    msg->body() = std::move(res.body);
    msg->prepare_payload();
    if (head) {
      msg->body().clear();
    }
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::milliseconds(shared_->limits.request_timeout_ms));
    bhttp::async_write(stream_, *msg,
                       [self = this->shared_from_this(), msg](beast::error_code ec, size_t) {
                         if (ec) {
                           return;
                         }
                         if (msg->keep_alive()) {
                           self->ReadHeader();
                         } else {
                           self->Close();
                         }
                       });
  }

  void Close() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  Stream stream_;
  std::shared_ptr<Shared> shared_;
  std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  const Route* route_ = nullptr;          // of the request being read (routes outlive sessions)
  std::shared_ptr<HttpRequest> request_;  // its head, from OnHeader to OnRequest
  uint64_t waiting_ = 0;                  // this session's entry in the slots' waiting list
};

class ServerImpl final : public HttpServer {
 public:
  ServerImpl(const HttpOptions& options, std::vector<Route> routes)
      : options_(options),
        ioc_(std::max(1, options.limits.io_threads)),
        acceptor_(net::make_strand(ioc_)),
        shared_(std::make_shared<Shared>(options.limits, std::move(routes))) {}

  ~ServerImpl() override { Stop(); }

  Status Init() {
    std::string host;
    std::string port_text;
    size_t colon = options_.listen.rfind(':');
    if (colon == std::string::npos) {
      return InvalidArgument("bad http listen address '" + options_.listen + "'");
    }
    host = options_.listen.substr(0, colon);
    port_text = options_.listen.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    beast::error_code ec;
    net::ip::address addr = net::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
    int port = -1;
    if (!ec && !port_text.empty() && port_text.size() <= 5 &&
        port_text.find_first_not_of("0123456789") == std::string::npos) {
      port = std::stoi(port_text);
    }
    if (ec || port < 0 || port > 65535) {
      return InvalidArgument("bad http listen address '" + options_.listen +
                             "' (use IP:PORT, e.g. 127.0.0.1:8514)");
    }
    if (!options_.tls_cert.empty() || !options_.tls_key.empty()) {
      tls_.emplace(ssl::context::tls_server);
      tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      tls_->use_certificate_chain_file(options_.tls_cert, ec);
      if (!ec) {
        tls_->use_private_key_file(options_.tls_key, ssl::context::pem, ec);
      }
      if (ec) {
        return InvalidArgument("http tls: cannot load certificate '" + options_.tls_cert +
                               "' / key '" + options_.tls_key + "': " + ec.message());
      }
    }
    tcp::endpoint endpoint(addr, static_cast<unsigned short>(port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) {
      acceptor_.set_option(net::socket_base::reuse_address(true), ec);
      acceptor_.bind(endpoint, ec);
    }
    if (!ec) {
      acceptor_.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
      return IoError("cannot bind http " + options_.listen + ": " + ec.message());
    }
    tcp::endpoint bound = acceptor_.local_endpoint(ec);
    std::string h = bound.address().to_string();
    address_ = (bound.address().is_v6() ? "[" + h + "]" : h) + ":" + std::to_string(bound.port());
    Accept();
    for (int i = 0; i < std::max(1, options_.limits.io_threads); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
    return Status::Ok();
  }

  std::string address() const override { return address_; }
  HttpStats stats() const override {
    HttpStats s;
    s.requests = shared_->requests.load();
    s.rejected_limits = shared_->rejected.load();
    s.open_connections = shared_->slots.total();
    return s;
  }

  void Stop() override {
    if (stopped_.exchange(true)) {
      return;
    }
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    shared_->workers.join();
    ioc_.stop();
    for (auto& t : threads_) {
      if (t.joinable()) {
        t.join();
      }
    }
  }

 private:
  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) {
        return;
      }
      if (!ec) {
        OnAccept(std::move(s));
      }
      Accept();
    });
  }

  void OnAccept(tcp::socket socket) {
    beast::error_code ec;
    std::string peer = socket.remote_endpoint(ec).address().to_string();
    if (ec) {
      return;
    }
    std::shared_ptr<SessionBase> evict;
    if (!shared_->slots.Take(peer, &evict)) {
      ++shared_->rejected;
      socket.close(ec);  // over the limits and nobody idle to evict: refuse at once
      return;
    }
    if (evict) {
      ++shared_->rejected;
      evict->Evict();
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (tls_) {
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls_),
          shared_, peer)
          ->Start();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), shared_,
                                                   peer)
          ->Start();
    }
  }

  HttpOptions options_;
  // Declared before the io_context: sessions' TLS streams, destroyed with the
  // io_context's pending handlers, must not outlive their context.
  std::optional<ssl::context> tls_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::shared_ptr<Shared> shared_;
  std::vector<std::thread> threads_;
  std::string address_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) {
      return value;
    }
  }
  return {};
}

Result<HttpRequest> ParseHttpRequest(std::string_view bytes, const HttpLimits& limits) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);
  beast::error_code ec;
  size_t used = parser.put(net::buffer(bytes.data(), bytes.size()), ec);
  while (!ec && !parser.is_done() && used > 0 && used < bytes.size()) {
    bytes.remove_prefix(used);
    used = parser.put(net::buffer(bytes.data(), bytes.size()), ec);
  }
  if (!ec && !parser.is_done()) {
    parser.put_eof(ec);
  }
  if (ec || !parser.is_done()) {
    return InvalidArgument("http: " + (ec ? ec.message() : std::string("incomplete request")));
  }
  HttpRequest req;
  bhttp::request<bhttp::string_body> msg = parser.release();
  FillHead(msg, "", &req);
  req.body = std::move(msg.body());
  return req;
}

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  HttpResponse res;
  res.status = status;
  res.body = "{\"error\":{\"code\":\"";
  AppendJsonEscaped(res.body, code);
  res.body += "\",\"message\":\"";
  AppendJsonEscaped(res.body, message);
  res.body += "\"}}\n";
  return res;
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpOptions& options,
                                                      std::vector<Route> routes) {
  std::unique_ptr<ServerImpl> server;
  try {
    server = std::make_unique<ServerImpl>(options, std::move(routes));
    RAMPART_RETURN_IF_ERROR(server->Init());
  } catch (const std::exception& e) {
    return Internal(std::string("http server: ") + e.what());
  }
  return std::unique_ptr<HttpServer>(std::move(server));
}

bool IsLoopbackListen(std::string_view listen) {
  size_t colon = listen.rfind(':');
  std::string host(listen.substr(0, colon == std::string_view::npos ? listen.size() : colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") {
    return true;
  }
  beast::error_code ec;
  net::ip::address addr = net::ip::make_address(host, ec);
  return !ec && addr.is_loopback();
}

Status Gunzip(std::string_view in, size_t max_bytes, std::string* out) {
  z_stream zs{};
  // 15 + 32: zlib or gzip header, detected.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) {
    return Internal("zlib init failed");
  }
  out->clear();
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char buf[64 << 10];
  int rc = Z_OK;
  while (true) {
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) {
        break;
      }
      // Concatenated gzip members (`cat a.gz b.gz`) are one body: go on with the next.
      inflateReset(&zs);
    }
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return InvalidArgument("corrupt gzip body");
    }
    const size_t n = sizeof(buf) - zs.avail_out;
    if (out->size() + n > max_bytes) {
      inflateEnd(&zs);
      out->clear();
      out->shrink_to_fit();
      return Unavailable("decompressed body over " + std::to_string(max_bytes) + " bytes");
    }
    out->append(buf, n);
    if (rc == Z_OK && zs.avail_in == 0 && n == 0) {
      inflateEnd(&zs);
      return InvalidArgument("truncated gzip body");
    }
  }
  inflateEnd(&zs);
  return Status::Ok();
}

}  // namespace rampart::server
