// The control endpoints: incidents and their workflow, decisions and operator actions, and
// the decision API that enforcement points (nginx auth_request, bouncers) ask.

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include <simdjson.h>

#include "core/clock.h"
#include "core/detection.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "enrich/enrich.h"
#include "incident/incident.h"
#include "respond/decision_store.h"
#include "server/internal/api_common.h"

namespace rampart::server::internal {
namespace {

constexpr size_t kMaxListed = 10'000;

// The one tenant a control request is about: ?tenant=, else the token's only tenant, else
// the server's default tenant (for multi-tenant tokens).
std::optional<std::string> ControlTenant(const ApiContext& ctx,
                                         const Identity& id,
                                         const HttpRequest& req,
                                         HttpResponse& res) {
  // Only the query names it: nginx passes the client's own headers on to the check, so a
  // header would let a client choose whose decisions apply to it.
  auto tenant = id.ResolveTenant(req.Param("tenant"), ctx.default_tenant);
  if (!tenant.ok()) {
    res = TenantError(tenant.status());
    return std::nullopt;
  }
  return *tenant;
}

size_t LimitParam(const HttpRequest& req, size_t fallback) {
  size_t limit = fallback;
  if (req.HasParam("limit") && (!ParseInt(req.Param("limit"), &limit) || limit == 0)) {
    return 0;
  }
  return std::min(limit, kMaxListed);
}

// A JSON request body's string member ("" when absent); false with a 400 when the body is
// not a JSON object or the member is not a string.
bool BodyString(const HttpRequest& req, HttpResponse& res, std::string_view key, std::string* out) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (req.body.empty()) {
    out->clear();
    return true;
  }
  if (parser.parse(req.body).get_object().get(obj) != simdjson::SUCCESS) {
    res = ErrorResponse(400, "bad_request", "the body must be a JSON object");
    return false;
  }
  simdjson::dom::element value;
  if (obj.at_key(key).get(value) != simdjson::SUCCESS) {
    out->clear();
    return true;
  }
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    res = ErrorResponse(400, "bad_request", "\"" + std::string(key) + "\" must be a string");
    return false;
  }
  out->assign(text);
  return true;
}

// The id of the object acted on: ?id= or the body's "id".
bool TargetId(const HttpRequest& req, HttpResponse& res, std::string* id) {
  if (req.HasParam("id")) {
    id->assign(req.Param("id"));
  } else if (!BodyString(req, res, "id", id)) {
    return false;
  }
  if (id->empty() || id->size() > 64) {
    res = ErrorResponse(400, "bad_request", "give the id (?id= or {\"id\": ...})");
    return false;
  }
  return true;
}

// ---- incidents ----

