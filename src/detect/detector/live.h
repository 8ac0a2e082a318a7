#pragma once
// Live detection for `rampart serve`: after each stored batch, every event is matched
// against the Sigma rules and the tenant's IOC lists, correlation rules advance with event
// time, and the detections are stored next to their events (same day file, referencing the
// event row).
//
// Threads: OnBatch runs on the pipeline's writer thread only. ReloadIocs may be called
// from any thread (the signal thread on SIGHUP); readers keep the lists they took.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "core/detection.h"
#include "core/event.h"
#include "core/status.h"
#include "detect/correlate/correlate.h"
#include "detect/detector/detector.h"
#include "detect/detector/live_behavior.h"
#include "detect/detector/live_web.h"
#include "detect/ioc/ioc.h"
#include "detect/sigma/engine.h"
#include "store/store.h"

namespace rampart::detect {

struct LiveOptions {
  std::vector<std::string> rule_paths;  // missing paths are errors
  // A tenant's event-time watermark never passes receive time plus this: a forged future
  // timestamp cannot expire correlation windows (ingest.h flags such events).
  int64_t max_future_skew_ns = 300 * 1'000'000'000LL;
  std::string logsources_path;    // empty: built-in mapping
  std::string placeholders_path;  // |expand placeholder values; empty: none
  std::string ioc_dir;            // empty: no IOC lists
};

struct LiveLoadReport {
  size_t rules = 0;
  size_t correlations = 0;
  size_t refused = 0;
  size_t not_compiled = 0;
  size_t indicators = 0;
  std::vector<std::string> problems;  // one line per refused/uncompiled rule or list problem
};

class LiveDetector {
 public:
  static Result<std::unique_ptr<LiveDetector>> Create(const LiveOptions& options,
                                                      LiveLoadReport* report);

  // Matches the events of a stored batch and stores the detections.
  Status OnBatch(const EventBatch& batch,
                 const std::vector<EventRef>& refs,
                 store::EventWriter& writer);

  // Where stored detections go next (the control loop); set before the first batch. It is
  // called on the writer thread with each batch's detections once they are stored, and must
  // not block.
  void SetDetectionSink(std::function<void(const std::vector<Detection>&)> sink) {
    sink_ = std::move(sink);
  }

  // Web detection (null: none). Before each batch is masked the pipeline calls BeforeMask;
  // OnBatch then stores the web detections with the others.
  void SetWeb(std::unique_ptr<LiveWeb> web) { web_ = std::move(web); }
  void BeforeMask(const EventBatch& batch, enrich::Masker& masker);
  // Behaviour detection (null: none). Call behavior()->Restore() before the first batch.
  void SetBehavior(std::unique_ptr<LiveBehavior> behavior) { behavior_ = std::move(behavior); }
  LiveBehavior* behavior() { return behavior_.get(); }
  // Saves state that outlives the process (the endpoint models, the behaviour snapshot).
  // Call after the pipeline stopped.
  Status Shutdown();
  const LiveWeb* web() const { return web_.get(); }

  // Re-reads the IOC directory; on error the previous lists stay.
  Status ReloadIocs(ioc::LoadReport* report);

  uint64_t detections() const { return detections_.load(); }

  // Stored detections so far by tenant, kind and level (for /metrics). Thread-safe.
  struct Count {
    std::string tenant;
    DetectionKind kind;
    Severity level;
    uint64_t count;
  };
  std::vector<Count> Counts() const;

 private:
  LiveDetector() = default;

  std::shared_ptr<const sigma::CompiledRules> rules_;
  std::unique_ptr<correlate::Engine> correlations_;
  std::unique_ptr<ioc::IocStore> iocs_;
  std::unique_ptr<EventScanner> scanner_;
  std::unique_ptr<LiveWeb> web_;
  std::string web_save_error_;  // the last model save error, reported once
  std::unique_ptr<LiveBehavior> behavior_;
  std::string behavior_save_error_;
  uint64_t sequence_ = 0;
  int64_t max_future_skew_ns_ = 0;
  struct Watermark {
    int64_t event_ns = 0;    // newest hit time seen, clamped to receive time + skew
    int64_t expired_ns = 0;  // event_ns when the tenant's windows were last expired
  };
  std::map<std::string, Watermark, std::less<>> watermarks_;  // per tenant
  std::atomic<uint64_t> detections_{0};
  mutable std::mutex counts_mu_;
  std::map<std::tuple<std::string, DetectionKind, Severity>, uint64_t> counts_;  // guarded
  std::function<void(const std::vector<Detection>&)> sink_;
  std::vector<Detection> found_;
  std::vector<correlate::RuleHit> correlation_hits_;
  std::vector<correlate::CorrelationHit> fired_;
};

}  // namespace rampart::detect
