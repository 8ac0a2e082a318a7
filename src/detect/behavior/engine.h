#pragma once
// The entity state engine: behaviour scenarios (scenario.h) evaluated per entity over event
// time. Two steps, so that the costly part runs in parallel and the stateful part in order:
//
//   CompiledScenarios::Observe(event)  any thread: filters, group keys, value hashes
//                                       -> Observation (a few dozen bytes per scenario hit)
//   Engine::Process(observation)        one thread, in input order: state update, verdict
//                                       -> Detection (kind "behavior")
//
// State per (tenant, scenario, group key) lives in a flat open-addressing table of
// fixed-size slots sized for what the scenario needs (a count ring, window counts,
// HyperLogLog distinct counters, a leaky bucket, a seasonal baseline, a Bloom filter of
// values seen, a sequence ring): no heap memory per entity, bounded by the scenario's
// max_entities with eviction of the idle first, then the least recently seen. Keys are
// 64-bit hashes of tenant and group values (pseudonymised values stay linkable, and the state
// holds no secret); the key text travels in the observation to the detection only.
//
// Time is event time in seconds. Snapshots (Save/Load) hold every slot, so a restart keeps
// baselines and windows.
//
// Threads: CompiledScenarios is immutable and shared; an Engine is used by one thread.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/arena.h"
#include "core/detection.h"
#include "core/event.h"
#include "core/field_dict.h"
#include "core/status.h"
#include "detect/behavior/scenario.h"
#include "query/match.h"

namespace rampart::detect::behavior {

// What one event means to one scenario. Strings are views into the caller's arena.
struct Observation {
  int64_t time_ns = 0;
  uint64_t sequence = 0;  // input order (ties in time)
  uint32_t scenario = 0;
  uint32_t weight = 1;    // a repeated syslog line counts its repeats
  uint32_t ref = 0;       // the caller's handle on the event (where the detection points)
  uint8_t flags = 0;      // kRatioMatch | kSequenceFirst | kSequenceThen
  uint64_t key_hash = 0;  // tenant and group values
  std::string_view key;   // group values joined by '\x1f'
  std::string_view tenant;
  std::string_view dataset;
  uint64_t distinct[2] = {0, 0};  // value hashes of the distinct fields (0: absent)
  uint64_t seen_hash = 0;         // first_seen: the value's hash (0: absent)
  std::string_view seen_value;
  std::string_view top[2];  // report fields' values
};
inline constexpr uint8_t kRatioMatch = 1;
inline constexpr uint8_t kSequenceFirst = 2;
inline constexpr uint8_t kSequenceThen = 4;

class CompiledScenarios {
 public:
  // Errors: a filter that does not compile (the reader checked them already).
  static Result<std::shared_ptr<const CompiledScenarios>> Compile(
      std::shared_ptr<const ScenarioSet> set);

  // Appends one Observation per scenario the event matches. Its strings are copied into
  // `arena`, which must outlive the observations' processing.
  void Observe(const EventBatch& batch,
               const Event& event,
               uint64_t sequence,
               uint32_t ref,
               Arena& arena,
               std::vector<Observation>* out) const;

  const ScenarioSet& set() const { return *set_; }
  size_t size() const { return compiled_.size(); }
  const Scenario& scenario(size_t i) const { return set_->scenarios[i]; }

 private:
  struct Compiled {
    query::EventFilter filter;
    std::vector<FieldId> group;
    FieldId distinct[2] = {0, 0};
    int distinct_count = 0;
    query::EventFilter ratio;
    query::EventFilter first, then;  // sequence
    FieldId seen = 0;
    bool has_seen = false;
    FieldId top[2] = {0, 0};
    int top_count = 0;
    uint64_t required = 0;  // bits (field_bit_) of the fields every matching event has
  };
  // Bit of each field some scenario's filter requires (0xFF: none), by FieldId: one pass over
  // an event's fields tells which scenarios it cannot match.
  std::vector<uint8_t> field_bit_;
  std::shared_ptr<const ScenarioSet> set_;
  std::vector<Compiled> compiled_;
  FieldId repeat_field_ = 0;
  FieldId future_field_ = 0;
};

// What the engine knows about one entity in one scenario (`rampart entities show`).
struct EntityView {
  std::string scenario;
  std::string group_by;  // "source.ip"
  int64_t last_seen_ns = 0;
  int64_t first_seen_ns = 0;
  uint64_t window_events = 0;                            // in the current window (estimate)
  std::vector<std::pair<std::string, double>> distinct;  // field, estimate
  double ratio = -1;
  double baseline_mean = -1, baseline_stddev = 0;
  uint64_t bucket_events = 0;
  int64_t last_detection_ns = 0;
};

// [{"scenario","group_by","first_seen","last_seen","window_events","distinct":{field: n},
//   "ratio","baseline":{"mean","stddev","bucket_events"},"last_detection"}, ...]: what
// `rampart entities show` and GET /v1/entities/show print. Absent parts are left out.
void AppendEntityViewsJson(std::string& out, const std::vector<EntityView>& views);

struct EngineStats {
  uint64_t observations = 0;
  uint64_t detections = 0;
  uint64_t evicted = 0;
  size_t entities = 0;      // slots in use over all scenarios
  size_t memory_bytes = 0;  // tables and report sketches
};

class Engine {
 public:
  explicit Engine(std::shared_ptr<const CompiledScenarios> scenarios);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Updates the state of the observation's entity and appends a Detection when the scenario
  // fires (its `event` is left to the caller, who knows where observation.ref points).
  void Process(const Observation& o, std::vector<Detection>* out);

  // Every scenario's state of the entity whose group values are `key` ('\x1f'-joined) in
  // `tenant`, for the scenarios grouped by exactly `fields`.
  std::vector<EntityView> Describe(std::string_view tenant,
                                   const std::vector<std::string>& fields,
                                   std::string_view key) const;

  EngineStats stats() const;

  // The whole state in one file (written to a temporary file, synced, then renamed), with
  // `extra` bytes of the caller's (where the state stands in the input) kept beside it. Load
  // replaces the state and returns the extra bytes; tables of scenarios that changed since
  // (or are gone) start empty. Errors: unreadable, truncated or corrupt files (checked by a
  // checksum); the state is unchanged then.
  Status Save(const std::string& path, std::string_view extra = {}) const;
  Status Load(const std::string& path, std::string* extra = nullptr);

 private:
  struct Table;
  // Each tenant has its own tables (one tenant's entities never evict another's) and its own
  // watermark: the newest event time it has seen, by which its idle entities are judged.
  struct Tenant {
    std::string name;
    uint32_t watermark = 0;
    std::vector<std::unique_ptr<Table>> tables;  // by scenario, made on first use
  };
  Table& TableFor(Tenant& tenant, uint32_t scenario);
  Tenant& TenantFor(std::string_view name);
  std::unique_ptr<Table> MakeTable(uint32_t scenario) const;

  std::shared_ptr<const CompiledScenarios> scenarios_;
  std::vector<std::unique_ptr<Tenant>> tenants_;
  std::map<std::string, size_t, std::less<>> tenant_index_;
  size_t last_tenant_ = 0;  // the tenant of the previous observation (usually the next's)
  uint64_t observations_ = 0;
  uint64_t detections_ = 0;
};

}  // namespace rampart::detect::behavior
