// The decision record's names and its JSON form (decision.h). The JSON is what the decision
// API serves, what webhooks and commands receive, and what the decision store keeps, so
// ParseDecisionJson(DecisionToJson(d)) == d for every member.

#include "respond/decision.h"

#include <array>
#include <limits>
#include <string>

#include <simdjson.h>

#include "core/strings.h"
#include "core/time_util.h"

namespace rampart::respond {
namespace {

constexpr std::array<std::string_view, 7> kScopeNames = {"ip",    "range",   "user", "api_key",
                                                         "token", "session", "host"};
constexpr std::array<std::string_view, 7> kActionNames = {
    "notify", "rate_limit", "challenge", "block", "isolate", "revoke", "lock"};
constexpr std::array<std::string_view, 6> kStateNames = {"pending", "active",  "rejected",
                                                         "expired", "revoked", "superseded"};

template <typename E, size_t N>
std::optional<E> FindName(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) {
      return static_cast<E>(i);
    }
  }
  return std::nullopt;
}

template <size_t N>
std::string_view NameAt(const std::array<std::string_view, N>& names, uint8_t i) {
  return i < N ? names[i] : std::string_view("unknown");
}

void AppendKey(std::string& out, std::string_view key) {
  out += ",\"";
  out += key;  // keys are our own literals: nothing to escape
  out += "\":";
}

void AppendStringMember(std::string& out, std::string_view key, std::string_view value) {
  AppendKey(out, key);
  AppendJsonString(out, value);
}

// "<key>": ISO-8601 (null when ns is 0 and `zero_is_null`), "<key>_ns": the number.
void AppendTimeMembers(std::string& out, std::string_view key, int64_t ns, bool zero_is_null) {
  AppendKey(out, key);
  if (ns == 0 && zero_is_null) {
    out += "null";
  } else {
    AppendJsonString(out, FormatIso8601(ns));
  }
  AppendKey(out, std::string(key) + "_ns");
  out += std::to_string(ns);
}

void AppendResult(std::string& out, const ConnectorResult& r) {
  out += "{\"connector\":";
  AppendJsonString(out, r.connector);
  AppendStringMember(out, "operation", r.operation);
  AppendStringMember(out, "outcome", r.outcome);
  AppendStringMember(out, "detail", r.detail);
  AppendTimeMembers(out, "time", r.time_ns, false);
  AppendKey(out, "attempt");
  out += std::to_string(r.attempt);
  out += '}';
}

// "<key>":[...], each item written by append_one(out, item).
template <typename Items, typename AppendOne>
void AppendArrayMember(std::string& out,
                       std::string_view key,
                       const Items& items,
                       AppendOne append_one) {
  AppendKey(out, key);
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    append_one(out, items[i]);
  }
  out += ']';
}

// --- parsing ---------------------------------------------------------------------------

using simdjson::dom::element;
using simdjson::dom::object;

Status Bad(std::string_view what) {
  return InvalidArgument("decision JSON: " + std::string(what));
}

std::string Quoted(std::string_view key) {
  return "\"" + std::string(key) + "\"";
}

// Reads the members of one object. A missing optional member leaves the output untouched.
class Reader {
 public:
  explicit Reader(object obj, std::string prefix = "") : obj_(obj), prefix_(std::move(prefix)) {}