void HandleIncidents(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto scope = AuthorizeRead(ctx, req, res);
  if (!scope) {
    return;
  }
  auto tenant = ControlTenant(ctx, scope->id, req, res);
  if (!tenant) {
    return;
  }
  auto store = incident::IncidentStore::Open(ctx.data_dir, *tenant);
  if (!store.ok()) {
    res = StatusResponse(store.status());
    return;
  }
  const int64_t now = WallNowNs();
  if (req.HasParam("id")) {
    const std::string id(req.Param("id"));
    auto found = (*store)->Get(id);
    if (!found.ok()) {
      res = StatusResponse(found.status());
      return;
    }
    if (!found->has_value()) {
      res = ErrorResponse(404, "not_found", "no incident " + id + " in tenant " + *tenant);
      return;
    }
    Audit(ctx, scope->id, "api.read", *tenant, "incident:" + id, "GET /v1/incidents");
    std::string body = incident::IncidentToJson(**found, now, ctx.risk_half_life_ns);
    // Its decisions, newest first.
    auto decisions = respond::DecisionStore::Open(ctx.data_dir, *tenant);
    if (decisions.ok()) {
      respond::DecisionStore::ListFilter f;
      f.incident_id = id;
      f.limit = 1000;
      auto list = (*decisions)->List(f);
      if (list.ok()) {
        body.pop_back();
        body += ",\"decisions\":";
        AppendJsonArray(body, *list, [](std::string& o, const respond::Decision& d) {
          o += respond::DecisionToJson(d);
        });
        body += '}';
      }
    }
    res.body = std::move(body);
    return;
  }
  incident::IncidentStore::ListFilter filter;
  filter.limit = LimitParam(req, 100);
  if (filter.limit == 0) {
    res = ErrorResponse(400, "bad_request", "limit must be a positive number");
    return;
  }
  if (req.HasParam("status")) {
    auto status = incident::ParseStatus(req.Param("status"));
    if (!status) {
      res = ErrorResponse(400, "bad_request",
                          "status must be new, acknowledged, contained, resolved or "
                          "false_positive");
      return;
    }
    filter.status = status;
  }
  auto list = (*store)->List(filter);
  if (!list.ok()) {
    res = StatusResponse(list.status());
    return;
  }
  Audit(ctx, scope->id, "api.read", *tenant, "api:/v1/incidents", "list incidents");
  std::string body = "{\"tenant\":" + Quoted(*tenant) + ",\"incidents\":[";
  for (size_t i = 0; i < list->size(); ++i) {
    incident::Incident& inc = (*list)[i];
    inc.timeline.clear();  // the list is a summary; ?id= gives the timeline
    body += i > 0 ? "," : "";
    body += incident::IncidentToJson(inc, now, ctx.risk_half_life_ns);
  }
  body += "]}";
  res.body = std::move(body);
}

enum class IncidentOp { kAck, kAssign, kNote, kResolve };

void HandleIncidentOp(ApiContext& ctx, const HttpRequest& req, HttpResponse& res, IncidentOp op) {
  auto id = Authorize(ctx, req, res, Permission::kTriage);
  if (!id) {
    return;
  }
  auto tenant = ControlTenant(ctx, *id, req, res);
  std::string incident_id;
  if (!tenant || !TargetId(req, res, &incident_id)) {
    return;
  }
  auto store = incident::IncidentStore::Open(ctx.data_dir, *tenant);
  if (!store.ok()) {
    res = StatusResponse(store.status());
    return;
  }
  const std::string actor = Actor(*id);
  Result<incident::Incident> before = NotFound("");
  std::string action;
  std::string reason;
  switch (op) {
    case IncidentOp::kAck:
      before = (*store)->SetStatus(incident_id, incident::IncidentStatus::kAcknowledged, actor);
      action = "incident.transition";
      reason = "acknowledged";
      break;
    case IncidentOp::kAssign: {
      std::string assignee;
      if (!BodyString(req, res, "assignee", &assignee)) {
        return;
      }
      if (assignee.empty() || assignee.size() > 200) {
        res = ErrorResponse(400, "bad_request", "give the assignee ({\"assignee\": ...})");
        return;
      }
      before = (*store)->Assign(incident_id, assignee, actor);
      action = "incident.assign";
      reason = "assigned to " + assignee;
      break;
    }
    case IncidentOp::kNote: {
      std::string text;
      if (!BodyString(req, res, "text", &text)) {
        return;
      }
      if (text.empty() || text.size() > 10'000) {
        res = ErrorResponse(400, "bad_request",
                            "give the note ({\"text\": ...}, at most 10000 bytes)");
        return;
      }
      before = (*store)->AddNote(incident_id, text, actor);
      action = "incident.note";
      reason = text;
      break;
    }
    case IncidentOp::kResolve: {
      std::string as;
      if (!BodyString(req, res, "status", &as)) {
        return;
      }
      auto status = as.empty() ? std::optional(incident::IncidentStatus::kResolved)
                               : incident::ParseStatus(as);
      if (!status) {
        res = ErrorResponse(400, "bad_request",
                            "status must be new, acknowledged, contained, resolved or "
                            "false_positive");
        return;
      }
      before = (*store)->SetStatus(incident_id, *status, actor);
      action = "incident.transition";
      reason = std::string(incident::StatusName(*status));
      break;
    }
  }
  if (!before.ok()) {
    res = StatusResponse(before.status());
    return;
  }
  if (action == "incident.transition") {
    reason = std::string(incident::StatusName(before->status)) + " -> " + reason;
  }
  Audit(ctx, *id, action, *tenant, "incident:" + incident_id, reason);
  auto after = (*store)->Get(incident_id);
  if (after.ok() && after->has_value()) {
    res.body = incident::IncidentToJson(**after, WallNowNs(), ctx.risk_half_life_ns);
  }
}

