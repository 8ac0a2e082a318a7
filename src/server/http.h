#pragma once
// The HTTP/1.1 server under the API: event-driven (Boost.Beast on Asio), so a slow or idle
// client costs a socket and a few kilobytes, never a thread (docs/dependencies.md has the
// measurement behind the choice).
//
// Limits that hold for every request, whatever its content type or transfer encoding:
// header bytes, body bytes (chunked bodies are counted as they arrive; gzip bodies are
// counted again after decompression by the handler helpers), time to read the headers,
// time to read the whole request, idle keep-alive time, connections in all and per client
// address (at a connection limit the connection waiting longest for headers is evicted).
// A request over a limit gets a JSON error, and the connection is closed.
//
// Handlers run on the I/O threads when they are quick (Route::blocking = false) and on a
// small worker pool otherwise (search), so a long query never delays a health check.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/auth.h"

namespace rampart::server {

struct HttpLimits {
  size_t max_header_bytes = 16 << 10;
  size_t max_body_bytes = 32 << 20;
  // From connection start (or the end of the previous response on a kept-alive
  // connection) to complete headers: the bound on idle and slowly-sending clients.
  int header_timeout_ms = 10'000;
  int request_timeout_ms = 60'000;  // the body, once the headers are in
  size_t max_connections = 1024;
  size_t max_connections_per_ip = 64;
  int io_threads = 2;
  int worker_threads = 2;
};

struct HttpOptions {
  std::string listen = "127.0.0.1:8514";
  std::string tls_cert;  // PEM paths; both empty = plain HTTP
  std::string tls_key;
  HttpLimits limits;
};

struct HttpRequest {
  std::string method;                                     // "GET"
  std::string path;                                       // decoded path, without the query
  std::map<std::string, std::string, std::less<>> query;  // decoded; last value wins
  std::string body;
  std::string peer;  // client address, no port
  std::string content_encoding;
  std::string authorization;
  std::string accept;
  // Every header, lower-case names, for handlers that need more.
  std::vector<std::pair<std::string, std::string>> headers;
  // Who is asking, when the route's admission check established it (the handler then does
  // not authenticate the same request again).
  std::optional<Identity> identity;

  std::string_view Param(std::string_view name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string_view() : std::string_view(it->second);
  }
  bool HasParam(std::string_view name) const { return query.find(name) != query.end(); }
  std::string_view Header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// {"error":{"code":"...","message":"..."}} with `status`.
HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message);

using HttpHandler = std::function<void(const HttpRequest&, HttpResponse&)>;

struct Route {
  std::string method;
  std::string path;  // exact path
  bool blocking = false;
  HttpHandler handler;
  // Optional: called with the headers only (empty body), before the body is read; false
  // refuses the request with `res` and closes the connection. So an unauthenticated
  // client never makes the server read and hold a body. It may set `identity`.
  std::function<bool(HttpRequest&, HttpResponse&)> admit;
};

struct HttpStats {
  uint64_t requests = 0;
  uint64_t rejected_limits = 0;  // 413/431/408 and connection-limit refusals
  uint64_t open_connections = 0;
};

class HttpServer {
 public:
  // Binds and starts serving. Errors: bad address, cannot bind, bad TLS files.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpOptions& options,
                                                   std::vector<Route> routes);
  virtual ~HttpServer() = default;
  virtual std::string address() const = 0;  // bound "host:port"
  virtual HttpStats stats() const = 0;
  // Stops accepting, closes connections, joins threads. Idempotent.
  virtual void Stop() = 0;
};

// Parses one complete request from `bytes` with the server's parser and limits, into what
// handlers see. For the fuzzer and tests; errors are kInvalidArgument.
Result<HttpRequest> ParseHttpRequest(std::string_view bytes, const HttpLimits& limits);

// Whether "host:port" names a loopback address (127.0.0.0/8, ::1, localhost).
bool IsLoopbackListen(std::string_view listen);

// Inflates a gzip or deflate body into `out`, at most `max_bytes`. Errors:
// kInvalidArgument (corrupt), kUnavailable used as "too large" (over max_bytes).
Status Gunzip(std::string_view in, size_t max_bytes, std::string* out);

}  // namespace rampart::server
