#pragma once
// The detectors together: per event, the Sigma matcher, the IOC lists, and the hits the
// correlation engine needs; turns all of them into Detection records. `rampart hunt` runs one
// EventScanner per worker thread; `rampart serve` one in its writer thread.
//
// Threads: an EventScanner is used by one thread. The CompiledRules, the correlate::Engine
// (only its const lookups are used here) and IocViews may be shared.

#include <cstdint>
#include <memory>
#include <string>
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

// Adds the entity keys of `event` (source.ip, user.name, API key, token, session...) to `d`.
// Call on the masked event: secrets arrive pseudonymised, as stored.
void AddEntities(const EventBatch& batch, const Event& event, Detection* d);

// Sigma level -> Severity (unset = medium).
Severity SeverityOf(sigma::RuleLevel level);

// Sigma rules loaded, compiled and their correlations planned: what hunt and serve start
// from. `problems` has one line per refused or uncompiled rule ("file:line: refused
// (reason): message").
struct LoadedRules {
  std::shared_ptr<const sigma::RuleSet> rules;  // never null (empty without paths)
  std::shared_ptr<const sigma::CompiledRules> compiled;
  std::unique_ptr<correlate::Engine> correlations;  // null without correlation rules
  size_t refused = 0;
  size_t not_compiled = 0;
  size_t by_convention = 0;
  std::vector<std::string> problems;
};
// `placeholders_path` (empty: none) holds the values of |expand placeholders
// (sigma::LoadPlaceholders); with it, a rule that uses a placeholder it does not define is
// refused. Errors: paths that cannot be listed, an unreadable or invalid mapping or
// placeholder file, a correlation the engine cannot plan. Rules that fail individually are
// counted and listed, not errors.
Result<LoadedRules> LoadDetectionRules(const std::vector<std::string>& paths,
                                       const std::string& logsources_path,
                                       const std::string& placeholders_path = "");

}  // namespace rampart::detect
