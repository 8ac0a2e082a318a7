#pragma once
// Web detection in `rampart serve`: the `web:` configuration, the rule pack compiled per
// tenant setting, and one endpoint model per tenant kept in
// <data>/tenants/<tenant>/web_model.txt (loaded on the tenant's first request, saved every
// save_interval and at shutdown).
//
// The pipeline calls BeforeMask() with each batch before masking it (the rules see the request
// as logged); LiveDetector::OnBatch() takes the detections after the batch is stored.
//
// Threads: everything runs on the pipeline's writer thread, except Save() at shutdown, which
// runs after the pipeline stopped.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/detection.h"
#include "core/event.h"
#include "core/status.h"
#include "detect/detector/web_detector.h"
#include "detect/web/config.h"

namespace rampart::enrich {
class Masker;
}

namespace rampart::detect {

struct LiveWebReport {
  size_t rules = 0;  // active at the default paranoia level
  std::vector<std::string> problems;
};

class LiveWeb {
 public:
  // Loads and compiles the rule pack. Errors: configured rule paths that are missing, a
  // database Vectorscan cannot build. Refused rules are listed in the report.
  static Result<std::unique_ptr<LiveWeb>> Create(const web::WebConfig& config,
                                                 const std::string& data_dir,
                                                 LiveWebReport* report);
  ~LiveWeb();

  // Scans the unmasked batch; `masker` masks the evidence (the pipeline's).
  void BeforeMask(const EventBatch& batch, enrich::Masker& masker);
  // Moves the detections of event `index` of the stored (masked) batch into `out`.
  void Take(size_t index,
            const EventBatch& batch,
            const EventRef& ref,
            std::vector<Detection>* out);
  // Saves the models whose save interval passed (`force`: all of them). Errors are kept for
  // the next call's report and counted; a failed save never stops detection.
  Status SaveModels(bool force);

  uint64_t requests() const { return requests_; }
  uint64_t over_limits() const { return over_limits_; }

 private:
  struct Tenant;
  LiveWeb() = default;
  Tenant& TenantOf(std::string_view name, enrich::Masker& masker);

  web::WebConfig config_;
  std::string data_dir_;
  std::shared_ptr<const web::WebRuleSet> rules_;
  std::map<std::string, std::unique_ptr<Tenant>, std::less<>> tenants_;
  std::vector<Tenant*> in_batch_;  // tenants that scanned the current batch
  int64_t last_save_ns_ = 0;
  uint64_t requests_ = 0;
  uint64_t over_limits_ = 0;
};

}  // namespace rampart::detect
