// The API's handlers: authentication and tenant scoping first, then the stage that answers.

#include "server/api.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <simdjson.h>

#include "core/clock.h"
#include "core/detection.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "enrich/enrich.h"
#include "incident/entities.h"
#include "query/query.h"
#include "server/internal/api_common.h"
#include "store/store.h"

namespace rampart::server {

extern const char* const kOpenApiJson;

namespace internal {

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  AppendJsonEscaped(out, s);
  out += '"';
  return out;
}

std::optional<Identity> Authorize(const ApiContext& ctx,
                                  const HttpRequest& req,
                                  HttpResponse& res,
                                  std::optional<Permission> permission) {
  std::string_view auth = Trim(req.authorization);
  constexpr std::string_view kBearer = "Bearer ";
  std::optional<Identity> id = req.identity;  // established on the headers already
  if (!id && auth.size() > kBearer.size() && EqualsIgnoreCase(auth.substr(0, 7), kBearer)) {
    id = ctx.tokens->Authenticate(Trim(auth.substr(kBearer.size())), WallNowNs());
  }
  if (!id) {
    res = ErrorResponse(401, "unauthorized",
                        auth.empty() ? "this endpoint needs Authorization: Bearer <token>"
                                     : "invalid, expired or revoked token");
    res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"rampart\"");
    return std::nullopt;
  }
  if (permission && !id->Can(*permission)) {
    res = ErrorResponse(403, "forbidden",
                        "role '" + std::string(RoleName(id->role)) + "' may not do this");
    return std::nullopt;
  }
  return id;
}

HttpResponse TenantError(const Status& st) {
  return st.code() == StatusCode::kInvalidArgument ? ErrorResponse(400, "bad_request", st.message())
                                                   : ErrorResponse(403, "forbidden", st.message());
}

std::optional<ReadScope> AuthorizeRead(const ApiContext& ctx,
                                       const HttpRequest& req,
                                       HttpResponse& res) {
  auto id = Authorize(ctx, req, res, Permission::kRead);
  if (!id) {
    return std::nullopt;
  }
  ReadScope scope{*id, std::nullopt};
  if (req.HasParam("tenant")) {
    auto tenant = id->ResolveTenant(req.Param("tenant"), "");
    if (!tenant.ok()) {
      res = TenantError(tenant.status());
      return std::nullopt;
    }
    scope.tenants = std::vector<std::string>{*tenant};
  } else if (!id->all_tenants) {
    scope.tenants = id->tenants;
  }
  return scope;
}

Result<std::vector<store::DayFile>> FilesOf(const std::string& data_dir,
                                            const std::optional<std::vector<std::string>>& tenants,
                                            int64_t from_ns,
                                            int64_t to_ns) {
  if (!tenants) {
    return store::ListDayFiles(data_dir, std::nullopt, from_ns, to_ns);
  }
  std::vector<store::DayFile> out;
  for (const std::string& t : *tenants) {
    RAMPART_ASSIGN_OR_RETURN(std::vector<store::DayFile> files,
                             store::ListDayFiles(data_dir, t, from_ns, to_ns));
    out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

void Audit(const ApiContext& ctx,
           const Identity& who,
           std::string action,
           std::string tenant,
           std::string object,
           std::string reason,
           std::vector<std::string> related) {
  if (!ctx.audit) {
    return;
  }
  respond::AuditEntry e;
  e.actor = Actor(who);
  e.action = std::move(action);
  e.tenant = std::move(tenant);
  e.object = std::move(object);
  e.related = std::move(related);
  e.reason = std::move(reason);
  ctx.audit(e);
}

void AuditRead(const ApiContext& ctx,
               const ReadScope& scope,
               std::string action,
               std::string object,
               std::string what) {
  std::string tenants;
  if (scope.tenants) {
    for (const std::string& t : *scope.tenants) {
      tenants += (tenants.empty() ? "" : ",") + t;
    }
  } else {
    tenants = "*";
  }
  Audit(ctx, scope.id, std::move(action), tenants, std::move(object), std::move(what));
}

HttpResponse StatusResponse(const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument:
      return ErrorResponse(400, "bad_request", st.message());
    case StatusCode::kNotFound:
      return ErrorResponse(404, "not_found", st.message());
    case StatusCode::kUnavailable:
      return ErrorResponse(503, "unavailable", st.message());
    default:
      return ErrorResponse(500, "internal", st.message());
  }
}

}  // namespace internal

using namespace internal;  // NOLINT: the handlers' shared helpers

