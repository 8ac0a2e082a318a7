#pragma once
// Behaviour detection in `rampart serve`: the scenarios of the `behavior:` configuration over
// every stored batch, in arrival order, with the entity state snapshotted to
// <data>/behavior/state.bin every snapshot_interval and at shutdown.
//
// A restart, even after kill -9, continues as if uninterrupted: the snapshot records the last
// stored row it covers in each day file, and Restore() replays the stored events after those
// rows into the restored state. Detections that replay finds and the store does not hold yet
// (a crash between storing events and their detections) are stored with the next batch.
//
// The pipeline also calls Classify() on each parsed event, so that requests to a tenant's web
// login endpoints are stored as authentication events (detect/behavior/login.h).
//
// Threads: OnBatch, Restore and Snapshot run on the pipeline's writer thread (Snapshot also at
// shutdown, after the pipeline stopped); Classify on the pipeline's thread; Describe from any
// thread (the state is guarded).

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/detection.h"
#include "core/event.h"
#include "core/status.h"
#include "detect/behavior/config.h"
#include "detect/behavior/engine.h"

namespace rampart::detect {

struct LiveBehaviorReport {
  size_t scenarios = 0;
  std::vector<std::string> problems;  // refused scenarios
  bool restored = false;              // a snapshot was loaded
  std::string restore_note;           // a snapshot set aside as unusable, day files not replayed
  uint64_t replayed = 0;              // stored events replayed into the restored state
  uint64_t recovered = 0;             // detections replay found that the store lacked
};

class LiveBehavior {
 public:
  // Loads the scenarios. Errors: configured scenario paths that are missing, a login filter
  // that does not compile.
  static Result<std::unique_ptr<LiveBehavior>> Create(const behavior::BehaviorConfig& config,
                                                      const std::string& data_dir,
                                                      LiveBehaviorReport* report);

  // Loads the snapshot (if any) and replays the stored events it does not cover. A missing
  // snapshot starts empty (and one is written at once, covering the events stored so far); an
  // unreadable one is reported and set aside, never fatal.
  Status Restore(LiveBehaviorReport* report);

  void Classify(EventBatch& batch) const;

  // Runs the stored batch through the engine; appends detections (with their event refs) and
  // any recovered by Restore().
  void OnBatch(const EventBatch& batch,
               const std::vector<EventRef>& refs,
               std::vector<Detection>* out);

  // Writes the snapshot when the interval passed since the last one (`force`: now).
  Status Snapshot(bool force);

  // What the engine knows about an entity (`field` the group-by field, e.g. source.ip).
  std::vector<behavior::EntityView> Describe(std::string_view tenant,
                                             const std::string& field,
                                             std::string_view value) const;
  behavior::EngineStats stats() const;
  size_t scenarios() const { return scenarios_->size(); }

 private:
  LiveBehavior() = default;
  void Observe(const EventBatch& batch,
               size_t index,
               const EventRef& ref,
               std::vector<Detection>* out);
  std::string Positions() const;
  Status StartNew();

  std::shared_ptr<const behavior::CompiledScenarios> scenarios_;
  std::unique_ptr<behavior::Engine> engine_;  // guarded by mu_
  mutable std::mutex mu_;
  std::shared_ptr<const behavior::LoginClassifier> default_logins_;
  std::map<std::string, std::shared_ptr<const behavior::LoginClassifier>, std::less<>> logins_;
  std::string data_dir_;
  std::string snapshot_path_;
  int64_t interval_ns_ = 0;
  int64_t last_snapshot_ns_ = 0;
  std::map<std::string, int64_t> positions_;  // day file (relative) -> last row observed
  std::vector<Detection> recovered_;          // found by replay, not yet stored
  std::vector<behavior::Observation> observations_;
  Arena arena_;
  uint64_t sequence_ = 0;
};

}  // namespace rampart::detect