// ---- decisions ----

void HandleDecisions(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto scope = AuthorizeRead(ctx, req, res);
  if (!scope) {
    return;
  }
  auto tenant = ControlTenant(ctx, scope->id, req, res);
  if (!tenant) {
    return;
  }
  auto store = respond::DecisionStore::Open(ctx.data_dir, *tenant);
  if (!store.ok()) {
    res = StatusResponse(store.status());
    return;
  }
  if (req.HasParam("id")) {
    const std::string id(req.Param("id"));
    auto found = (*store)->Get(id);
    if (!found.ok()) {
      res = StatusResponse(found.status());
      return;
    }
    if (!found->has_value()) {
      res = ErrorResponse(404, "not_found", "no decision " + id + " in tenant " + *tenant);
      return;
    }
    Audit(ctx, scope->id, "api.read", *tenant, "decision:" + id, "GET /v1/decisions");
    res.body = respond::DecisionToJson(**found);
    return;
  }
  respond::DecisionStore::ListFilter filter;
  filter.limit = LimitParam(req, 100);
  if (filter.limit == 0) {
    res = ErrorResponse(400, "bad_request", "limit must be a positive number");
    return;
  }
  if (req.HasParam("state")) {
    auto state = respond::ParseDecisionState(req.Param("state"));
    if (!state) {
      res =
          ErrorResponse(400, "bad_request",
                        "state must be pending, active, rejected, expired, revoked or superseded");
      return;
    }
    filter.state = state;
  }
  filter.incident_id = std::string(req.Param("incident"));
  auto list = (*store)->List(filter);
  if (!list.ok()) {
    res = StatusResponse(list.status());
    return;
  }
  Audit(ctx, scope->id, "api.read", *tenant, "api:/v1/decisions", "list decisions");
  std::string body = "{\"tenant\":" + Quoted(*tenant) + ",\"decisions\":";
  AppendJsonArray(body, *list, [](std::string& o, const respond::Decision& d) {
    o += respond::DecisionToJson(d);
  });
  body += '}';
  res.body = std::move(body);
}

