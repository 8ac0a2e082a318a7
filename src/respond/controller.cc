#include "respond/controller.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include "core/clock.h"
#include "core/strings.h"
#include "store/store.h"

namespace rampart::respond {
namespace {

constexpr int64_t kMaxFutureNs = int64_t{300} * 1'000'000'000;

const Stage* FindStage(const PolicySet& set, const Decision& d) {
  for (const Policy& p : set.policies) {
    if (p.id == d.policy_id && d.stage >= 0 && static_cast<size_t>(d.stage) < p.ladder.size()) {
      return &p.ladder[static_cast<size_t>(d.stage)];
    }
  }
  return nullptr;
}

// Whether enforcement points must act on `d` now.
bool ShouldEnforce(const Decision& d, int64_t now_ns) {
  return d.Enforced(now_ns);
}

std::string IncidentDetails(const incident::Incident& inc) {
  std::string out = "{\"title\":";
  AppendJsonString(out, inc.title);
  out += ",\"level\":";
  AppendJsonString(out, SeverityName(inc.max_level));
  out += ",\"risk\":" + std::to_string(inc.risk);
  out += ",\"detections\":" + std::to_string(inc.detection_count);
  out += ",\"entities\":";
  AppendJsonArray(out, inc.entities, [](std::string& o, const Entity& e) {
    AppendJsonString(o, e.type + ":" + e.value);
  });
  out += '}';
  return out;
}

}  // namespace

AuditEntry DecisionAudit(const Decision& d,
                         std::string_view action,
                         const std::string& actor,
                         const std::string& reason) {
  AuditEntry e;
  e.actor = actor;
  e.action = std::string(action);
  e.tenant = d.tenant;
  e.object = "decision:" + d.id;
  if (!d.incident_id.empty()) {
    e.related.push_back("incident:" + d.incident_id);
  }
  e.reason = reason;
  e.details_json = DecisionToJson(d);
  return e;
}

std::string_view OperatorActionName(OperatorAction a) {
  switch (a) {
    case OperatorAction::kApprove:
      return "approve";
    case OperatorAction::kReject:
      return "reject";
    case OperatorAction::kRevoke:
      return "revoke";
    case OperatorAction::kExtend:
      return "extend";
  }
  return "?";
}

Result<Decision> ApplyOperatorAction(DecisionStore& store,
                                     const std::string& id,
                                     OperatorAction action,
                                     const std::string& actor,
                                     int64_t extend_ns,
                                     int64_t now_ns) {
  return store.Modify(id, [&](Decision& d) -> Status {
    const std::string state(DecisionStateName(d.state));
    switch (action) {
      case OperatorAction::kApprove:
      case OperatorAction::kReject:
        if (d.state != DecisionState::kPending) {
          return InvalidArgument("decision " + id + " is " + state + ", not pending");
        }
        if (action == OperatorAction::kApprove) {
          d.state = DecisionState::kActive;
          d.expires_ns = d.ttl_ns > 0 ? now_ns + d.ttl_ns : 0;
        } else {
          d.state = DecisionState::kRejected;
        }
        break;
      case OperatorAction::kRevoke:
        if (d.state != DecisionState::kActive && d.state != DecisionState::kPending) {
          return InvalidArgument("decision " + id + " is " + state +
                                 "; only active or pending decisions can be revoked");
        }
        d.state = DecisionState::kRevoked;
        break;
      case OperatorAction::kExtend:
        if (d.state != DecisionState::kActive) {
          return InvalidArgument("decision " + id + " is " + state +
                                 "; only active decisions can be extended (approve a pending "
                                 "one first)");
        }
        if (extend_ns <= 0) {
          return InvalidArgument("extend needs a positive duration");
        }
        if (d.expires_ns == 0) {
          return InvalidArgument("decision " + id + " does not expire; nothing to extend");
        }
        d.expires_ns = std::max(d.expires_ns, now_ns) + extend_ns;
        break;
    }
    d.decided_by = actor;
    return Status::Ok();
  });
}

Controller::Controller(ControllerOptions options)
    : options_(std::move(options)),
      engine_(options_.policies, options_.allowlist, options_.engine),
      grouper_(options_.grouping) {}

Controller::~Controller() {
  Stop();
}

int64_t Controller::Now() const {
  return options_.now_ns ? options_.now_ns() : WallNowNs();
}

Result<std::unique_ptr<Controller>> Controller::Start(ControllerOptions options) {
  if (!options.audit) {
    return InvalidArgument("the control loop needs an audit sink");
  }
  if (!options.policies) {
    options.policies = std::make_shared<PolicySet>();
  }
  std::unique_ptr<Controller> c(new Controller(std::move(options)));
  // Load what the stores hold: live decisions (enforced again by the connectors'
  // reconciliation, not re-sent), the ladders' recent history, the open incidents.
  namespace fs = std::filesystem;
  std::error_code ec;
  const int64_t now = c->Now();
  int64_t forget = 0;
  for (const Policy& p : c->options_.policies->policies) {
    forget = std::max(forget, p.forget_ns);
  }
  for (const auto& entry : fs::directory_iterator(fs::path(c->options_.data_dir) / "tenants", ec)) {
    const std::string tenant = entry.path().filename().string();
    if (!store::IsValidTenant(tenant) || !fs::exists(entry.path() / "control.db")) {
      continue;
    }
    DecisionStore* decisions = c->Decisions(tenant);
    incident::IncidentStore* incidents = c->Incidents(tenant);
    if (decisions == nullptr || incidents == nullptr) {
      return IoError("cannot open the control database of tenant " + tenant);
    }
    RAMPART_ASSIGN_OR_RETURN(std::vector<Decision> recent, decisions->CreatedSince(now - forget));
    for (const Decision& d : recent) {
      c->engine_.Update(d);
    }
    RAMPART_ASSIGN_OR_RETURN(int64_t cursor, decisions->Cursor());
    c->cursors_[tenant] = cursor;
    RAMPART_ASSIGN_OR_RETURN(std::vector<Decision> live, decisions->Live());
    for (Decision& d : live) {
      c->engine_.Update(d);
      // Active before the restart: enforced then (the connectors' reconciliation restores
      // what still holds), so its end, even one that passed while the server was down, is
      // sent to the connectors as a removal.
      if (d.state == DecisionState::kActive && !d.shadow) {
        c->applied_[d.id] = d.expires_ns;
      }
      c->Hold(std::move(d));
    }
    RAMPART_ASSIGN_OR_RETURN(std::vector<incident::Incident> open,
                             incidents->OpenSince(now - c->options_.grouping.max_span_ns));
    c->grouper_.Seed(std::move(open));
  }
  c->RebuildIndex();
  c->thread_ = std::thread([raw = c.get()] { raw->Run(); });
  return c;
}

std::vector<Decision> Controller::Enforced() const {
  std::lock_guard<std::mutex> lock(index_mu_);
  std::vector<Decision> out;
  const int64_t now = Now();
  for (const auto& [id, d] : enforced_snapshot_) {
    if (ShouldEnforce(d, now)) {
      out.push_back(d);
    }
  }
  return out;
}

void Controller::Submit(const std::vector<Detection>& detections) {
  if (detections.empty()) {
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const Detection& d : detections) {
    if (queue_.size() >= options_.max_queued_detections) {
      ++stats_.detections_dropped;
      continue;
    }
    queue_.push_back(d);
    ++submitted_;
  }
  cv_.notify_one();
}

std::shared_ptr<const DecisionIndex> Controller::index() const {
  std::lock_guard<std::mutex> lock(index_mu_);
  return index_;
}

DecisionStore* Controller::Decisions(const std::string& tenant) {
  auto it = decision_stores_.find(tenant);
  if (it != decision_stores_.end()) {
    return it->second.get();
  }
  auto opened = DecisionStore::Open(options_.data_dir, tenant);
  if (!opened.ok()) {
    std::fprintf(stderr, "rampart serve: decisions of tenant %s: %s\n", tenant.c_str(),
                 opened.status().ToString().c_str());
    return nullptr;
  }
  return decision_stores_.emplace(tenant, std::move(opened).value()).first->second.get();
}

incident::IncidentStore* Controller::Incidents(const std::string& tenant) {
  auto it = incident_stores_.find(tenant);
  if (it != incident_stores_.end()) {
    return it->second.get();
  }
  auto opened = incident::IncidentStore::Open(options_.data_dir, tenant);
  if (!opened.ok()) {
    std::fprintf(stderr, "rampart serve: incidents of tenant %s: %s\n", tenant.c_str(),
                 opened.status().ToString().c_str());
    return nullptr;
  }
  return incident_stores_.emplace(tenant, std::move(opened).value()).first->second.get();
}

void Controller::Run() {
  std::vector<Detection> batch;
  int64_t next_tick = Now();
  while (true) {
    std::vector<std::tuple<std::string, std::string, ConnectorResult>> results;
    bool sync = false;
    uint64_t sync_target = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      const int64_t wait_ns = std::max<int64_t>(0, next_tick - Now());
      cv_.wait_for(lock, std::chrono::nanoseconds(wait_ns), [&] {
        return stop_ || !queue_.empty() || !results_.empty() || sync_requested_ != sync_done_;
      });
      const size_t n = std::min<size_t>(queue_.size(), 1024);
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
      results.swap(results_);
      sync_target = sync_requested_;
      sync = sync_requested_ != sync_done_;
      if (stop_ && batch.empty() && results.empty() && !sync) {
        break;
      }
    }
    if (!batch.empty()) {
      Process(batch);
    }
    for (auto& [tenant, id, result] : results) {
      DecisionStore* store = Decisions(tenant);
      std::string incident_id;
      if (store != nullptr) {
        const ConnectorResult& r = result;  // (clang: no structured bindings in lambdas)
        auto kept = store->Modify(id, [&r](Decision& d) {
          d.results.push_back(r);
          if (d.results.size() > 50) {
            d.results.erase(d.results.begin());  // the newest attempts tell the story
          }
          return Status::Ok();
        });
        if (kept.ok()) {
          incident_id = kept->incident_id;
        } else if (kept.status().code() != StatusCode::kNotFound) {
          std::lock_guard<std::mutex> lock(mu_);
          ++stats_.errors;
        }
      }
      AuditEntry e;
      e.actor = "system connector:" + result.connector;
      e.action = "enforce." + result.operation;
      e.tenant = tenant;
      e.object = "decision:" + id;
      e.reason = result.outcome + (result.detail.empty() ? "" : ": " + result.detail);
      std::string details = "{\"connector\":";
      AppendJsonString(details, result.connector);
      details += ",\"outcome\":";
      AppendJsonString(details, result.outcome);
      details += ",\"attempt\":" + std::to_string(result.attempt) + "}";
      e.details_json = std::move(details);
      if (!incident_id.empty()) {
        e.related.push_back("incident:" + incident_id);
      }
      options_.audit(e);
    }
    const int64_t now = Now();
    if (now >= next_tick || sync || !batch.empty() || !results.empty()) {
      Tick(now);
      if (now >= next_tick) {
        next_tick = now + options_.tick_ns;
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      processed_ += batch.size();
      sync_done_ = std::max(sync_done_, sync_target);
    }
    done_cv_.notify_all();
    batch.clear();
  }
}

void Controller::Process(std::vector<Detection>& batch) {
  const int64_t now = Now();
  std::map<std::string, std::vector<Decision>> decided;     // by tenant
  std::map<std::string, std::vector<Decision>> superseded;  // by tenant
  ResponseEngine::Outcome outcome;
  uint64_t created_incidents = 0;
  for (const Detection& d : batch) {
    if (!store::IsValidTenant(d.tenant)) {
      continue;
    }
    int64_t& watermark = event_watermark_[d.tenant];
    // A forged future time must not close every open incident of the tenant.
    watermark = std::max(watermark, std::min(d.event_time_ns, now + kMaxFutureNs));
    incident::Grouper::Change change = grouper_.Add(d);
    const incident::Incident& inc = *change.incident;
    if (change.created) {
      ++created_incidents;
      AuditEntry e;
      e.actor = "system";
      e.action = "incident.create";
      e.tenant = inc.tenant;
      e.object = "incident:" + inc.id;
      e.reason = d.rule_title;
      e.details_json = IncidentDetails(inc);
      options_.audit(e);
    }
    for (const std::string& absorbed : change.absorbed) {
      AuditEntry e;
      e.actor = "system";
      e.action = "incident.merge";
      e.tenant = inc.tenant;
      e.object = "incident:" + absorbed;
      e.related.push_back("incident:" + inc.id);
      e.reason = "shares an entity with incident " + inc.id;
      options_.audit(e);
    }
    outcome.created.clear();
    outcome.superseded.clear();
    engine_.OnDetection(d, inc, now, &outcome);
    for (Decision& s : outcome.superseded) {
      superseded[s.tenant].push_back(std::move(s));
    }
    for (Decision& c : outcome.created) {
      decided[c.tenant].push_back(std::move(c));
    }
  }
  // Incidents first (decisions point at them), then decisions, each audited once stored.
  std::map<std::string, std::vector<incident::Incident>> changed;
  for (incident::Incident& inc : grouper_.TakeChanged()) {
    changed[inc.tenant].push_back(std::move(inc));
  }
  uint64_t errors = 0;
  for (auto& [tenant, incidents] : changed) {
    incident::IncidentStore* store = Incidents(tenant);
    if (store == nullptr || !store->Upsert(incidents).ok()) {
      ++errors;
    }
  }
  // A stage that the next one replaces, unless an operator ended it meanwhile.
  for (auto& [tenant, decisions] : superseded) {
    DecisionStore* store = Decisions(tenant);
    for (const Decision& old : decisions) {
      auto done = store == nullptr ? Result<Decision>(IoError("no store"))
                                   : store->Modify(old.id, [&](Decision& d) -> Status {
                                       if (d.state != DecisionState::kActive &&
                                           d.state != DecisionState::kPending) {
                                         return InvalidArgument("no longer standing");
                                       }
                                       d.state = DecisionState::kSuperseded;
                                       d.decided_by = old.decided_by;
                                       return Status::Ok();
                                     });
      if (done.ok()) {
        options_.audit(DecisionAudit(*done, "decision.supersede", done->decided_by,
                                     "replaced by the next stage of policy " + done->policy_id));
        CountDecision(*done);
      } else if (done.status().code() != StatusCode::kInvalidArgument) {
        ++errors;
      }
    }
  }
  for (auto& [tenant, decisions] : decided) {
    DecisionStore* store = Decisions(tenant);
    Status st = store == nullptr ? IoError("no store") : store->Put(decisions);
    if (!st.ok()) {
      ++errors;
      std::fprintf(stderr, "rampart serve: storing %zu decision(s) of tenant %s failed: %s\n",
                   decisions.size(), tenant.c_str(), st.ToString().c_str());
      continue;  // not stored: not enforced either (nothing without a stored reason)
    }
    for (const Decision& d : decisions) {
      options_.audit(DecisionAudit(d, "decision.create", d.decided_by, d.reason));
      CountDecision(d);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  stats_.detections += batch.size();
  stats_.incidents_created += created_incidents;
  stats_.allowlisted += outcome.allowlisted;
  stats_.errors += errors;
}

void Controller::CountDecision(const Decision& d) {
  std::string key = std::string(ActionName(d.action)) + '\x1f' + std::to_string(d.stage + 1) +
                    '\x1f' + std::string(DecisionStateName(d.state)) +
                    (d.shadow ? "\x1fshadow" : "\x1f");
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.decisions[key];
}

void Controller::Tick(int64_t now_ns) {
  // Expiry and approval timeouts of the decisions this loop holds. Only the due part of the expiry
  // queue and the pending decisions are looked at, so a tick costs nothing with 100,000 decisions
  // standing. An entry stays until the decision leaves it (expired in the store, or its expiry
  // changed): a failed write is retried.
  std::map<std::string, std::vector<std::pair<Decision, Decision>>> changed;  // before, after
  for (auto it = expiries_.begin(); it != expiries_.end() && it->first <= now_ns;) {
    auto live = live_.find(it->second);
    if (live == live_.end() || live->second.state != DecisionState::kActive ||
        live->second.expires_ns != it->first) {
      auto queued = queued_expiry_.find(it->second);
      if (queued != queued_expiry_.end() && queued->second == it->first) {
        queued_expiry_.erase(queued);
      }
      it = expiries_.erase(it);  // stale: the decision changed since
      continue;
    }
    const Decision& d = live->second;
    Decision e = d;
    e.state = DecisionState::kExpired;
    e.decided_by = "system";
    changed[e.tenant].emplace_back(d, std::move(e));
    ++it;
  }
  for (const std::string& id : pending_) {
    auto live = live_.find(id);
    if (live == live_.end() || live->second.state != DecisionState::kPending) {
      continue;
    }
    const Decision& d = live->second;
    const Stage* stage = FindStage(*options_.policies, d);
    if (stage != nullptr && stage->approval_timeout_ns > 0 &&
        now_ns >= d.created_ns + stage->approval_timeout_ns) {
      Decision e = d;
      e.decided_by = "system policy:" + d.policy_id;
      if (stage->approve_on_timeout) {
        e.state = DecisionState::kActive;
        e.expires_ns = e.ttl_ns > 0 ? now_ns + e.ttl_ns : 0;
      } else {
        e.state = DecisionState::kRejected;
      }
      changed[e.tenant].emplace_back(d, std::move(e));
    }
  }
  for (auto& [tenant, changes] : changed) {
    DecisionStore* store = Decisions(tenant);
    // Only where nobody changed the decision meanwhile (an operator's extension wins).
    auto written = store == nullptr ? Result<std::vector<Decision>>(IoError("no store"))
                                    : store->PutIfUnchanged(changes);
    if (!written.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.errors;
      continue;
    }
    for (const Decision& d : *written) {
      if (d.state == DecisionState::kExpired) {
        options_.audit(DecisionAudit(d, "decision.expire", "system", "its TTL ran out"));
      } else {
        options_.audit(DecisionAudit(
            d, d.state == DecisionState::kActive ? "decision.approve" : "decision.reject",
            d.decided_by, "no operator decided within the approval timeout"));
      }
      CountDecision(d);
    }
  }
  // Every tenant's changes (this loop's, the API's and the CLI's).
  if (now_ns - last_scan_ns_ >= 1'000'000'000) {
    last_scan_ns_ = now_ns;
    // Incidents an analyst closed take no more detections; incidents whose window has
    // passed in event time leave memory (they stay in the store).
    const int64_t wall = WallNowNs();
    for (const auto& [tenant, store] : incident_stores_) {
      auto closed = store->ClosedSince(closed_checked_ns_ - 2'000'000'000);
      if (closed.ok()) {
        for (const std::string& id : *closed) {
          grouper_.Close(id);
        }
      }
      auto mark = event_watermark_.find(tenant);
      if (mark != event_watermark_.end()) {
        grouper_.Forget(tenant, mark->second);
      }
    }
    closed_checked_ns_ = wall;
    namespace fs = std::filesystem;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(options_.data_dir) / "tenants", ec)) {
      const std::string tenant = entry.path().filename().string();
      if (store::IsValidTenant(tenant) && decision_stores_.count(tenant) == 0 &&
          fs::exists(entry.path() / "control.db")) {
        (void)Decisions(tenant);
      }
    }
  }
  for (const auto& [tenant, store] : decision_stores_) {
    SyncTenant(tenant);
  }
  if (index_dirty_) {
    RebuildIndex();
  }
  if (now_ns % 60'000'000'000 < options_.tick_ns) {
    limiter_.Sweep(now_ns);
  }
}

void Controller::SyncTenant(const std::string& tenant) {
  DecisionStore* store = Decisions(tenant);
  if (store == nullptr) {
    return;
  }
  int64_t& cursor = cursors_[tenant];
  int64_t next = cursor;
  auto changed = store->ChangedSince(cursor, 10000, &next);
  if (!changed.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.errors;
    return;
  }
  cursor = next;
  const int64_t now = Now();
  for (Decision& d : *changed) {
    engine_.Update(d);
    auto applied = applied_.find(d.id);
    const bool was_applied = applied != applied_.end();
    const bool enforce = ShouldEnforce(d, now);
    const bool extended = was_applied && enforce && applied->second != d.expires_ns;
    if (enforce != was_applied || extended) {
      if (options_.enforce) {
        options_.enforce(enforce, d);
      }
      // The decision API (and bouncers pulling the stream) take it from the index now.
      if (IsLasting(d.action)) {
        AuditEntry e = DecisionAudit(
            d, enforce ? "enforce.apply" : "enforce.remove", "system connector:decision-api",
            enforce ? (extended ? "expiry extended" : "enforced")
                    : "no longer enforced: " + std::string(DecisionStateName(d.state)));
        e.details_json = "{\"connector\":\"decision-api\",\"outcome\":\"ok\"}";
        options_.audit(e);
      }
    }
    if (enforce) {
      applied_[d.id] = d.expires_ns;
    } else if (was_applied) {
      applied_.erase(applied);
    }
    Hold(std::move(d));
    index_dirty_ = true;
  }
}

void Controller::Hold(Decision d) {
  if (d.state != DecisionState::kPending && d.state != DecisionState::kActive) {
    pending_.erase(d.id);
    queued_expiry_.erase(d.id);
    live_.erase(d.id);
    return;
  }
  if (d.state == DecisionState::kPending) {
    pending_.insert(d.id);
  } else {
    pending_.erase(d.id);
    // One queue entry per decision and expiry (many decisions may share an expiry).
    auto queued = queued_expiry_.find(d.id);
    if (d.expires_ns != 0 && (queued == queued_expiry_.end() || queued->second != d.expires_ns)) {
      expiries_.emplace(d.expires_ns, d.id);
      queued_expiry_[d.id] = d.expires_ns;
    }
  }
  const std::string id = d.id;
  live_.insert_or_assign(id, std::move(d));
}

void Controller::RebuildIndex() {
  std::vector<Decision> decisions;
  decisions.reserve(live_.size());
  size_t pending = 0;
  size_t enforced = 0;
  const int64_t now = Now();
  for (const auto& [id, d] : live_) {
    decisions.push_back(d);
    pending += d.state == DecisionState::kPending ? 1 : 0;
    enforced += ShouldEnforce(d, now) ? 1 : 0;
  }
  auto index = DecisionIndex::Build(decisions);
  {
    std::lock_guard<std::mutex> lock(index_mu_);
    index_ = std::move(index);
    enforced_snapshot_.clear();
    for (Decision& d : decisions) {
      enforced_snapshot_.emplace(d.id, std::move(d));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  stats_.pending = pending;
  stats_.enforced = enforced;
  index_dirty_ = false;
}

Result<Decision> Controller::Act(const std::string& tenant,
                                 const std::string& id,
                                 OperatorAction action,
                                 const std::string& actor,
                                 int64_t extend_ns) {
  RAMPART_ASSIGN_OR_RETURN(std::unique_ptr<DecisionStore> store,
                           DecisionStore::Open(options_.data_dir, tenant));
  RAMPART_ASSIGN_OR_RETURN(Decision d,
                           ApplyOperatorAction(*store, id, action, actor, extend_ns, Now()));
  const std::string verb(OperatorActionName(action));
  options_.audit(DecisionAudit(d, "decision." + verb, actor, "operator " + verb));
  CountDecision(d);
  // Wait until the loop has taken it into the enforced set.
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t ticket = ++sync_requested_;
  cv_.notify_one();
  done_cv_.wait_for(lock, std::chrono::seconds(5), [&] { return sync_done_ >= ticket || stop_; });
  return d;
}

void Controller::OnConnectorResult(const std::string& tenant,
                                   const std::string& id,
                                   const ConnectorResult& result) {
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.connector_results[result.connector + '\x1f' + result.outcome];
  results_.emplace_back(tenant, id, result);
  cv_.notify_one();
}

ControllerStats Controller::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Controller::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = submitted_;
  const uint64_t ticket = ++sync_requested_;
  cv_.notify_one();
  done_cv_.wait(lock, [&] { return (processed_ >= target && sync_done_ >= ticket) || stop_; });
}

void Controller::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

}  // namespace rampart::respond
