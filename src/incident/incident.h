#pragma once
// Incidents: detections of every kind grouped per tenant and entity (address, account,
// host, API key, token, session) within a window of event time, ordered along the ATT&CK
// kill chain, scored (docs/incidents.md) and carried through an analyst's workflow.
//
//   Grouper        detections -> incidents, in event time only (replays are identical)
//   IncidentStore  <data>/tenants/<tenant>/control.db, beside the tenant's day files
//
// Threads: a Grouper is used by one thread. IncidentStore connections are per thread;
// the store file may be written by `rampart serve` and the CLI at once (SQLite WAL, busy
// timeout): the grouper writes only the detection columns, the workflow only its own.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/detection.h"
#include "core/status.h"

namespace rampart::incident {

enum class IncidentStatus : uint8_t { kNew, kAcknowledged, kContained, kResolved, kFalsePositive };
std::string_view StatusName(IncidentStatus s);  // "new", "acknowledged", "contained", ...
std::optional<IncidentStatus> ParseStatus(std::string_view name);
// Whether an analyst may move an incident from `from` to `to` (the same status is allowed:
// re-applying changes nothing). Resolved and false_positive incidents may be reopened (new).
bool IsAllowedTransition(IncidentStatus from, IncidentStatus to);
// Closed incidents take no more detections; a later detection of the entity opens a new one.
inline bool IsClosed(IncidentStatus s) {
  return s == IncidentStatus::kResolved || s == IncidentStatus::kFalsePositive;
}

// The ATT&CK enterprise tactics in kill-chain order; unknown tactics sort last.
int TacticOrder(std::string_view tactic);

struct Note {
  int64_t time_ns = 0;  // wall clock
  std::string actor;
  std::string text;
};

struct Incident {
  std::string id;  // "inc-" + 16 hex digits, from tenant, first entity, first detection
  std::string tenant;
  std::string title;  // the highest-level detection's title
  std::vector<Entity> entities;
  int64_t first_seen_ns = 0;  // event time
  int64_t last_seen_ns = 0;
  Severity max_level = Severity::kInformational;
  uint64_t detection_count = 0;
  double risk = 0;                   // at last_seen (docs/incidents.md); RiskAt() applies the decay
  std::vector<std::string> tactics;  // kill-chain order
  std::vector<std::string> techniques;
  // The timeline: its detections in event time order, each linking to its stored event;
  // at most kMaxTimeline (the first ones; detection_count counts all).
  std::vector<Detection> timeline;
  // Per rule: how many detections and the level/kind (the risk score's inputs).
  struct RuleCount {
    std::string rule_id;
    DetectionKind kind = DetectionKind::kSigma;
    Severity level = Severity::kMedium;
    uint64_t count = 0;
  };
  std::vector<RuleCount> rules;
  double criticality = 1.0;  // the highest asset criticality among its entities
  std::string merged_into;   // set when another incident absorbed this one
  // Workflow (analyst-owned; the grouper never writes these).
  IncidentStatus status = IncidentStatus::kNew;
  std::string assignee;
  std::vector<Note> notes;
  int64_t updated_ns = 0;  // wall clock of the last workflow change
};

inline constexpr size_t kMaxTimeline = 500;

// Asset criticality: entity ("host:web-01", "user:admin") or address range ("ip:10.0.0.0/8")
// -> multiplier (default 1.0).
struct AssetCriticality {
  std::string match;  // "<type>:<value>"; for ip a CIDR prefix is allowed
  double criticality = 1.0;
};

struct GroupingOptions {
  int64_t gap_ns = int64_t{30} * 60 * 1'000'000'000;         // a quieter entity starts anew
  int64_t max_span_ns = int64_t{24} * 3600 * 1'000'000'000;  // an incident spans at most this
  int64_t risk_half_life_ns = int64_t{24} * 3600 * 1'000'000'000;
  std::vector<AssetCriticality> assets;
};

// The risk score of an incident at its last detection (0..100); docs/incidents.md.
double RiskScore(const Incident& incident);
// The risk decayed from last_seen to `now_ns` with the configured half life.
double RiskAt(const Incident& incident, int64_t now_ns, int64_t half_life_ns);
double Criticality(const std::vector<AssetCriticality>& assets,
                   const std::vector<Entity>& entities);

// Groups detections into incidents by shared entity within gap/max span of event time.
// Detections without an entity form one incident per tenant and rule.
class Grouper {
 public:
  explicit Grouper(GroupingOptions options) : options_(std::move(options)) {}

