#pragma once
// Response policies (YAML, rules/response/; format in docs/response.md): which detections
// a policy answers, which entity it acts on, and the ladder of stages it climbs while the
// entity keeps offending.
//
// Threads: plain values; no shared state.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/detection.h"
#include "core/ip.h"
#include "core/status.h"
#include "respond/decision.h"

namespace rampart::respond {

struct Stage {
  Action action = Action::kBlock;
  uint32_t rate_per_minute = 0;  // rate_limit: requests allowed per minute
  int64_t ttl_ns = 0;            // 0: no expiry (notify, revoke, lock)
  // Climbing to this stage: how many matching detections of the entity since the previous
  // stage began, and the incident's lowest risk score. Unused for the first stage.
  uint32_t climb_detections = 1;
  double climb_min_risk = 0;
  // "" (automatic) or "operator": the decision waits as pending until approved.
  std::string approval;
  int64_t approval_timeout_ns = 0;  // 0: waits until decided
  bool approve_on_timeout = false;  // on_timeout: approve (default reject)
  std::string connector;            // a connector name for revoke/lock/notify stages
  int line = 0;
};

struct PolicyMatch {
  std::vector<std::string> tenants;  // empty: every tenant
  std::vector<std::string> rules;    // rule ids or names; empty: any
  std::vector<std::string> tags;     // "attack.credential-access", "attack.t1110"; any of them
  std::vector<DetectionKind> kinds;  // empty: any
  Severity min_level = Severity::kInformational;
  double min_risk = 0;  // the incident's risk score
};

struct Policy {
  std::string id;
  std::string description;
  std::string file;
  int line = 0;
  PolicyMatch match;
  Scope target = Scope::kIp;  // the entity acted on: ip, user, api_key, token, session, host
  bool shadow = false;
  // A re-offence within this time after the ladder's last decision ended goes one stage up
  // instead of starting again.
  int64_t forget_ns = int64_t{24} * 3600 * 1'000'000'000;
  std::vector<Stage> ladder;
};

struct PolicySet {
  std::vector<Policy> policies;
  // Every file read and the SHA-256 of its contents (hex), for the audit log.
  std::map<std::string, std::string> file_hashes;
};

// Reads policy files (*.yml, *.yaml; directories recursively, sorted; multi-document).
// Every problem is an error naming "file:line: reason"; ids must be unique.
Result<PolicySet> LoadPolicies(const std::vector<std::string>& paths);
// One YAML text (for tests and the fuzzer); `file` names it in errors.
Result<PolicySet> ParsePolicies(const std::string& text, const std::string& file);

// Lowercase hex SHA-256 of `bytes` (the file hashes above, and the configuration's).
std::string Sha256Hex(std::string_view bytes);

// Whether `p` answers detection `d` (the incident's risk score given).
bool Matches(const Policy& p, const Detection& d, double incident_risk);

// The allowlist no policy can act against: address ranges, and entities as "user:alice",
// "api_key:hmac:...", "host:db-01", "session:...", "token:...".
class Allowlist {
 public:
  // Loopback (127.0.0.0/8, ::1) unless `include_loopback` is false.
  static Result<Allowlist> Parse(const std::vector<std::string>& entries, bool include_loopback);
  bool Contains(Scope scope, std::string_view value) const;

 private:
  std::vector<IpPrefix> ranges_;
  std::vector<std::pair<Scope, std::string>> entities_;
};

}  // namespace rampart::respond
