#include "detect/detector/live.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>
#include <utility>

#include "core/clock.h"
#include "detect/sigma/sigma.h"

namespace rampart::detect {

Result<std::unique_ptr<LiveDetector>> LiveDetector::Create(const LiveOptions& options,
                                                           LiveLoadReport* report) {
  std::unique_ptr<LiveDetector> d(new LiveDetector());
  LiveLoadReport local;
  LiveLoadReport& r = report != nullptr ? *report : local;
  RAMPART_ASSIGN_OR_RETURN(
      LoadedRules loaded,
      LoadDetectionRules(options.rule_paths, options.logsources_path, options.placeholders_path));
  d->rules_ = loaded.compiled;
  d->correlations_ = std::move(loaded.correlations);
  r.rules = loaded.rules->rules.size();
  r.correlations = loaded.rules->correlations.size();
  r.refused = loaded.refused;
  r.not_compiled = loaded.not_compiled;
  r.problems = std::move(loaded.problems);
  if (!options.ioc_dir.empty()) {
    d->iocs_ = std::make_unique<ioc::IocStore>(ioc::IocStore::Options{options.ioc_dir, {}});
    ioc::LoadReport ioc_report;
    RAMPART_RETURN_IF_ERROR(d->iocs_->Reload(&ioc_report));
    r.indicators = ioc_report.indicators();
    for (const ioc::FileReport& f : ioc_report.files) {
      for (const ioc::Rejection& x : f.rejections) {
        r.problems.push_back(x.file + ":" + std::to_string(x.line) + ": " + x.reason);
      }
    }
  }
  d->scanner_ = std::make_unique<EventScanner>(d->rules_, d->correlations_.get());
  d->max_future_skew_ns_ = options.max_future_skew_ns;
  return d;
}

void LiveDetector::BeforeMask(const EventBatch& batch, enrich::Masker& masker) {
  if (web_) {
    web_->BeforeMask(batch, masker);
  }
}

Status LiveDetector::Shutdown() {
  Status web = web_ ? web_->SaveModels(true) : Status::Ok();
  Status behavior = behavior_ ? behavior_->Snapshot(true) : Status::Ok();
  return web.ok() ? behavior : web;
}

Status LiveDetector::OnBatch(const EventBatch& batch,
                             const std::vector<EventRef>& refs,
                             store::EventWriter& writer) {
  found_.clear();
  correlation_hits_.clear();
  if (behavior_) {
    // Before this batch: the snapshot then covers only batches whose detections are stored.
    Status saved = behavior_->Snapshot(false);
    if (!saved.ok() && saved.message() != behavior_save_error_) {
      behavior_save_error_ = std::string(saved.message());
      std::fprintf(stderr, "rampart serve: behaviour snapshot: %s\n", behavior_save_error_.c_str());
    }
  }
  // One IOC snapshot per tenant per batch (a batch usually has one tenant).
  std::map<std::string_view, ioc::IocView> views;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Event& event = batch[i];
    const ioc::IocView* view = nullptr;
    if (iocs_) {
      auto it = views.find(event.tenant);
      if (it == views.end()) {
        it = views.emplace(event.tenant, iocs_->ForTenant(event.tenant)).first;
      }
      view = &it->second;
    }
    const EventRef& ref = i < refs.size() ? refs[i] : EventRef{};
    scanner_->Scan(batch, event, ++sequence_, ref, view, &found_, &correlation_hits_);
    if (web_) {
      web_->Take(i, batch, ref, &found_);
    }
  }
  if (behavior_) {
    behavior_->OnBatch(batch, refs, &found_);
  }
  if (web_) {
    // A failed save keeps the model in memory and is retried at the next interval.
    Status saved = web_->SaveModels(false);
    if (!saved.ok() && saved.message() != web_save_error_) {
      web_save_error_ = std::string(saved.message());
      std::fprintf(stderr, "rampart serve: saving web models: %s\n", web_save_error_.c_str());
    }
  }
  if (correlations_ && !correlation_hits_.empty()) {
    // Within a batch, event time order; across batches, arrival order (the engine places
    // moderately late hits correctly, docs/correlation.md).
    std::stable_sort(correlation_hits_.begin(), correlation_hits_.end(),
                     [](const correlate::RuleHit& a, const correlate::RuleHit& b) {
                       return std::tie(a.time_ns, a.sequence) < std::tie(b.time_ns, b.sequence);
                     });
    // Each tenant's watermark follows its own event time, clamped to receive time plus
    // the allowed skew, so neither another tenant nor a forged date moves it.
    const int64_t ceiling = WallNowNs() + max_future_skew_ns_;
    for (const correlate::RuleHit& hit : correlation_hits_) {
      fired_.clear();
      correlations_->Add(hit, &fired_);
      for (const correlate::CorrelationHit& c : fired_) {
        found_.push_back(CorrelationDetection(rules_->rules(), c));
      }
      auto it = watermarks_.find(hit.tenant);
      if (it == watermarks_.end()) {
        it = watermarks_.emplace(hit.tenant, Watermark{}).first;
      }
      it->second.event_ns = std::max(it->second.event_ns, std::min(hit.time_ns, ceiling));
    }
    // Keep a day of slack for late events; correlation windows are rarely longer. Expiring
    // walks the groups, so a tenant's are walked once its time has moved a minute.
    constexpr int64_t kSlackNs = int64_t{86400} * 1'000'000'000;
    constexpr int64_t kExpireStepNs = int64_t{60} * 1'000'000'000;
    for (auto& [tenant, w] : watermarks_) {
      if (w.event_ns > kSlackNs && w.event_ns - w.expired_ns >= kExpireStepNs) {
        correlations_->Expire(tenant, w.event_ns - kSlackNs);
        w.expired_ns = w.event_ns;
      }
    }
  }
  if (found_.empty()) {
    return Status::Ok();
  }
  RAMPART_RETURN_IF_ERROR(writer.WriteDetections(found_));
  detections_ += found_.size();
  if (sink_) {
    sink_(found_);
  }
  std::lock_guard<std::mutex> lock(counts_mu_);
  for (const Detection& d : found_) {
    ++counts_[std::make_tuple(d.tenant, d.kind, d.level)];
  }
  return Status::Ok();
}

std::vector<LiveDetector::Count> LiveDetector::Counts() const {
  std::lock_guard<std::mutex> lock(counts_mu_);
  std::vector<Count> out;
  out.reserve(counts_.size());
  for (const auto& [key, n] : counts_) {
    out.push_back(Count{std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
  }
  return out;
}

Status LiveDetector::ReloadIocs(ioc::LoadReport* report) {
  if (!iocs_) {
    return InvalidArgument("no IOC directory configured (detection.ioc)");
  }
  return iocs_->Reload(report);
}

}  // namespace rampart::detect