void HandleDecisionOp(ApiContext& ctx,
                      const HttpRequest& req,
                      HttpResponse& res,
                      respond::OperatorAction op) {
  auto id = Authorize(ctx, req, res, Permission::kAct);
  const std::string verb(respond::OperatorActionName(op));
  if (!id) {
    // A refused attempt is recorded too: who tried to change a decision without the right.
    if (ctx.audit && res.status == 403 && req.identity) {
      std::string target;
      HttpResponse ignored;
      (void)TargetId(req, ignored, &target);
      auto tenant = req.identity->ResolveTenant(req.Param("tenant"), ctx.default_tenant);
      Audit(ctx, *req.identity, "decision." + verb + ".denied", tenant.ok() ? *tenant : "",
            "decision:" + target,
            "role " + std::string(RoleName(req.identity->role)) + " may not " + verb);
    }
    return;
  }
  auto tenant = ControlTenant(ctx, *id, req, res);
  std::string decision_id;
  if (!tenant || !TargetId(req, res, &decision_id)) {
    return;
  }
  int64_t extend_ns = 0;
  if (op == respond::OperatorAction::kExtend) {
    std::string by;
    if (req.HasParam("by")) {
      by = req.Param("by");
    } else if (!BodyString(req, res, "by", &by)) {
      return;
    }
    auto ns = ParseDurationNs(by);
    if (!ns || *ns == 0) {
      res = ErrorResponse(400, "bad_request", "extend needs a duration: {\"by\": \"1h\"}");
      return;
    }
    extend_ns = *ns;
  }
  const std::string actor = Actor(*id);
  Result<respond::Decision> done = NotFound("");
  if (ctx.control != nullptr) {
    done = ctx.control->Act(*tenant, decision_id, op, actor, extend_ns);
  } else {
    auto store = respond::DecisionStore::Open(ctx.data_dir, *tenant);
    if (!store.ok()) {
      res = StatusResponse(store.status());
      return;
    }
    done = respond::ApplyOperatorAction(**store, decision_id, op, actor, extend_ns, WallNowNs());
    if (done.ok() && ctx.audit) {
      ctx.audit(respond::DecisionAudit(*done, "decision." + verb, actor, "operator " + verb));
    }
  }
  if (!done.ok()) {
    res = StatusResponse(done.status());
    return;
  }
  res.body = respond::DecisionToJson(*done);
}

// ---- decision API ----

bool IsTrustedProxy(const ApiContext& ctx, const IpAddress& ip) {
  for (const IpPrefix& p : ctx.decision_api.trusted_proxies) {
    if (PrefixContains(p, ip)) {
      return true;
    }
  }
  if (ctx.decision_api.include_loopback_proxies) {
    if (!ip.v6 && ip.bytes[0] == 127) {
      return true;
    }
    static const IpAddress kV6Loopback = [] {
      IpAddress a;
      ParseIpAddress("::1", &a);
      return a;
    }();
    if (ip.v6 && ip.bytes == kV6Loopback.bytes) {
      return true;
    }
  }
  return false;
}

// The client the enforcement point asks about.
std::optional<IpAddress> ClientAddress(const ApiContext& ctx, const HttpRequest& req) {
  for (const std::string& name : ctx.decision_api.client_ip_headers) {
    std::string_view value = Trim(req.Header(name));
    if (value.empty()) {
      continue;
    }
    if (name != "x-forwarded-for") {
      IpAddress ip;
      if (ParseIpAddress(value, &ip)) {
        return ip;
      }
      continue;
    }
    // Right to left: the nearest hop first; the first one not a trusted proxy is the client.
    std::optional<IpAddress> last;
    while (!value.empty()) {
      const size_t comma = value.rfind(',');
      std::string_view hop =
          Trim(comma == std::string_view::npos ? value : value.substr(comma + 1));
      value = comma == std::string_view::npos ? std::string_view() : value.substr(0, comma);
      IpAddress ip;
      if (!ParseIpAddress(hop, &ip)) {
        break;  // a forged or garbled hop: trust nothing left of it
      }
      last = ip;
      if (!IsTrustedProxy(ctx, ip)) {
        return ip;
      }
    }
    if (last) {
      return last;
    }
  }
  return std::nullopt;
}

// "Bearer hmac:..." as storage writes the Authorization header.
std::string CredentialPseudonym(const std::string& key, std::string_view value) {
  return enrich::PseudonymizeCredential(key, value);
}

