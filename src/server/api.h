#pragma once
// The HTTP API of `rampart serve`, versioned under /v1 (docs/api.md, docs/openapi.json).
//
//   POST /v1/ingest          records, any content type (gzip/deflate accepted)   ingest
//   GET  /v1/search?q=       the query language; json, ndjson or csv             read
//   GET  /v1/detections      stored detections                                   read
//   GET  /v1/health          200 ok / 503 with reasons; details with a token     none
//   GET  /metrics            Prometheus text, labels limited to the token's tenants  read
//   GET  /v1/openapi.json    this API's OpenAPI 3 document                       any token
//   GET  /v1/whoami          the calling token's identity                        any token
//   GET  /v1/tokens, POST /v1/tokens, POST /v1/tokens/revoke                     admin
//
// Every endpoint but /v1/health needs `Authorization: Bearer <token>` (401 otherwise, 403
// for a role without the permission). Reads are limited to the token's tenants; `?tenant=`
// narrows them and is refused (403) outside them. Ingested events go to the token's tenant
// (or `?tenant=` within its tenants; multi-tenant tokens default to the server's tenant).
// Errors are JSON: {"error":{"code":"...","message":"..."}}.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "ingest/server.h"
#include "server/auth.h"
#include "server/http.h"

namespace rampart::server {

struct DetectionCounter {
  std::string tenant;
  std::string kind;
  std::string level;
  uint64_t count = 0;
};

struct ApiContext {
  std::string data_dir;
  std::string default_tenant = "default";
  ingest::Server* ingest = nullptr;  // intake and health; null = ingest answers 503
  TokenStore* tokens = nullptr;      // required
  size_t max_body_bytes = 32 << 20;  // after decompression too
  // Detection metrics (optional): counters by tenant, kind and level; loaded rule counts.
  std::function<std::vector<DetectionCounter>()> detection_counts;
  size_t sigma_rules = 0;
  size_t correlation_rules = 0;
  size_t indicators = 0;
  // The HTTP server, for its own counters in /metrics (set after it starts, while
  // requests may already be served).
  std::atomic<const HttpServer*> http{nullptr};
};

// The API's routes. `context` must outlive them.
std::vector<Route> ApiRoutes(ApiContext& context);

// The OpenAPI document served at /v1/openapi.json (docs/openapi.json, compiled in).
std::string_view OpenApiDocument();

}  // namespace rampart::server