  // Incidents that still take detections (open, within the window), e.g. from the store
  // after a restart.
  void Seed(std::vector<Incident> open);

  struct Change {
    const Incident* incident = nullptr;  // valid until the next Add
    bool created = false;
    std::vector<std::string> absorbed;  // ids merged into `incident`
  };
  // Adds one detection; returns the incident it joined.
  Change Add(const Detection& d);

  // The incidents changed since the last call (to store them), and forgets incidents whose
  // window has passed `watermark_ns` (event time).
  std::vector<Incident> TakeChanged();
  void Forget(const std::string& tenant, int64_t watermark_ns);
  // Marks an incident closed by the workflow so that it takes no more detections.
  void Close(const std::string& id);
  const Incident* Find(const std::string& id) const;
  size_t open_count() const { return incidents_.size(); }

 private:
  Incident* Create(const Detection& d);
  void Join(Incident& inc, const Detection& d);
  void Absorb(Incident& into, Incident& from);
  std::string KeyOf(const std::string& tenant, const Entity& e) const;

  GroupingOptions options_;
  std::map<std::string, Incident> incidents_;     // open incidents by id
  std::map<std::string, std::string> by_entity_;  // tenant\x1ftype\x1fvalue -> id
  std::map<std::string, Incident> absorbed_;      // merged away, to be stored once
  std::vector<std::string> changed_;
};

// Per-tenant incident storage in control.db.
class IncidentStore {
 public:
  // Opens (creating) <data_dir>/tenants/<tenant>/control.db.
  static Result<std::unique_ptr<IncidentStore>> Open(const std::string& data_dir,
                                                     const std::string& tenant);
  ~IncidentStore();

  // Writes the grouper's columns of each incident (inserting new ones); never the workflow.
  Status Upsert(const std::vector<Incident>& incidents);

  struct ListFilter {
    std::optional<IncidentStatus> status;
    bool open_only = false;  // not resolved / false_positive
    size_t limit = 100;
  };
  Result<std::vector<Incident>> List(const ListFilter& filter);
  Result<std::optional<Incident>> Get(const std::string& id);
  // Incidents that may still take detections (open, last seen after `since_ns`).
  Result<std::vector<Incident>> OpenSince(int64_t since_ns);

  // Workflow. Each returns the incident as it was before (for the audit record) and fails
  // with NotFound, or InvalidArgument for a transition that is not allowed.
  Result<Incident> SetStatus(const std::string& id, IncidentStatus to, const std::string& actor);
  Result<Incident> Assign(const std::string& id,
                          const std::string& assignee,
                          const std::string& actor);
  Result<Incident> AddNote(const std::string& id,
                           const std::string& text,
                           const std::string& actor);

  // Ids of incidents resolved or marked false positive at or after `since_ns` (wall clock):
  // the server stops adding detections to them.
  Result<std::vector<std::string>> ClosedSince(int64_t since_ns);

  // Changes made by any connection (another process included) bump this.
  int64_t DataVersion();

 private:
  struct Impl;
  explicit IncidentStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// JSON of an incident (the API and `incidents show --json`); RiskAt with now_ns as "risk_now".
std::string IncidentToJson(const Incident& incident, int64_t now_ns, int64_t half_life_ns);

}  // namespace rampart::incident