void HandleCheck(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto id = req.identity ? req.identity : Authorize(ctx, req, res, Permission::kCheck);
  if (!id) {
    res.status = 500;  // see admit_check
    return;
  }
  if (ctx.control == nullptr) {
    res = ErrorResponse(503, "unavailable", "the control loop is not running");
    res.status = 500;
    return;
  }
  auto tenant = ControlTenant(ctx, *id, req, res);
  if (!tenant) {
    res.status = 500;
    return;
  }
  respond::CheckKeys keys;
  keys.tenant = *tenant;
  keys.ip = ClientAddress(ctx, req);
  std::string api_key, token, session;
  if (std::string_view v = Trim(req.Header("x-api-key")); !v.empty()) {
    api_key = CredentialPseudonym(ctx.pseudonym_key, v);
    keys.api_key = api_key;
  }
  if (std::string_view v = Trim(req.Header("x-original-authorization")); !v.empty()) {
    token = CredentialPseudonym(ctx.pseudonym_key, v);
    keys.token = token;
  }
  if (std::string_view cookies = req.Header("cookie"); !cookies.empty()) {
    while (!cookies.empty() && session.empty()) {
      const size_t semi = cookies.find(';');
      std::string_view pair = Trim(cookies.substr(0, semi));
      cookies = semi == std::string_view::npos ? std::string_view() : cookies.substr(semi + 1);
      const size_t eq = pair.find('=');
      if (eq != std::string_view::npos && IsSessionCookieName(Trim(pair.substr(0, eq)))) {
        session = CredentialPseudonym(ctx.pseudonym_key, Trim(pair.substr(eq + 1)));
      }
    }
    keys.session = session;
  }
  keys.user = Trim(req.Header("x-original-user"));
  const int64_t now = WallNowNs();
  std::shared_ptr<const respond::DecisionIndex> index = ctx.control->index();
  const respond::IndexedDecision* found[4];
  const size_t n = index->Lookup(keys, now, found, 4);
  for (size_t i = 0; i < n; ++i) {
    const respond::IndexedDecision& d = *found[i];
    if (d.action == respond::Action::kRateLimit) {
      char client[64];
      size_t len = 0;
      if (keys.ip) {
        const size_t bytes = keys.ip->v6 ? 16 : 4;
        std::memcpy(client, keys.ip->bytes.data(), bytes);
        len = bytes;
      }
      if (ctx.control->limiter().Allow(d, std::string_view(client, len), now)) {
        continue;  // within its rate
      }
    }
    const bool challenge = d.action == respond::Action::kChallenge;
    res.status = challenge ? 401 : 403;
    res.content_type = "text/plain";
    res.body.clear();
    res.headers.emplace_back("X-Rampart-Action", std::string(respond::ActionName(d.action)));
    res.headers.emplace_back("X-Rampart-Decision", d.id);
    if (d.expires_ns != 0) {
      const int64_t seconds =
          std::max<int64_t>(1, (d.expires_ns - now + 999'999'999) / 1'000'000'000);
      res.headers.emplace_back(
          "Retry-After", d.action == respond::Action::kRateLimit ? "60" : std::to_string(seconds));
    }
    return;
  }
  res.status = 204;
  res.content_type.clear();
  res.body.clear();
}

void HandleStream(ApiContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto id = Authorize(ctx, req, res, Permission::kCheck);
  if (!id) {
    return;
  }
  auto tenant = ControlTenant(ctx, *id, req, res);
  if (!tenant) {
    return;
  }
  int64_t since = 0;
  if (req.HasParam("since") && (!ParseInt(req.Param("since"), &since) || since < 0)) {
    res = ErrorResponse(400, "bad_request", "since must be a cursor returned earlier (or 0)");
    return;
  }
  const size_t limit = LimitParam(req, 1000);
  if (limit == 0) {
    res = ErrorResponse(400, "bad_request", "limit must be a positive number");
    return;
  }
  auto store = respond::DecisionStore::Open(ctx.data_dir, *tenant);
  if (!store.ok()) {
    res = StatusResponse(store.status());
    return;
  }
  int64_t next = since;
  auto changed = (*store)->ChangedSince(since, limit, &next);
  if (!changed.ok()) {
    res = StatusResponse(changed.status());
    return;
  }
  const int64_t now = WallNowNs();
  // A bouncer polls often: the reads that hand out decisions are recorded, empty polls not.
  if (!changed->empty()) {
    Audit(ctx, *id, "api.read", *tenant, "api:/v1/decisions/stream",
          "decisions " + std::to_string(since) + ".." + std::to_string(next) + " (" +
              std::to_string(changed->size()) + ")");
  }
  std::string body =
      "{\"tenant\":" + Quoted(*tenant) + ",\"cursor\":" + std::to_string(next) + ",\"decisions\":";
  // Each with "enforce": whether a bouncer should hold it now (expired/revoked: remove).
  AppendJsonArray(body, *changed, [now](std::string& o, const respond::Decision& d) {
    o += respond::DecisionToJson(d);
    o.pop_back();
    o += d.Enforced(now) ? ",\"enforce\":true}" : ",\"enforce\":false}";
  });
  body += '}';
  res.body = std::move(body);
}

}  // namespace

