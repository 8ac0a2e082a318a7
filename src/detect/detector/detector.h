#pragma once
// The detectors together: per event, the Sigma matcher, the IOC lists, and the hits the
// correlation engine needs; turns all of them into Detection records. `rampart hunt` runs one
// EventScanner per worker thread; `rampart serve` one in its writer thread.
//
// Threads: an EventScanner is used by one thread. The CompiledRules, the correlate::Engine
// (only its const lookups are used here) and IocViews may be shared.

#include <cstdint>
#include <memory>
#include <vector>

#include "core/detection.h"
#include "core/event.h"
#include "detect/correlate/correlate.h"
#include "detect/ioc/ioc.h"
#include "detect/sigma/engine.h"

namespace rampart::detect {

class EventScanner {
 public:
  // `correlations` may be null (no correlation rules).
  EventScanner(std::shared_ptr<const sigma::CompiledRules> rules,
               const correlate::Engine* correlations);

  // Matches one event. Appends a Detection for every standalone Sigma rule it matches and
  // every IOC it contains (`iocs` may be null), and a correlate::RuleHit for every match of
  // a rule some correlation uses. `ref` locates the event; `sequence` orders it (unique,
  // increasing in input order).
  void Scan(const EventBatch& batch,
            const Event& event,
            uint64_t sequence,
            const EventRef& ref,
            const ioc::IocView* iocs,
            std::vector<Detection>* detections,
            std::vector<correlate::RuleHit>* correlation_hits);

  uint64_t rule_matches() const { return rule_matches_; }

 private:
  std::shared_ptr<const sigma::CompiledRules> rules_;
  const correlate::Engine* correlations_;
  sigma::Matcher matcher_;
  std::vector<sigma::RuleHit> hits_;
  std::vector<ioc::IocHit> ioc_hits_;
  uint64_t rule_matches_ = 0;
};

// The detection record of a correlation firing: the correlation's metadata, the group-by
// values as evidence (plus the metric), the contributing events as `related`.
Detection CorrelationDetection(const sigma::RuleSet& rules, const correlate::CorrelationHit& hit);

// Sigma level -> Severity (unset = medium).
Severity SeverityOf(sigma::RuleLevel level);

}  // namespace rampart::detect
