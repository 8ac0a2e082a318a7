// The webhook connector: one signed JSON POST per attempt over Boost.Beast (http, or https
// with certificate and host name verification). The exchange runs on a private io_context
// for at most timeout_ms: what is not done by then is cancelled and reported as a timeout.

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>

#include "core/ip.h"
#include "core/strings.h"
#include "respond/connectors.h"
#include "respond/internal/connector_url.h"

namespace rampart::respond {
namespace internal {

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  HttpUrl out;
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return InvalidArgument("the URL must not contain spaces or control characters");
    }
  }
  std::string_view rest;
  if (StartsWith(url, "http://")) {
    rest = url.substr(7);
  } else if (StartsWith(url, "https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else {
    return InvalidArgument("the URL must start with http:// or https://");
  }
  if (rest.find('#') != std::string_view::npos) {
    return InvalidArgument("the URL must not have a fragment");
  }
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  out.target = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (out.target.front() == '?') {
    out.target.insert(0, "/");
  }
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgument("the URL must not carry user information (the secret signs requests)");
  }
  out.host_header = std::string(authority);
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    IpAddress ip;
    if (close == std::string_view::npos || !ParseIpAddress(authority.substr(1, close - 1), &ip) ||
        !ip.v6) {
      return InvalidArgument("bad IPv6 address in the URL");
    }
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return InvalidArgument("bad port in the URL");
      }
      port = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
    }
  }
  if (out.host.empty()) {
    return InvalidArgument("the URL has no host");
  }
  uint16_t port_number = 0;
  if (!port.empty() && (!ParseInt(port, &port_number) || port_number == 0)) {
    return InvalidArgument("bad port in the URL");
  }
  out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
  return out;
}

}  // namespace internal

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// The exchange's outcome.
struct Exchange {
  bool done = false;
  std::string error;  // empty: a response arrived
  unsigned status = 0;
  std::string body;
};

std::string Describe(std::string_view step, const boost::system::error_code& ec) {
  return std::string(step) + ": " + ec.message();
}

// One POST as a chain of completion handlers (resolve, connect, TLS handshake, write,
// read) on the caller's io_context; plain callbacks rather than coroutines, so that every
// compiler the project uses (g++, and clang for the fuzzers) builds it.
class Post : public std::enable_shared_from_this<Post> {
 public:
  Post(const internal::HttpUrl& url,
       tcp::resolver& resolver,
       beast::tcp_stream& tcp_stream,
       beast::ssl_stream<beast::tcp_stream>* tls,
       http::request<http::string_body>& req,
       Exchange& out)
      : url_(url), resolver_(resolver), tcp_(tcp_stream), tls_(tls), req_(req), out_(out) {}

  void Start() {
    resolver_.async_resolve(url_.host, url_.port,
                            [self = shared_from_this()](const boost::system::error_code& ec,
                                                        tcp::resolver::results_type endpoints) {
                              self->OnResolve(ec, endpoints);
                            });
  }

 private:
  void Finish(std::string error) {
    out_.error = std::move(error);
    out_.done = true;
  }
  void OnResolve(const boost::system::error_code& ec, const tcp::resolver::results_type& eps) {
    if (ec) {
      return Finish(Describe("resolve " + url_.host, ec));
    }
    tcp_.async_connect(
        eps, [self = shared_from_this()](const boost::system::error_code& e, const tcp::endpoint&) {
          self->OnConnect(e);
        });
  }
  void OnConnect(const boost::system::error_code& ec) {
    if (ec) {
      return Finish(Describe("connect", ec));
    }
    if (tls_ == nullptr) {
      return Write(tcp_);
    }
    tls_->async_handshake(asio::ssl::stream_base::client,
                          [self = shared_from_this()](const boost::system::error_code& e) {
                            if (e) {
                              return self->Finish(Describe("TLS handshake", e));
                            }
                            self->Write(*self->tls_);
                          });
  }
  template <typename Stream>
  void Write(Stream& stream) {
    http::async_write(
        stream, req_,
        [self = shared_from_this(), &stream](const boost::system::error_code& e, size_t) {
          if (e) {
            return self->Finish(Describe("write", e));
          }
          self->Read(stream);
        });
  }
  template <typename Stream>
  void Read(Stream& stream) {
    parser_.body_limit(64 * 1024);
    http::async_read(stream, buffer_, parser_,
                     [self = shared_from_this()](const boost::system::error_code& e, size_t) {
                       if (e) {
                         return self->Finish(Describe("read", e));
                       }
                       self->out_.status = self->parser_.get().result_int();
                       self->out_.body = self->parser_.get().body();
                       self->Finish("");
                     });
  }