std::vector<Route> ControlRoutes(ApiContext& context) {
  ApiContext* c = &context;
  auto admit = [c](Permission permission) {
    return [c, permission](HttpRequest& req, HttpResponse& res) {
      req.identity = Authorize(*c, req, res, std::nullopt);
      if (!req.identity) {
        return false;
      }
      if (!req.identity->Can(permission)) {
        // The handler answers (and audits refused operator actions).
        return permission == Permission::kAct ||
               (res = ErrorResponse(
                    403, "forbidden",
                    "role '" + std::string(RoleName(req.identity->role)) + "' may not do this"),
                false);
      }
      return true;
    };
  };
  auto op = [c](IncidentOp o) {
    return [c, o](const HttpRequest& req, HttpResponse& res) {
      HandleIncidentOp(*c, req, res, o);
    };
  };
  auto act = [c](respond::OperatorAction o) {
    return [c, o](const HttpRequest& req, HttpResponse& res) {
      HandleDecisionOp(*c, req, res, o);
    };
  };
  auto bind = [c](void (*fn)(ApiContext&, const HttpRequest&, HttpResponse&)) {
    return [c, fn](const HttpRequest& req, HttpResponse& res) {
      fn(*c, req, res);
    };
  };
  // nginx turns a 401/403 from auth_request into the client's answer: a missing or wrong
  // enforcer token must fail visibly (500), never look like a decision about the client.
  auto admit_check = [c](HttpRequest& req, HttpResponse& res) {
    req.identity = Authorize(*c, req, res, Permission::kCheck);
    if (!req.identity) {
      res.status = 500;
      return false;
    }
    return true;
  };
  using respond::OperatorAction;
  return {
      {"GET", "/v1/incidents", true, bind(HandleIncidents), admit(Permission::kRead)},
      {"POST", "/v1/incidents/ack", true, op(IncidentOp::kAck), admit(Permission::kTriage)},
      {"POST", "/v1/incidents/assign", true, op(IncidentOp::kAssign), admit(Permission::kTriage)},
      {"POST", "/v1/incidents/note", true, op(IncidentOp::kNote), admit(Permission::kTriage)},
      {"POST", "/v1/incidents/resolve", true, op(IncidentOp::kResolve), admit(Permission::kTriage)},
      {"GET", "/v1/decisions", true, bind(HandleDecisions), admit(Permission::kRead)},
      {"POST", "/v1/decisions/approve", true, act(OperatorAction::kApprove),
       admit(Permission::kAct)},
      {"POST", "/v1/decisions/reject", true, act(OperatorAction::kReject), admit(Permission::kAct)},
      {"POST", "/v1/decisions/revoke", true, act(OperatorAction::kRevoke), admit(Permission::kAct)},
      {"POST", "/v1/decisions/extend", true, act(OperatorAction::kExtend), admit(Permission::kAct)},
      {"GET", "/v1/decisions/check", false, bind(HandleCheck), admit_check},
      {"GET", "/v1/decisions/stream", true, bind(HandleStream), admit(Permission::kCheck)},
  };
}

}  // namespace rampart::server::internal
