#pragma once
// The response engine: for each detection (with the incident it joined), every matching
// policy decides on its target entity along its ladder. It keeps, per (tenant, policy,
// target), the latest decision and the detections seen since that stage began; it never
// reads the clock (the caller passes the decision time: wall clock live, event time in
// replays), so the same detections in the same order give the same decisions.
//
// Threads: one thread per engine.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/detection.h"
#include "incident/incident.h"
#include "respond/decision.h"
#include "respond/policy.h"

namespace rampart::respond {

struct EngineOptions {
  bool shadow = false;  // global shadow mode: every decision is recorded, none enforced
};

class ResponseEngine {
 public:
  ResponseEngine(std::shared_ptr<const PolicySet> policies,
                 Allowlist allowlist,
                 EngineOptions options);

  struct Outcome {
    std::vector<Decision> created;     // new decisions, pending or active
    std::vector<Decision> superseded;  // the stages they replace, now kSuperseded
    uint64_t allowlisted = 0;          // targets no policy may act on
  };
  // Appends to `out` what the policies decide about `d`, which joined `incident`.
  void OnDetection(const Detection& d,
                   const incident::Incident& incident,
                   int64_t now_ns,
                   Outcome* out);

  // The engine's view of a decision changed elsewhere (approved, revoked, extended,
  // expired) or loaded from the store at start-up.
  void Update(const Decision& d);

  const PolicySet& policies() const { return *policies_; }

 private:
  struct Ladder {
    Decision latest;
    uint32_t hits = 0;           // matching detections since `latest` began
    std::set<std::string> seen;  // detections already counted (idempotence)
  };
  Decision Make(const Policy& p,
                size_t stage,
                const Detection& d,
                const incident::Incident& incident,
                const std::string& value,
                int64_t now_ns,
                const std::string& why) const;

  std::shared_ptr<const PolicySet> policies_;
  Allowlist allowlist_;
  EngineOptions options_;
  std::map<std::string, Ladder> ladders_;  // tenant \x1f policy \x1f scope \x1f value
};

// "dec-" + 16 hex digits of SHA-256 over the decision's identity.
std::string DecisionId(const std::string& tenant,
                       const std::string& policy,
                       int stage,
                       Scope scope,
                       const std::string& value,
                       int64_t created_ns);

// Whether a decision still stands for its ladder at `now_ns` (pending, or active and not
// expired; one-shot actions such as notify stand only for the moment they are taken).
bool Stands(const Decision& d, int64_t now_ns);
// Actions enforced by the decision API and the firewall, with a duration.
bool IsLasting(Action a);

}  // namespace rampart::respond