  const internal::HttpUrl& url_;
  tcp::resolver& resolver_;
  beast::tcp_stream& tcp_;
  beast::ssl_stream<beast::tcp_stream>* tls_;
  http::request<http::string_body>& req_;
  Exchange& out_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
};

std::string FirstLine(std::string_view s, size_t max) {
  s = s.substr(0, s.find('\n'));
  return std::string(Trim(s.substr(0, max)));
}

}  // namespace

std::string WebhookSignature(std::string_view secret,
                             std::string_view timestamp,
                             std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < mac_len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

std::string WebhookBody(Operation op, const Decision& d) {
  std::string body = "{\"event\":\"decision.";
  body += OperationName(op);
  body += "\",\"decision\":";
  body += DecisionToJson(d);
  body += '}';
  return body;
}

Status SendWebhook(const WebhookConfig& config, Operation op, const Decision& d, int64_t now_ns) {
  return PostSignedJson(config, std::string("decision.") + std::string(OperationName(op)),
                        WebhookBody(op, d), now_ns);
}

Status PostSignedJson(const WebhookConfig& config,
                      std::string_view event,
                      const std::string& body,
                      int64_t now_ns) {
  auto url = internal::ParseHttpUrl(config.url);
  if (!url.ok()) {
    return url.status();
  }
  try {
    const std::string timestamp = std::to_string(now_ns / 1'000'000'000);
    http::request<http::string_body> req{http::verb::post, url->target, 11};
    req.set(http::field::host, url->host_header);
    req.set(http::field::user_agent, "rampart-webhook/1");
    req.set(http::field::content_type, "application/json");
    req.set("X-Rampart-Timestamp", timestamp);
    req.set("X-Rampart-Signature", WebhookSignature(config.secret, timestamp, body));
    req.set("X-Rampart-Event", std::string(event));
    req.keep_alive(false);
    req.body() = body;
    req.prepare_payload();

    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    std::optional<asio::ssl::context> ssl_ctx;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    std::optional<beast::tcp_stream> plain;
    if (url->tls) {
      ssl_ctx.emplace(asio::ssl::context::tls_client);
      boost::system::error_code ec;
      if (config.ca_file.empty()) {
        ssl_ctx->set_default_verify_paths(ec);
      } else {
        ssl_ctx->load_verify_file(config.ca_file, ec);
      }
      if (ec) {
        return Unavailable(Describe("TLS trust store", ec));
      }
      ssl_ctx->set_verify_mode(asio::ssl::verify_peer);
      tls.emplace(ioc, *ssl_ctx);
      tls->set_verify_callback(asio::ssl::host_name_verification(url->host), ec);
      IpAddress ip;
      if (!ParseIpAddress(url->host, &ip) &&
          SSL_set_tlsext_host_name(tls->native_handle(), url->host.c_str()) != 1) {
        return Internal("TLS: cannot set the server name");
      }
    } else {
      plain.emplace(ioc);
    }
    beast::tcp_stream& tcp_stream = tls ? beast::get_lowest_layer(*tls) : *plain;
    const auto timeout = std::chrono::milliseconds(config.timeout_ms);
    tcp_stream.expires_after(timeout);

    Exchange ex;
    std::make_shared<Post>(*url, resolver, tcp_stream, tls ? &*tls : nullptr, req, ex)->Start();
    ioc.run_for(timeout);
    if (!ex.done) {
      // Resolving has no stream deadline: cancel what is pending, let the handlers end.
      resolver.cancel();
      beast::error_code ignored;
      tcp_stream.socket().close(ignored);
      ioc.restart();
      ioc.run();
      return Unavailable("timeout after " + std::to_string(config.timeout_ms) + " ms");
    }
    if (!ex.error.empty()) {
      if (ex.error.find("timeout") != std::string::npos ||
          ex.error.find("timed out") != std::string::npos) {
        return Unavailable("timeout after " + std::to_string(config.timeout_ms) + " ms (" +
                           ex.error + ")");
      }
      return Unavailable(ex.error);
    }
    if (ex.status < 200 || ex.status > 299) {
      std::string detail = "HTTP " + std::to_string(ex.status);
      std::string first = FirstLine(ex.body, 200);
      if (!first.empty()) {
        detail += ": " + first;
      }
      return Unavailable(detail);
    }
    return Status::Ok();
  } catch (const std::exception& e) {  // Asio/Beast report some failures by throwing
    return Internal(std::string("webhook: ") + e.what());
  }
}

}  // namespace rampart::respond