namespace {

constexpr uint64_t kDefaultSearchRows = 100;
constexpr uint64_t kMaxSearchRows = 100'000;
constexpr uint64_t kMaxDetections = 100'000;

void HandleIngest(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto id = Authorize(ctx, req, res, Permission::kIngest);
  if (!id) {
    return;
  }
  auto tenant = id->ResolveTenant(req.Param("tenant"), ctx.default_tenant);
  if (!tenant.ok()) {
    res = TenantError(tenant.status());
    return;
  }
  parse::Format format = parse::Format::kAuto;
  if (req.HasParam("format") && !parse::ParseFormatName(req.Param("format"), &format)) {
    res = ErrorResponse(400, "bad_request",
                        "unknown format (use access, bodylog, syslog, json, windows)");
    return;
  }
  if (ctx.ingest == nullptr) {
    res = ErrorResponse(503, "unavailable", "intake is off on this server");
    return;
  }
  std::string inflated;
  std::string_view body = req.body;
  std::string_view encoding = Trim(req.content_encoding);
  if (EqualsIgnoreCase(encoding, "gzip") || EqualsIgnoreCase(encoding, "deflate") ||
      EqualsIgnoreCase(encoding, "x-gzip")) {
    Status st = Gunzip(req.body, ctx.max_body_bytes, &inflated);
    if (!st.ok()) {
      res = st.code() == StatusCode::kUnavailable
                ? ErrorResponse(413, "body_too_large", st.message())
                : ErrorResponse(400, "bad_request", st.message());
      return;
    }
    body = inflated;
  } else if (!encoding.empty() && !EqualsIgnoreCase(encoding, "identity")) {
    res = ErrorResponse(415, "unsupported_encoding",
                        "Content-Encoding must be gzip, deflate or identity");
    return;
  }
  auto queued = ctx.ingest->Submit(*tenant, format, body);
  if (!queued.ok()) {
    if (queued.status().code() == StatusCode::kUnavailable) {
      res = ErrorResponse(429, "queue_full", "intake queue full, retry");
      res.headers.emplace_back("Retry-After", "1");
    } else {
      res = StatusResponse(queued.status());
    }
    return;
  }
  res.status = 202;
  res.body = "{\"accepted\":" + std::to_string(*queued) + ",\"tenant\":" + Quoted(*tenant) + "}\n";
}

void HandleSearch(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto scope = AuthorizeRead(ctx, req, res);
  if (!scope) {
    return;
  }
  const auto& tenants = scope->tenants;
  std::string text(req.Param("q"));
  if (Trim(text).empty()) {
    res = ErrorResponse(400, "bad_request", "missing q= (the query, docs/query.md)");
    return;
  }
  AuditRead(ctx, *scope, "search", "api:/v1/search", text);
  query::QueryError qerr;
  auto q = query::ParseQuery(text, &qerr);
  if (!q.ok()) {
    res = ErrorResponse(400, "bad_query", query::FormatQueryError(text, qerr));
    return;
  }
  auto range = query::ParseTimeRange(req.Param("from"), req.Param("to"), WallNowNs());
  if (!range.ok()) {
    res = ErrorResponse(400, "bad_request", range.status().message());
    return;
  }
  uint64_t limit = kDefaultSearchRows;
  if (req.HasParam("limit") &&
      (!ParseInt(req.Param("limit"), &limit) || limit == 0 || limit > kMaxSearchRows)) {
    res = ErrorResponse(400, "bad_request", "limit must be 1 to " + std::to_string(kMaxSearchRows));
    return;
  }
  std::string_view format = req.HasParam("format") ? req.Param("format") : "ndjson";
  if (format != "ndjson" && format != "json" && format != "csv") {
    res = ErrorResponse(400, "bad_request", "format must be ndjson, json or csv");
    return;
  }
  // The row limit bounds the work too: a `| head N` or `| top N` past it is cut to it.
  bool clamped = false;
  for (query::Pipe& pipe : q->pipes) {
    if ((pipe.kind == query::PipeKind::kHead || pipe.kind == query::PipeKind::kTop) &&
        pipe.n > limit) {
      pipe.n = limit;
      clamped = true;
    }
  }
  auto files = FilesOf(ctx.data_dir, tenants, range->from_ns, range->to_ns);
  if (!files.ok()) {
    res = StatusResponse(files.status());
    return;
  }
  query::ExecuteOptions options;
  options.default_limit = limit;
  auto result = query::Execute(*q, *files, *range, options);
  if (!result.ok()) {
    res = StatusResponse(result.status());
    return;
  }
  // The row limit holds for aggregations too.
  bool truncated = result->truncated ||
                   (clamped && (result->rows.size() >= limit || result->events.size() >= limit));
  if (result->rows.size() > limit) {
    result->rows.resize(limit);
    truncated = true;
  }
  if (result->events.size() > limit) {
    result->events.resize(limit);
    truncated = true;
  }
  std::ostringstream out;
  if (format == "csv") {
    query::WriteCsv(*result, out);
    res.content_type = "text/csv; charset=utf-8";
    res.body = out.str();
  } else {
    query::WriteJson(*result, out);
    if (format == "ndjson") {
      res.content_type = "application/x-ndjson";
      res.body = out.str();
    } else {
      // One JSON document: {"rows":[...],"truncated":bool}.
      std::string lines = out.str();
      res.body = "{\"rows\":[";
      size_t start = 0;
      bool first = true;
      while (start < lines.size()) {
        size_t nl = lines.find('\n', start);
        std::string_view line(lines.data() + start,
                              (nl == std::string::npos ? lines.size() : nl) - start);
        if (!line.empty()) {
          res.body += first ? "" : ",";
          res.body += line;
          first = false;
        }
        start = nl == std::string::npos ? lines.size() : nl + 1;
      }
      res.body += "],\"truncated\":" + std::string(truncated ? "true" : "false") + "}\n";
    }
  }
  res.headers.emplace_back("X-Rampart-Truncated", truncated ? "true" : "false");
}

void HandleDetections(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto scope = AuthorizeRead(ctx, req, res);
  if (!scope) {
    return;
  }
  std::string asked;
  for (const auto& [key, value] : req.query) {
    asked += (asked.empty() ? "" : "&") + key + "=" + value;
  }
  AuditRead(ctx, *scope, "api.read", "api:/v1/detections", asked);
  const auto& tenants = scope->tenants;
  query::DetectionFilterText text{std::string(req.Param("since")),
                                  std::string(req.Param("until")),
                                  std::string(req.Param("rule")),
                                  std::string(req.Param("level")),
                                  std::string(req.Param("min_level")),
                                  std::string(req.Param("kind")),
                                  ""};
  auto filter = query::ParseDetectionFilter(text, "", WallNowNs());
  if (!filter.ok()) {
    res = ErrorResponse(400, "bad_request", filter.status().message());
    return;
  }
  uint64_t limit = 1000;
  if (req.HasParam("limit") &&
      (!ParseInt(req.Param("limit"), &limit) || limit == 0 || limit > kMaxDetections)) {
    res = ErrorResponse(400, "bad_request", "limit must be 1 to " + std::to_string(kMaxDetections));
    return;
  }
  filter->limit = static_cast<size_t>(limit) + 1;
  std::vector<Detection> all;
  const std::vector<std::string> every{""};  // "" = all tenants
  for (const std::string& t : tenants ? *tenants : every) {
    filter->tenant = t;
    auto listed = store::ListDetections(ctx.data_dir, *filter);
    if (!listed.ok()) {
      res = StatusResponse(listed.status());
      return;
    }
    all.insert(all.end(), std::make_move_iterator(listed->begin()),
               std::make_move_iterator(listed->end()));
  }
  std::stable_sort(all.begin(), all.end(), [](const Detection& a, const Detection& b) {
    return a.event_time_ns < b.event_time_ns;
  });
  const bool truncated = all.size() > limit;
  if (truncated) {
    all.erase(all.begin(), all.end() - static_cast<std::ptrdiff_t>(limit));  // keep newest
  }
  res.content_type = "application/x-ndjson";
  for (const Detection& d : all) {
    AppendDetectionJson(res.body, d);
    res.body += '\n';
  }
  res.headers.emplace_back("X-Rampart-Truncated", truncated ? "true" : "false");
}

// Entity summaries read at most this many detections (the newest).
constexpr size_t kMaxEntityDetections = 1'000'000;

// The detections of ?since= (default 7d) in the scope's tenants, or an error response.
std::optional<std::vector<Detection>> ScopedDetections(const ApiContext& ctx,
                                                       const ReadScope& scope,
                                                       const HttpRequest& req,
                                                       HttpResponse& res) {
  std::string since(req.Param("since"));
  query::DetectionFilterText text{since.empty() ? "7d" : since, "", "", "", "", "", ""};
  auto filter = query::ParseDetectionFilter(text, "", WallNowNs());
  if (!filter.ok()) {
    res = ErrorResponse(400, "bad_request", filter.status().message());
    return std::nullopt;
  }
  filter->limit = kMaxEntityDetections;  // the newest: bounded memory whatever ?since= asks
  std::vector<Detection> all;
  const std::vector<std::string> every{""};  // "" = all tenants
  for (const std::string& t : scope.tenants ? *scope.tenants : every) {
    filter->tenant = t;
    auto listed = store::ListDetections(ctx.data_dir, *filter);
    if (!listed.ok()) {
      res = StatusResponse(listed.status());
      return std::nullopt;
    }
    all.insert(all.end(), std::make_move_iterator(listed->begin()),
               std::make_move_iterator(listed->end()));
  }
  return all;
}

// GET /v1/entities?type=&since=&limit=: the entities the detections name, most severe first.
void HandleEntities(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto scope = AuthorizeRead(ctx, req, res);
  if (!scope) {
    return;
  }
  const std::string type(req.Param("type"));
  if (!type.empty() && type != "session" && FieldOfEntityType(type).empty()) {
    res =
        ErrorResponse(400, "bad_request", "type must be ip, user, host, api_key, token or session");
    return;
  }
  uint64_t limit = 100;
  if (req.HasParam("limit") &&
      (!ParseInt(req.Param("limit"), &limit) || limit == 0 || limit > 10000)) {
    res = ErrorResponse(400, "bad_request", "limit must be 1 to 10000");
    return;
  }
  AuditRead(ctx, *scope, "api.read", "api:/v1/entities", "type=" + type);
  auto detections = ScopedDetections(ctx, *scope, req, res);
  if (!detections) {
    return;
  }
  res.content_type = "application/x-ndjson";
  for (const incident::EntitySummary& e :
       incident::SummarizeEntities(*detections, type, static_cast<size_t>(limit))) {
    incident::AppendEntitySummaryJson(res.body, e);
    res.body += '\n';
  }
}

// GET /v1/entities/show?type=&value=[&tenant=]: the behaviour engine's live numbers for one
// entity and the detections naming it.
void HandleEntityShow(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto scope = AuthorizeRead(ctx, req, res);
  if (!scope) {
    return;
  }
  const std::string type(req.Param("type"));
  std::string value(req.Param("value"));
  const std::string field(FieldOfEntityType(type));
  if (field.empty() || value.empty()) {
    res = ErrorResponse(400, "bad_request",
                        "type (ip, user, host, api_key or token) and value are required");
    return;
  }
  std::string tenant = ctx.default_tenant;
  if (scope->tenants) {
    if (scope->tenants->size() != 1 && !req.HasParam("tenant")) {
      res = ErrorResponse(400, "bad_request", "name the tenant (?tenant=)");
      return;
    }
    tenant = scope->tenants->front();
  }
  if ((type == "api_key" || type == "token") && value.find("hmac:") == std::string::npos &&
      !ctx.pseudonym_key.empty()) {
    value = enrich::PseudonymizeCredential(ctx.pseudonym_key, value);  // as stored
  }
  AuditRead(ctx, *scope, "api.read", "api:/v1/entities/show", type + "=" + value);
  ReadScope one = *scope;
  one.tenants = std::vector<std::string>{tenant};
  auto detections = ScopedDetections(ctx, one, req, res);
  if (!detections) {
    return;
  }
  res.content_type = "application/json";
  res.body = "{\"type\":";
  AppendJsonString(res.body, type);
  res.body += ",\"value\":";
  AppendJsonString(res.body, value);
  res.body += ",\"tenant\":";
  AppendJsonString(res.body, tenant);
  res.body += ",\"behavior\":";
  res.body += ctx.entity_state ? ctx.entity_state(tenant, field, value) : "[]";
  res.body += ",\"detections\":[";
  bool first = true;
  for (const Detection& d : *detections) {
    for (const Entity& e : d.entities) {
      if (e.type == type && e.value == value) {
        res.body += first ? "" : ",";
        first = false;
        AppendDetectionJson(res.body, d);
        break;
      }
    }
  }
  res.body += "]}\n";
}

void HandleHealth(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  // Health needs no token (load balancers, systemd); details need a read token, and show
  // only that token's tenants.
  // A token that is not valid is refused; a valid one without the read permission (an
  // ingest shipper checking the server) gets the status without details.
  std::optional<Identity> id;
  if (!req.authorization.empty()) {
    HttpResponse denied;
    id = Authorize(ctx, req, denied, std::nullopt);
    if (!id) {
      res = std::move(denied);
      return;
    }
    if (!id->Can(Permission::kRead)) {
      id.reset();
    }
  }
  ingest::HealthReport h;
  if (ctx.ingest != nullptr) {
    h = ctx.ingest->Health();
  }
  const bool see_errors = id && id->all_tenants;  // error texts may name any tenant's files
  std::string body = "{\"status\":" + Quoted(h.ok ? "ok" : "degraded") + ",\"reasons\":[";
  for (size_t i = 0; i < h.reasons.size(); ++i) {
    std::string reason = h.reasons[i];
    if (!see_errors) {
      reason = reason.substr(0, reason.find(':'));  // the kind, without texts naming files
    }
    body += (i ? "," : "") + Quoted(reason);
  }
  body += "]";
  if (id) {
    body += ",\"inputs\":[";
    bool first = true;
    for (const ingest::InputCounters& c : h.inputs) {
      if (!id->MayAccess(c.tenant)) {
        continue;
      }
      body += first ? "" : ",";
      first = false;
      body += "{\"input\":" + Quoted(c.input) + ",\"tenant\":" + Quoted(c.tenant) +
              ",\"records\":" + std::to_string(c.records) +
              ",\"events\":" + std::to_string(c.events) +
              ",\"dead_letters\":" + std::to_string(c.dead_letters) + "}";
    }
    body += "],\"queue\":{\"bytes\":" + std::to_string(h.queue_bytes) +
            ",\"max_bytes\":" + std::to_string(h.queue_max_bytes) +
            ",\"chunks\":" + std::to_string(h.queue_chunks) + "}";
  }
  body += "}\n";
  res.status = h.ok ? 200 : 503;
  res.body = std::move(body);
}

class Metrics {
 public:
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void Sample(std::string_view name,
              std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
              double value) {
    out_ += name;
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        out_ += first ? "" : ",";
        first = false;
        out_ += k;
        out_ += "=\"";
        for (char c : v) {  // Prometheus label escaping: \ " and newline
          if (c == '\\' || c == '"') {
            out_ += '\\';
            out_ += c;
          } else if (c == '\n') {
            out_ += "\\n";
          } else {
            out_ += c;
          }
        }
        out_ += '"';
      }
      out_ += '}';
    }
    char buf[32];
    const int n = std::snprintf(buf, sizeof(buf), " %.17g\n", value);
    out_.append(buf, static_cast<size_t>(n));
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// The control loop's counters (server-wide, like the HTTP ones).
void AppendControlMetrics(const ApiContext& ctx, Metrics& m) {
  const respond::ControllerStats s = ctx.control->Stats();
  m.Family("rampart_incidents_created_total", "counter", "Incidents opened.");
  m.Sample("rampart_incidents_created_total", {}, static_cast<double>(s.incidents_created));
  m.Family("rampart_control_detections_total", "counter",
           "Detections taken by the control loop (dropped: its queue was full).");
  m.Sample("rampart_control_detections_total", {{"outcome", "processed"}},
           static_cast<double>(s.detections));
  m.Sample("rampart_control_detections_total", {{"outcome", "dropped"}},
           static_cast<double>(s.detections_dropped));
  m.Family("rampart_decisions_total", "counter",
           "Decisions written, by action, ladder stage, state and shadow mode.");
  for (const auto& [key, n] : s.decisions) {
    std::vector<std::string_view> parts;
    std::string_view rest = key;
    for (size_t cut; (cut = rest.find('\x1f')) != std::string_view::npos;) {
      parts.push_back(rest.substr(0, cut));
      rest.remove_prefix(cut + 1);
    }
    parts.push_back(rest);
    if (parts.size() == 4) {
      m.Sample("rampart_decisions_total",
               {{"action", parts[0]},
                {"stage", parts[1]},
                {"state", parts[2]},
                {"shadow", parts[3] == "shadow" ? "true" : "false"}},
               static_cast<double>(n));
    }
  }
  m.Family("rampart_decisions_pending", "gauge", "Decisions waiting for an operator's approval.");
  m.Sample("rampart_decisions_pending", {}, static_cast<double>(s.pending));
  m.Family("rampart_decisions_enforced", "gauge", "Decisions enforced now.");
  m.Sample("rampart_decisions_enforced", {}, static_cast<double>(s.enforced));
  m.Family("rampart_allowlisted_total", "counter",
           "Decisions not taken: the target is allowlisted.");
  m.Sample("rampart_allowlisted_total", {}, static_cast<double>(s.allowlisted));
  m.Family("rampart_control_errors_total", "counter", "Store failures in the control loop.");
  m.Sample("rampart_control_errors_total", {}, static_cast<double>(s.errors));
  if (ctx.connector_counters) {
    m.Family("rampart_connector_attempts_total", "counter",
             "Enforcement attempts, by connector and outcome.");
    for (const respond::ConnectorCounters& c : ctx.connector_counters()) {
      m.Sample("rampart_connector_attempts_total", {{"connector", c.connector}, {"outcome", "ok"}},
               static_cast<double>(c.ok));
      m.Sample("rampart_connector_attempts_total",
               {{"connector", c.connector}, {"outcome", "failed"}}, static_cast<double>(c.failed));
      m.Sample("rampart_connector_attempts_total",
               {{"connector", c.connector}, {"outcome", "retried"}},
               static_cast<double>(c.retried));
    }
  }
}

void HandleMetrics(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto id = Authorize(ctx, req, res, Permission::kRead);
  if (!id) {
    return;
  }
  ingest::HealthReport h;
  ingest::ServerStats const* stats = nullptr;
  if (ctx.ingest != nullptr) {
    h = ctx.ingest->Health();
    stats = &ctx.ingest->stats();
  }
  Metrics m;
  m.Family("rampart_records_in_total", "counter", "Records received, per input and tenant.");
  for (const auto& c : h.inputs) {
    if (id->MayAccess(c.tenant)) {
      m.Sample("rampart_records_in_total", {{"input", c.input}, {"tenant", c.tenant}},
               static_cast<double>(c.records));
    }
  }
  m.Family("rampart_events_stored_total", "counter", "Events parsed and stored.");
  for (const auto& c : h.inputs) {
    if (id->MayAccess(c.tenant)) {
      m.Sample("rampart_events_stored_total", {{"input", c.input}, {"tenant", c.tenant}},
               static_cast<double>(c.events));
    }
  }
  m.Family("rampart_dead_letters_total", "counter", "Records kept as dead letters.");
  for (const auto& c : h.inputs) {
    if (id->MayAccess(c.tenant)) {
      m.Sample("rampart_dead_letters_total", {{"input", c.input}, {"tenant", c.tenant}},
               static_cast<double>(c.dead_letters));
    }
  }
  m.Family("rampart_field_names_overflow_total", "counter",
           "New field names refused over the tenant's budget (stored as _overflow).");
  for (const auto& [tenant, names] : h.pipeline.field_names) {
    if (id->MayAccess(tenant)) {
      m.Sample("rampart_field_names_overflow_total", {{"tenant", tenant}},
               static_cast<double>(names.overflowed));
    }
  }
  m.Family("rampart_queue_bytes", "gauge", "Bytes of records waiting to be stored.");
  m.Sample("rampart_queue_bytes", {}, static_cast<double>(h.queue_bytes));
  m.Family("rampart_queue_max_bytes", "gauge", "The queue's bound (queue.max_bytes).");
  m.Sample("rampart_queue_max_bytes", {}, static_cast<double>(h.queue_max_bytes));
  m.Family("rampart_queue_chunks", "gauge", "Record chunks waiting to be stored.");
  m.Sample("rampart_queue_chunks", {}, static_cast<double>(h.queue_chunks));
  if (stats != nullptr) {
    m.Family("rampart_udp_dropped_total", "counter", "Syslog UDP messages dropped (queue full).");
    m.Sample("rampart_udp_dropped_total", {}, static_cast<double>(stats->udp_dropped.load()));
    m.Family("rampart_http_rejected_total", "counter", "Ingest requests answered 429.");
    m.Sample("rampart_http_rejected_total", {}, static_cast<double>(stats->http_rejected.load()));
    m.Family("rampart_syslog_tcp_connections_closed_total", "counter",
             "Syslog TCP connections refused, evicted or closed idle.");
    m.Sample("rampart_syslog_tcp_connections_closed_total", {{"reason", "refused"}},
             static_cast<double>(stats->tcp_refused.load()));
    m.Sample("rampart_syslog_tcp_connections_closed_total", {{"reason", "evicted"}},
             static_cast<double>(stats->tcp_evicted.load()));
    m.Sample("rampart_syslog_tcp_connections_closed_total", {{"reason", "idle"}},
             static_cast<double>(stats->tcp_idle_closed.load()));
  }
  m.Family("rampart_event_time_flagged_total", "counter",
           "Events stored with receive time (invalid time) or flagged from the future.");
  m.Sample("rampart_event_time_flagged_total", {{"reason", "invalid"}},
           static_cast<double>(h.pipeline.time_invalid));
  m.Sample("rampart_event_time_flagged_total", {{"reason", "future"}},
           static_cast<double>(h.pipeline.time_future));
  m.Family("rampart_storage_errors_total", "counter",
           "Batches whose write failed and was isolated; records spooled or lost.");
  m.Sample("rampart_storage_errors_total", {{"what", "batches"}},
           static_cast<double>(h.pipeline.storage_errors));
  m.Sample("rampart_storage_errors_total", {{"what", "dead_lettered"}},
           static_cast<double>(h.pipeline.storage_dead_letters));
  m.Sample("rampart_storage_errors_total", {{"what", "spooled"}},
           static_cast<double>(h.pipeline.spooled));
  m.Sample("rampart_storage_errors_total", {{"what", "lost"}},
           static_cast<double>(h.pipeline.lost));
  m.Family("rampart_store_flush_seconds", "histogram", "Time to store one batch.");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < 11; ++i) {
    cumulative += h.store_latency_buckets[i];
    char le[32];
    std::snprintf(le, sizeof(le), "%g", ingest::kStoreLatencyBoundsS[i]);
    m.Sample("rampart_store_flush_seconds_bucket", {{"le", le}}, static_cast<double>(cumulative));
  }
  cumulative += h.store_latency_buckets[11];
  m.Sample("rampart_store_flush_seconds_bucket", {{"le", "+Inf"}}, static_cast<double>(cumulative));
  m.Sample("rampart_store_flush_seconds_sum", {}, h.store_latency_sum_s);
  m.Sample("rampart_store_flush_seconds_count", {}, static_cast<double>(cumulative));
  m.Family("rampart_detections_total", "counter", "Detections stored, by kind and level.");
  if (ctx.detection_counts) {
    for (const DetectionCounter& d : ctx.detection_counts()) {
      if (id->MayAccess(d.tenant)) {
        m.Sample("rampart_detections_total",
                 {{"tenant", d.tenant}, {"kind", d.kind}, {"level", d.level}},
                 static_cast<double>(d.count));
      }
    }
  }
  m.Family("rampart_rules", "gauge", "Detection rules and indicators loaded.");
  m.Sample("rampart_rules", {{"kind", "sigma"}}, static_cast<double>(ctx.sigma_rules));
  m.Sample("rampart_rules", {{"kind", "correlation"}}, static_cast<double>(ctx.correlation_rules));
  m.Sample("rampart_rules", {{"kind", "ioc"}}, static_cast<double>(ctx.indicators));
  if (ctx.control != nullptr && id->all_tenants) {
    // Server-wide counts: only for tokens that see every tenant.
    AppendControlMetrics(ctx, m);
  }
  if (const HttpServer* http = ctx.http.load(); http != nullptr) {
    HttpStats hs = http->stats();
    m.Family("rampart_http_requests_total", "counter", "HTTP requests served.");
    m.Sample("rampart_http_requests_total", {}, static_cast<double>(hs.requests));
    m.Family("rampart_http_limit_rejections_total", "counter",
             "Requests or connections refused by HTTP limits (size, time, connections).");
    m.Sample("rampart_http_limit_rejections_total", {}, static_cast<double>(hs.rejected_limits));
    m.Family("rampart_http_open_connections", "gauge", "Open HTTP connections.");
    m.Sample("rampart_http_open_connections", {}, static_cast<double>(hs.open_connections));
  }
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  res.body = m.Take();
}

