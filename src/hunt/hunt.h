#pragma once
// Offline hunting: Sigma rules, correlations and IOC lists over log files, without a server
// or a store. The reader (the calling thread) cuts the input into chunks of lines; worker
// threads parse and match them; at the end the correlation engine runs over the matches in
// event-time order and every detection is sorted into one timeline.
//
// Determinism: every record gets a sequence number from its position in the input (chunk
// number and line), and the timeline is sorted by (event time, sequence, rule order), so the
// output does not depend on the thread count or on scheduling.
//
// Memory: the number of chunks in flight is bounded by HuntOptions::max_memory_mb; the
// detections and correlation inputs are kept until the end (capped by max_detections; more
// are counted, not printed).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/detection.h"
#include "core/status.h"
#include "detect/behavior/login.h"
#include "detect/web/model.h"
#include "detect/web/web.h"
#include "enrich/geo.h"
#include "parse/parse.h"

namespace rampart::hunt {

struct HuntOptions {
  std::vector<std::string> rule_paths;  // Sigma rule files/directories
  std::string logsources_path;          // empty: the built-in mapping
  std::string placeholders_path;        // |expand placeholder values; empty: none
  std::string ioc_dir;                  // IOC store directory (global + tenants/); optional
  std::vector<std::string> ioc_files;   // single IOC list files; optional
  parse::Format format = parse::Format::kAuto;
  std::optional<parse::JsonMapping> json_mapping;
  std::string tenant = "default";
  int threads = 0;              // 0: all cores
  size_t max_memory_mb = 1024;  // bounds the chunks in flight
  size_t max_detections = 1000000;
  bool progress = false;  // progress bar on stderr
  // Mask events before matching, as `rampart ingest` does before storing, so detections
  // (evidence, output) carry no secrets. The policy is the built-in one unless
  // masking_policy is set; pseudonyms use key_dir's secret.key (the store's data dir, so
  // they equal the stored ones) or, when empty, a key made for this run only.
  bool mask = false;
  std::string masking_policy;
  std::string key_dir;
  // Web detection (rules/web/, docs/web_rules.md): the rule pack's files/directories; empty:
  // no web detection. Matching sees the unmasked request; with `mask` the evidence is masked.
  std::vector<std::string> web_rule_paths;
  detect::web::WebSettings web;
  // The endpoint model file: loaded when it exists, learnt on and detected with in input
  // order (one worker thread), saved back at the end. Empty: no model.
  std::string web_model_path;
  detect::web::ModelSettings web_model;
  // Behaviour scenarios (rules/behavior/, docs/behavior.md): files/directories; empty: no
  // behaviour detection. Their state follows event time in input order (chunk by chunk, so
  // any thread count gives the same detections).
  std::vector<std::string> behavior_paths;
  // Web login endpoints: requests to them become authentication events (login.h).
  std::vector<detect::behavior::LoginEndpoint> logins = detect::behavior::DefaultLoginEndpoints();
  // Country of each event's source.ip (source.geo.*), as `serve` adds it at ingest.
  enrich::GeoOptions geo;
};

struct RuleCount {
  DetectionKind kind = DetectionKind::kSigma;
  std::string rule_id;
  std::string title;
  Severity level = Severity::kMedium;
  uint64_t count = 0;
};

struct HuntSummary {
  size_t files = 0;
  std::vector<std::string> skipped_files;  // "path: reason"
  uint64_t records = 0;
  uint64_t events = 0;
  uint64_t unparsed = 0;  // records no parser accepted
  std::map<std::string, uint64_t> unparsed_reasons;
  std::vector<std::string> unparsed_samples;  // the first few: file, offset, reason
  uint64_t rule_matches = 0;                  // including non-standalone rules
  uint64_t detections = 0;                    // all, including those not kept
  size_t web_rules = 0;                       // web rules active at the paranoia level
  uint64_t web_requests = 0;                  // events that carried an HTTP request
  uint64_t web_over_limits = 0;               // requests not seen whole (reported)
  size_t web_model_endpoints = 0;             // endpoints in the model after the hunt
  size_t web_model_bytes = 0;                 // the model's own heap bytes (counted)
  uint64_t web_model_findings = 0;
  size_t behavior_scenarios = 0;
  uint64_t behavior_observations = 0;  // (event, scenario) pairs the engine processed
  size_t behavior_entities = 0;        // entity states held at the end
  size_t behavior_bytes = 0;           // their memory
  uint64_t behavior_evicted = 0;
  uint64_t dropped_detections = 0;  // beyond max_detections
  size_t rules_loaded = 0;
  size_t rules_refused = 0;
  size_t rules_not_compiled = 0;
  size_t rules_by_convention = 0;
  size_t correlations = 0;
  size_t indicators = 0;
  std::vector<std::string> problems;  // refusals and compile issues, one line each
  std::vector<RuleCount> by_rule;     // sorted by count, descending
  std::map<Severity, uint64_t> by_level;
  int threads = 0;
  double seconds = 0;
};

// Runs the hunt over `inputs` (files, directories, "-"). Calls `emit` for each detection in
// timeline order after the input is read. Errors: rules that cannot be read at all, bad
// options, unreadable inputs (missing paths).
Result<HuntSummary> Hunt(const HuntOptions& options,
                         const std::vector<std::string>& inputs,
                         const std::function<void(const Detection&)>& emit);

}  // namespace rampart::hunt
