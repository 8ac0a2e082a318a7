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
//   GET  /v1/incidents[?id=]  incidents, one with its timeline                    read
//   POST /v1/incidents/{ack,assign,note,resolve}                                  triage
//   GET  /v1/decisions[?id=]  decisions                                           read
//   POST /v1/decisions/{approve,reject,revoke,extend}                             act
//   GET  /v1/decisions/check  nginx auth_request: 204 / 403 / 401 + X-Rampart-*   check
//   GET  /v1/decisions/stream?since=  decisions changed since a cursor            check
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

#include "core/ip.h"
#include "core/status.h"
#include "ingest/server.h"
#include "respond/connectors.h"
#include "respond/controller.h"
#include "server/auth.h"
#include "server/http.h"

namespace rampart::server {

struct DetectionCounter {
  std::string tenant;
  std::string kind;
  std::string level;
  uint64_t count = 0;
};

// How the decision API reads the client of the request it is asked about.
struct DecisionApiOptions {
  // Headers naming the client, tried in order (lower case). X-Forwarded-For is read from
  // the right, skipping trusted proxies.
  std::vector<std::string> client_ip_headers = {"x-real-ip", "x-forwarded-for"};
  std::vector<IpPrefix> trusted_proxies;  // empty: loopback
  bool include_loopback_proxies = true;
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
  // The control loop: incidents, decisions and the decision API. Null: incidents and
  // decisions are read from the stores, operator actions go straight to them, and the
  // decision API answers 503.
  respond::Controller* control = nullptr;
  DecisionApiOptions decision_api;
  std::string pseudonym_key;  // the storage key, for credentials in decision checks
  int64_t risk_half_life_ns = int64_t{24} * 3600 * 1'000'000'000;
  // The behaviour engine's live numbers for one entity (tenant, group-by field, value) as a
  // JSON array (detect/behavior AppendEntityViewsJson); unset: "[]" (no behaviour detection).
  std::function<std::string(const std::string&, const std::string&, const std::string&)>
      entity_state;
  // The enforcement connectors' counters (optional, for /metrics).
  std::function<std::vector<respond::ConnectorCounters>()> connector_counters;
  // Every state change and every read, for the audit log (unset: not recorded).
  respond::AuditSink audit;
  // The HTTP server, for its own counters in /metrics (set after it starts, while
  // requests may already be served).
  std::atomic<const HttpServer*> http{nullptr};
};

// The API's routes. `context` must outlive them.
std::vector<Route> ApiRoutes(ApiContext& context);

// The OpenAPI document served at /v1/openapi.json (docs/openapi.json, compiled in).
std::string_view OpenApiDocument();

}  // namespace rampart::server