std::string IdentityJson(const Identity& id) {
  std::string out = "{\"id\":" + Quoted(id.id) + ",\"name\":" + Quoted(id.name) +
                    ",\"role\":" + Quoted(RoleName(id.role)) + ",\"tenants\":";
  if (id.all_tenants) {
    out += "\"*\"";
  } else {
    out += "[";
    for (size_t i = 0; i < id.tenants.size(); ++i) {
      out += (i ? "," : "") + Quoted(id.tenants[i]);
    }
    out += "]";
  }
  out += ",\"created\":" + Quoted(FormatIso8601(id.created_ns)) +
         ",\"created_by\":" + Quoted(id.created_by) + ",\"expires\":" +
         (id.expires_ns ? Quoted(FormatIso8601(id.expires_ns)) : std::string("null")) +
         ",\"revoked\":" +
         (id.revoked_ns ? Quoted(FormatIso8601(id.revoked_ns)) : std::string("null")) +
         ",\"revoked_by\":" + (id.revoked_ns ? Quoted(id.revoked_by) : std::string("null"));
  return out + "}";
}

void HandleWhoami(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto id = Authorize(ctx, req, res, std::nullopt);
  if (id) {
    res.body = IdentityJson(*id) + "\n";
  }
}

void HandleOpenApi(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  if (Authorize(ctx, req, res, std::nullopt)) {
    res.body = std::string(OpenApiDocument());
  }
}

