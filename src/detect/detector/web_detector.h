#pragma once
// Web detection inside a batch's life: the rule pack (and the endpoint model, when one is
// given) must see the request as logged, before masking, yet what leaves must be masked and
// name the request's identity as stored (pseudonyms). So a batch meets this class twice:
//
//   ScanUnmasked(batch)      before the Masker: scan, keep detections with masked evidence
//   Take(i, masked batch...) after the Masker: add entities from the masked event i
//
// Threads: one WebBatchDetector per thread (it owns a WebScanner). The compiled rules are
// shared; the model, when given, must be used by this thread only.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/detection.h"
#include "core/event.h"
#include "detect/web/model.h"
#include "detect/web/web.h"

namespace rampart::enrich {
class Masker;
}

namespace rampart::detect {

struct WebDetectorStats {
  uint64_t requests = 0;     // events that carried an HTTP request
  uint64_t detections = 0;   // web detections made
  uint64_t over_limits = 0;  // requests not seen whole (reported, never skipped)
  uint64_t model_findings = 0;
};

class WebBatchDetector {
 public:
  // The endpoint model of a tenant, or null (no model for it).
  using ModelFor = std::function<web::EndpointModel*(std::string_view tenant)>;

  // `masker` masks evidence (null: evidence stays as found, for unmasked hunts). `models` may
  // be empty (no endpoint model).
  WebBatchDetector(std::shared_ptr<const web::CompiledWebRules> rules,
                   enrich::Masker* masker,
                   ModelFor models);

  // Scans events [begin, end) of the unmasked batch; call Clear() before a new batch.
  void ScanUnmasked(const EventBatch& batch, size_t begin, size_t end);
  // Moves the detections of event `index` into `out`, with `ref` and the entities of the
  // masked event.
  void Take(size_t index,
            const EventBatch& masked,
            const EventRef& ref,
            std::vector<Detection>* out);
  // Forgets what was not taken (a batch that was not stored).
  void Clear() { pending_.clear(); }
  bool has_pending() const { return !pending_.empty(); }

  const WebDetectorStats& stats() const { return stats_; }

 private:
  web::WebScanner scanner_;
  enrich::Masker* masker_;
  ModelFor models_;
  std::vector<web::ModelFinding> findings_;
  std::vector<std::pair<size_t, Detection>> pending_;  // by event index, ascending
  WebDetectorStats stats_;
};

}  // namespace rampart::detect