  Status String(std::string_view key, bool required, std::string* out) const {
    element v;
    if (!Find(key, &v)) {
      return required ? Bad("missing " + Name(key)) : Status::Ok();
    }
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) {
      return Bad(Name(key) + " must be a string");
    }
    out->assign(s);
    return Status::Ok();
  }

  Status Int(std::string_view key, int64_t lo, int64_t hi, int64_t* out) const {
    element v;
    if (!Find(key, &v)) {
      return Status::Ok();
    }
    int64_t n = 0;
    if (v.get_int64().get(n) != simdjson::SUCCESS || n < lo || n > hi) {
      return Bad(Name(key) + " must be an integer from " + std::to_string(lo) + " to " +
                 std::to_string(hi));
    }
    *out = n;
    return Status::Ok();
  }

  Status Bool(std::string_view key, bool* out) const {
    element v;
    if (!Find(key, &v)) {
      return Status::Ok();
    }
    if (v.get_bool().get(*out) != simdjson::SUCCESS) {
      return Bad(Name(key) + " must be true or false");
    }
    return Status::Ok();
  }

  // "<key>_ns" wins; else "<key>" as ISO-8601 (null or absent: 0).
  Status Time(std::string_view key, int64_t* out) const {
    const std::string ns_key = std::string(key) + "_ns";
    element v;
    if (Find(ns_key, &v)) {
      return Int(ns_key, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                 out);
    }
    if (!Find(key, &v) || v.is_null()) {
      return Status::Ok();
    }
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS || !ParseIso8601(s, out)) {
      return Bad(Name(key) + " must be an ISO-8601 time");
    }
    return Status::Ok();
  }

  template <typename E>
  Status Enum(std::string_view key,
              bool required,
              std::optional<E> (*parse)(std::string_view),
              E* out) const {
    std::string name;
    bool present = Find(key, nullptr);
    RAMPART_RETURN_IF_ERROR(String(key, required, &name));
    if (!present) {
      return Status::Ok();
    }
    std::optional<E> e = parse(name);
    if (!e) {
      return Bad(Name(key) + ": unknown value \"" + name + "\"");
    }
    *out = *e;
    return Status::Ok();
  }

  Status Array(std::string_view key, simdjson::dom::array* out, bool* present) const {
    element v;
    *present = Find(key, &v);
    if (*present && v.get_array().get(*out) != simdjson::SUCCESS) {
      return Bad(Name(key) + " must be an array");
    }
    return Status::Ok();
  }

  std::string Name(std::string_view key) const { return prefix_ + Quoted(key); }

 private:
  bool Find(std::string_view key, element* out) const {
    element v;
    if (obj_.at_key(key).get(v) != simdjson::SUCCESS) {
      return false;
    }
    if (out != nullptr) {
      *out = v;
    }
    return true;
  }

  object obj_;
  std::string prefix_;
};

Status ParseResult(element e, size_t index, ConnectorResult* r) {
  object obj;
  const std::string where = "results[" + std::to_string(index) + "]";
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    return Bad(where + " must be an object");
  }
  Reader in(obj, where + ".");
  RAMPART_RETURN_IF_ERROR(in.String("connector", true, &r->connector));
  RAMPART_RETURN_IF_ERROR(in.String("operation", false, &r->operation));
  RAMPART_RETURN_IF_ERROR(in.String("outcome", true, &r->outcome));
  RAMPART_RETURN_IF_ERROR(in.String("detail", false, &r->detail));
  RAMPART_RETURN_IF_ERROR(in.Time("time", &r->time_ns));
  int64_t attempt = r->attempt;
  RAMPART_RETURN_IF_ERROR(in.Int("attempt", 0, std::numeric_limits<int>::max(), &attempt));
  r->attempt = static_cast<int>(attempt);
  return Status::Ok();
}

}  // namespace

std::string_view ScopeName(Scope s) {
  return NameAt(kScopeNames, static_cast<uint8_t>(s));
}
std::optional<Scope> ParseScope(std::string_view name) {
  return FindName<Scope>(kScopeNames, name);
}
std::string_view ActionName(Action a) {
  return NameAt(kActionNames, static_cast<uint8_t>(a));
}
std::optional<Action> ParseAction(std::string_view name) {
  return FindName<Action>(kActionNames, name);
}
std::string_view DecisionStateName(DecisionState s) {
  return NameAt(kStateNames, static_cast<uint8_t>(s));
}
std::optional<DecisionState> ParseDecisionState(std::string_view name) {
  return FindName<DecisionState>(kStateNames, name);
}