void HandleTokenList(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  if (!Authorize(ctx, req, res, Permission::kAdmin)) {
    return;
  }
  auto list = ctx.tokens->List();
  if (!list.ok()) {
    res = StatusResponse(list.status());
    return;
  }
  res.content_type = "application/x-ndjson";
  for (const Identity& t : *list) {
    res.body += IdentityJson(t) + "\n";
  }
}

void HandleTokenCreate(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto admin = Authorize(ctx, req, res, Permission::kAdmin);
  if (!admin) {
    return;
  }
  // {"name":"...","role":"...","tenants":["a","b"] | "*", "expires_days":90}
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  NewToken spec;
  std::string_view name;
  std::string_view role;
  if (parser.parse(req.body).get(doc) || doc["name"].get(name) || doc["role"].get(role)) {
    res = ErrorResponse(400, "bad_request",
                        "body must be JSON with name, role and tenants (a list or \"*\")");
    return;
  }
  spec.name = std::string(name);
  if (!ParseRole(role, &spec.role)) {
    res = ErrorResponse(400, "bad_request",
                        "role must be ingest, analyst, operator, auditor, admin or enforcer");
    return;
  }
  simdjson::dom::element tenants;
  if (doc["tenants"].get(tenants) == simdjson::SUCCESS) {
    std::string_view all;
    simdjson::dom::array list;
    if (tenants.get(all) == simdjson::SUCCESS && all == "*") {
      spec.all_tenants = true;
    } else if (tenants.get(list) == simdjson::SUCCESS) {
      for (simdjson::dom::element t : list) {
        std::string_view tenant;
        if (t.get(tenant) != simdjson::SUCCESS) {
          res = ErrorResponse(400, "bad_request", "tenants must be a list of names, or \"*\"");
          return;
        }
        spec.tenants.emplace_back(tenant);
      }
    } else {
      res = ErrorResponse(400, "bad_request", "tenants must be a list of names, or \"*\"");
      return;
    }
  }
  int64_t days = 0;
  if (doc["expires_days"].get(days) == simdjson::SUCCESS) {
    if (days <= 0 || days > 36500) {
      res = ErrorResponse(400, "bad_request", "expires_days must be 1 to 36500");
      return;
    }
    spec.expires_ns = WallNowNs() + days * kNsPerDay;
  }
  spec.created_by = Actor(*admin);
  Identity created;
  auto token = ctx.tokens->Create(spec, WallNowNs(), &created);
  if (!token.ok()) {
    res = StatusResponse(token.status());
    return;
  }
  res.status = 201;
  Audit(ctx, *admin, "token.create", "", "token:" + created.id,
        "created token " + created.name + " (" + std::string(RoleName(created.role)) + ")");
  std::string body = IdentityJson(created);
  body.pop_back();
  res.body = body + ",\"token\":" + Quoted(*token) + "}\n";
}

