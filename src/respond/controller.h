#pragma once
// The control loop of `rampart serve`: detections -> incidents -> policies -> decisions ->
// enforcement, on a thread of its own so that detection never waits for it (nor for a
// slow connector). Everything it decides is stored first (control.db), then audited, then
// enforced; the enforced set is derived from the store, so an operator's change made
// through the CLI while the server runs reaches the enforcement points too.
//
// Threads: Submit, the operator actions, Check lookups and Stats may be called from any
// thread. The loop thread owns the grouper, the engine and the stores it writes.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/detection.h"
#include "incident/incident.h"
#include "respond/decision.h"
#include "respond/decision_store.h"
#include "respond/engine.h"
#include "respond/index.h"
#include "respond/policy.h"

namespace rampart::respond {

// One audit record as the control loop reports it (the server writes it to the audit log).
struct AuditEntry {
  std::string actor;   // "system policy:<id>", "system", or the operator
  std::string action;  // "decision.create", "decision.expire", "incident.create", ...
  std::string tenant;
  std::string object;                // "decision:<id>", "incident:<id>"
  std::vector<std::string> related;  // e.g. "incident:<id>"
  std::string reason;
  std::string details_json = "{}";
};
using AuditSink = std::function<void(const AuditEntry&)>;

// The audit entry of a decision change (details: the decision's JSON).
AuditEntry DecisionAudit(const Decision& d,
                         std::string_view action,
                         const std::string& actor,
                         const std::string& reason);

enum class OperatorAction : uint8_t { kApprove, kReject, kRevoke, kExtend };
std::string_view OperatorActionName(OperatorAction a);  // "approve", ...

// An operator's change to a stored decision, without a running server (the CLI) or inside
// it. Extend adds `extend_ns` to the expiry (from now when the decision has none yet).
// Approve starts the decision's TTL now. Returns the decision after the change; NotFound,
// or InvalidArgument when the change does not apply to its state.
Result<Decision> ApplyOperatorAction(DecisionStore& store,
                                     const std::string& id,
                                     OperatorAction action,
                                     const std::string& actor,
                                     int64_t extend_ns,
                                     int64_t now_ns);

struct ControllerOptions {
  std::string data_dir;
  std::shared_ptr<const PolicySet> policies;
  Allowlist allowlist;
  EngineOptions engine;
  incident::GroupingOptions grouping;
  int64_t tick_ns = 250'000'000;  // expiry, approval timeouts, changes from the CLI
  size_t max_queued_detections = 100'000;
  AuditSink audit;  // required
  // Asked to enforce (apply=true) or lift a decision; must not block (connectors queue).
  std::function<void(bool apply, const Decision&)> enforce;
  std::function<int64_t()> now_ns;  // the clock; default wall clock
};

struct ControllerStats {
  uint64_t detections = 0;
  uint64_t detections_dropped = 0;  // queue full
  uint64_t incidents_created = 0;
  uint64_t allowlisted = 0;
  uint64_t errors = 0;  // store failures (each logged and audited as far as possible)
  size_t pending = 0;
  size_t enforced = 0;
  // "action\x1fstage\x1fstate" -> decisions written in that state.
  std::map<std::string, uint64_t> decisions;
  std::map<std::string, uint64_t> connector_results;  // "connector\x1foutcome" -> count
};

class Controller {
 public:
  static Result<std::unique_ptr<Controller>> Start(ControllerOptions options);
  ~Controller();

  // Queues detections (copies); never blocks. Full queue: counted and dropped.
  void Submit(const std::vector<Detection>& detections);

  // The enforced set now; never blocks.
  std::shared_ptr<const DecisionIndex> index() const;
  RateLimiter& limiter() { return limiter_; }
  // The decisions enforcement points must hold now (the connectors' reconciliation at
  // start-up: the firewall set is rebuilt from these).
  std::vector<Decision> Enforced() const;

  // Operator actions (API); audited with `actor`. Wait until the loop has taken the change
  // into the enforced set.
  Result<Decision> Act(const std::string& tenant,
                       const std::string& id,
                       OperatorAction action,
                       const std::string& actor,
                       int64_t extend_ns);

  // A connector's result for a decision: stored with it and audited.
  void OnConnectorResult(const std::string& tenant,
                         const std::string& id,
                         const ConnectorResult& result);

  ControllerStats Stats() const;
  // Waits until every detection submitted so far has been processed (tests, shutdown).
  void Drain();
  void Stop();

 private:
  explicit Controller(ControllerOptions options);
  void Run();
  void Process(std::vector<Detection>& batch);
  void Tick(int64_t now_ns);
  void SyncTenant(const std::string& tenant);
  void RebuildIndex();
  void Hold(Decision d);  // into live_ (pending/active) with its queue entry, or out
  DecisionStore* Decisions(const std::string& tenant);
  incident::IncidentStore* Incidents(const std::string& tenant);
  int64_t Now() const;
  void CountDecision(const Decision& d);

  ControllerOptions options_;
  ResponseEngine engine_;
  incident::Grouper grouper_;
  RateLimiter limiter_;

  mutable std::mutex mu_;  // guards queue_, results_, stats_, wake_, processed_
  std::condition_variable cv_;
  std::condition_variable done_cv_;
  std::deque<Detection> queue_;
  std::vector<std::tuple<std::string, std::string, ConnectorResult>> results_;
  bool stop_ = false;
  bool wake_ = false;
  uint64_t submitted_ = 0;
  uint64_t processed_ = 0;
  uint64_t sync_requested_ = 0;
  uint64_t sync_done_ = 0;
  ControllerStats stats_;

  // Loop-thread state.
  std::map<std::string, std::unique_ptr<DecisionStore>> decision_stores_;
  std::map<std::string, std::unique_ptr<incident::IncidentStore>> incident_stores_;
  std::map<std::string, int64_t> cursors_;        // per tenant: decisions version synced
  std::map<std::string, Decision> live_;          // pending and active decisions by id
  std::multimap<int64_t, std::string> expiries_;  // active decisions by expiry (may be stale)
  std::map<std::string, int64_t> queued_expiry_;  // id -> the expiry it is queued under
  std::set<std::string> pending_;                 // ids of pending decisions
  // Decisions the enforcement points were told to apply, with the expiry they were given
  // (an extension is applied again).
  std::map<std::string, int64_t> applied_;
  bool index_dirty_ = true;
  int64_t last_scan_ns_ = 0;
  std::map<std::string, int64_t> event_watermark_;  // per tenant: newest detection time
  int64_t closed_checked_ns_ = 0;                   // wall clock of the last ClosedSince

  mutable std::mutex index_mu_;
  std::shared_ptr<const DecisionIndex> index_;
  std::map<std::string, Decision> enforced_snapshot_;  // live_ as of the index
  std::thread thread_;
};

}  // namespace rampart::respond