std::string DecisionToJson(const Decision& d) {
  std::string out;
  out.reserve(512 + d.reason.size() + 64 * (d.evidence.size() + d.results.size()));
  out += "{\"id\":";
  AppendJsonString(out, d.id);
  AppendStringMember(out, "tenant", d.tenant);
  AppendStringMember(out, "scope", ScopeName(d.scope));
  AppendStringMember(out, "value", d.value);
  AppendStringMember(out, "action", ActionName(d.action));
  AppendKey(out, "rate_per_minute");
  out += std::to_string(d.rate_per_minute);
  AppendStringMember(out, "policy_id", d.policy_id);
  AppendKey(out, "stage");
  out += std::to_string(d.stage);
  AppendStringMember(out, "incident_id", d.incident_id);
  AppendStringMember(out, "reason", d.reason);
  AppendArrayMember(out, "evidence", d.evidence,
                    [](std::string& o, const std::string& e) { AppendJsonString(o, e); });
  AppendTimeMembers(out, "created", d.created_ns, false);
  AppendTimeMembers(out, "expires", d.expires_ns, true);
  AppendKey(out, "ttl_ns");
  out += std::to_string(d.ttl_ns);
  AppendKey(out, "shadow");
  out += d.shadow ? "true" : "false";
  AppendStringMember(out, "state", DecisionStateName(d.state));
  AppendStringMember(out, "approval", d.approval);
  AppendStringMember(out, "decided_by", d.decided_by);
  AppendStringMember(out, "connector", d.connector);
  AppendArrayMember(out, "results", d.results, AppendResult);
  out += '}';
  return out;
}

Result<Decision> ParseDecisionJson(std::string_view json) {
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    return Bad(simdjson::error_message(err));
  }
  object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return Bad("not an object");
  }
  Reader in(obj);
  Decision d;
  RAMPART_RETURN_IF_ERROR(in.String("id", true, &d.id));
  RAMPART_RETURN_IF_ERROR(in.String("tenant", false, &d.tenant));
  RAMPART_RETURN_IF_ERROR(in.Enum<Scope>("scope", true, &ParseScope, &d.scope));
  RAMPART_RETURN_IF_ERROR(in.String("value", true, &d.value));
  RAMPART_RETURN_IF_ERROR(in.Enum<Action>("action", true, &ParseAction, &d.action));
  int64_t n = 0;
  RAMPART_RETURN_IF_ERROR(in.Int("rate_per_minute", 0, std::numeric_limits<uint32_t>::max(), &n));
  d.rate_per_minute = static_cast<uint32_t>(n);
  RAMPART_RETURN_IF_ERROR(in.String("policy_id", false, &d.policy_id));
  n = 0;
  RAMPART_RETURN_IF_ERROR(in.Int("stage", 0, std::numeric_limits<int>::max(), &n));
  d.stage = static_cast<int>(n);
  RAMPART_RETURN_IF_ERROR(in.String("incident_id", false, &d.incident_id));
  RAMPART_RETURN_IF_ERROR(in.String("reason", false, &d.reason));
  simdjson::dom::array arr;
  bool present = false;
  RAMPART_RETURN_IF_ERROR(in.Array("evidence", &arr, &present));
  if (present) {
    for (element item : arr) {
      std::string_view s;
      if (item.get_string().get(s) != simdjson::SUCCESS) {
        return Bad("\"evidence\" must be an array of strings");
      }
      d.evidence.emplace_back(s);
    }
  }
  RAMPART_RETURN_IF_ERROR(in.Time("created", &d.created_ns));
  RAMPART_RETURN_IF_ERROR(in.Time("expires", &d.expires_ns));
  RAMPART_RETURN_IF_ERROR(in.Int("ttl_ns", 0, std::numeric_limits<int64_t>::max(), &d.ttl_ns));
  RAMPART_RETURN_IF_ERROR(in.Bool("shadow", &d.shadow));
  RAMPART_RETURN_IF_ERROR(in.Enum<DecisionState>("state", false, &ParseDecisionState, &d.state));
  RAMPART_RETURN_IF_ERROR(in.String("approval", false, &d.approval));
  RAMPART_RETURN_IF_ERROR(in.String("decided_by", false, &d.decided_by));
  RAMPART_RETURN_IF_ERROR(in.String("connector", false, &d.connector));
  RAMPART_RETURN_IF_ERROR(in.Array("results", &arr, &present));
  if (present) {
    size_t i = 0;
    for (element item : arr) {
      ConnectorResult r;
      RAMPART_RETURN_IF_ERROR(ParseResult(item, i++, &r));
      d.results.push_back(std::move(r));
    }
  }
  return d;
}

}  // namespace rampart::respond