void HandleTokenRevoke(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto admin = Authorize(ctx, req, res, Permission::kAdmin);
  if (!admin) {
    return;
  }
  Identity revoked;
  Status st = ctx.tokens->Revoke(req.Param("id"), Actor(*admin), WallNowNs(), &revoked);
  if (!st.ok()) {
    res = StatusResponse(st);
    return;
  }
  Audit(ctx, *admin, "token.revoke", "", "token:" + revoked.id,
        "revoked token " + revoked.name + " (" + std::string(RoleName(revoked.role)) + ")");
  res.body = IdentityJson(revoked) + "\n";
}

}  // namespace

std::string_view OpenApiDocument() {
  return kOpenApiJson;
}

std::vector<Route> ApiRoutes(ApiContext& context) {
  ApiContext* c = &context;
  auto bind = [c](void (*fn)(ApiContext&, const HttpRequest&, HttpResponse&)) {
    return [c, fn](const HttpRequest& req, HttpResponse& res) {
      fn(*c, req, res);
    };
  };
  // Admission on the headers alone, before any body is read; the identity it establishes
  // goes to the handler, which checks the permission against it again.
  auto admit = [c](std::optional<Permission> permission) {
    return [c, permission](HttpRequest& req, HttpResponse& res) {
      req.identity = Authorize(*c, req, res, permission);
      return req.identity.has_value();
    };
  };
  auto admit_ingest = [c](HttpRequest& req, HttpResponse& res) {
    auto id = Authorize(*c, req, res, Permission::kIngest);
    if (!id) {
      return false;
    }
    req.identity = id;
    auto tenant = id->ResolveTenant(req.Param("tenant"), c->default_tenant);
    if (!tenant.ok()) {
      res = TenantError(tenant.status());
      return false;
    }
    return true;
  };
  std::vector<Route> routes = {
      {"POST", "/v1/ingest", false, bind(HandleIngest), admit_ingest},
      {"GET", "/v1/search", true, bind(HandleSearch), admit(Permission::kRead)},
      {"GET", "/v1/detections", true, bind(HandleDetections), admit(Permission::kRead)},
      {"GET", "/v1/entities", true, bind(HandleEntities), admit(Permission::kRead)},
      {"GET", "/v1/entities/show", true, bind(HandleEntityShow), admit(Permission::kRead)},
      {"GET", "/v1/health", false, bind(HandleHealth), nullptr},
      {"GET", "/metrics", false, bind(HandleMetrics), admit(Permission::kRead)},
      {"GET", "/v1/openapi.json", false, bind(HandleOpenApi), admit(std::nullopt)},
      {"GET", "/v1/whoami", false, bind(HandleWhoami), admit(std::nullopt)},
      {"GET", "/v1/tokens", true, bind(HandleTokenList), admit(Permission::kAdmin)},
      {"POST", "/v1/tokens", true, bind(HandleTokenCreate), admit(Permission::kAdmin)},
      {"POST", "/v1/tokens/revoke", true, bind(HandleTokenRevoke), admit(Permission::kAdmin)},
  };
  for (Route& r : ControlRoutes(context)) {
    routes.push_back(std::move(r));
  }
  return routes;
}

}  // namespace rampart::server
