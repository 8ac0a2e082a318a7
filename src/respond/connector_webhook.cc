// The webhook connector: one signed JSON POST per attempt over Boost.Beast (http, or https
// with certificate and host name verification). The exchange runs on a private io_context
// for at most timeout_ms: what is not done by then is cancelled and reported as a timeout.

#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <utility>  // before Boost 1.74 awaitable.hpp, which uses std::exchange

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
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

// Reads the whole exchange's outcome out of the coroutine.
struct Exchange {
  bool done = false;
  std::string error;  // empty: a response arrived
  unsigned status = 0;
  std::string body;
};

std::string Describe(std::string_view step, const boost::system::error_code& ec) {
  return std::string(step) + ": " + ec.message();
}

template <typename Stream>
asio::awaitable<void> PostOn(Stream& stream, http::request<http::string_body>& req, Exchange& out) {
  boost::system::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  co_await http::async_write(stream, req, token);
  if (ec) {
    out.error = Describe("write", ec);
    co_return;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  co_await http::async_read(stream, buffer, parser, token);
  if (ec) {
    out.error = Describe("read", ec);
    co_return;
  }
  out.status = parser.get().result_int();
  out.body = parser.get().body();
}

asio::awaitable<void> Run(const internal::HttpUrl& url,
                          tcp::resolver& resolver,
                          beast::tcp_stream& tcp_stream,
                          beast::ssl_stream<beast::tcp_stream>* tls,
                          http::request<http::string_body>& req,
                          Exchange& out) {
  boost::system::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  auto endpoints = co_await resolver.async_resolve(url.host, url.port, token);
  if (ec) {
    out.error = Describe("resolve " + url.host, ec);
  } else {
    co_await tcp_stream.async_connect(endpoints, token);
    if (ec) {
      out.error = Describe("connect", ec);
    } else if (tls != nullptr) {
      co_await tls->async_handshake(asio::ssl::stream_base::client, token);
      if (ec) {
        out.error = Describe("TLS handshake", ec);
      } else {
        co_await PostOn(*tls, req, out);
      }
    } else {
      co_await PostOn(tcp_stream, req, out);
    }
  }
  out.done = true;
}

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
    asio::co_spawn(ioc, Run(*url, resolver, tcp_stream, tls ? &*tls : nullptr, req, ex),
                   asio::detached);
    ioc.run_for(timeout);
    if (!ex.done) {
      // Resolving has no stream deadline: cancel what is pending, let the coroutine end.
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
