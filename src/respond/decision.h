#pragma once
// The decision record: what a response policy decided against one entity (an address, a
// range, an account, an API key, a session, a host), for how long, why, and what the
// enforcement points made of it. Decisions are stored per tenant (control.db), served to
// enforcement points (decision API, nftables syncer) and handed to connectors (webhook,
// command). docs/response.md describes the life cycle.
//
// Threads: plain values; no shared state.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart::respond {

// What a decision is about. kRange is an IP prefix ("10.0.0.0/8", "2001:db8::/32").
enum class Scope : uint8_t { kIp, kRange, kUser, kApiKey, kToken, kSession, kHost };
std::string_view ScopeName(Scope s);  // "ip", "range", "user", "api_key", "token", ...
std::optional<Scope> ParseScope(std::string_view name);

// What to do. The order is the severity of the action (a block outranks a rate limit).
enum class Action : uint8_t { kNotify, kRateLimit, kChallenge, kBlock, kIsolate, kRevoke, kLock };
std::string_view ActionName(Action a);  // "notify", "rate_limit", "challenge", "block", ...
std::optional<Action> ParseAction(std::string_view name);

// kPending waits for an operator's approval; kActive is enforced (or, with shadow set,
// only recorded); the others are final.
enum class DecisionState : uint8_t {
  kPending,
  kActive,
  kRejected,    // an operator rejected it, or its approval timed out with on_timeout: reject
  kExpired,     // its TTL ran out
  kRevoked,     // rolled back by an operator
  kSuperseded,  // replaced by the next stage of its ladder
};
std::string_view DecisionStateName(DecisionState s);
std::optional<DecisionState> ParseDecisionState(std::string_view name);

// The outcome of one connector's attempt to enforce or remove a decision.
struct ConnectorResult {
  std::string connector;  // "nftables", "webhook:<name>", "command:<name>"
  std::string operation;  // "apply" or "remove"
  std::string outcome;    // "ok", "failed", "retrying"
  std::string detail;     // error text, HTTP status, exit code
  int64_t time_ns = 0;    // wall clock
  int attempt = 1;
};

struct Decision {
  std::string id;  // "dec-" + 16 hex digits, derived from its content (deterministic)
  std::string tenant;
  Scope scope = Scope::kIp;
  std::string value;  // address, prefix, user name, or pseudonym ("hmac:...")
  Action action = Action::kBlock;
  uint32_t rate_per_minute = 0;  // kRateLimit only
  std::string policy_id;
  int stage = 0;  // index into the policy's ladder
  std::string incident_id;
  std::string reason;                 // one line, human readable
  std::vector<std::string> evidence;  // detection references ("<day file>#<rowid>" or rule ids)
  int64_t created_ns = 0;             // when it was decided (event time in replays)
  int64_t expires_ns = 0;             // 0: never (notify, revoke, lock), or pending approval
  int64_t ttl_ns = 0;                 // the stage's duration; a pending one's starts on approval
  bool shadow = false;                // recorded and counted, never enforced
  DecisionState state = DecisionState::kActive;
  std::string approval;    // "" (automatic) or the role that must approve ("operator")
  std::string decided_by;  // "system policy:<id>", or the actor who approved/revoked/extended
  std::string connector;   // stage's connector name for revoke/lock/notify ("" for none)
  std::vector<ConnectorResult> results;

  // Whether enforcement points should act on it at `now_ns`.
  bool Enforced(int64_t now_ns) const {
    return state == DecisionState::kActive && !shadow && (expires_ns == 0 || now_ns < expires_ns);
  }
};

// One JSON object (no trailing newline) with every member above; times as ISO-8601 and as
// nanoseconds ("created", "created_ns", ...). ParseDecisionJson reads it back.
std::string DecisionToJson(const Decision& d);
Result<Decision> ParseDecisionJson(std::string_view json);

}  // namespace rampart::respond
