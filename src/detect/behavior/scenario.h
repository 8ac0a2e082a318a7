#pragma once
// Behaviour scenarios: what to count, per which entity, and when that is an attack. Read
// from YAML (rules/behavior/*.yml, format in docs/behavior.md), strictly: every refused
// scenario is one "file:line: reason" problem and the others load.
//
//   scenarios:
//     - id: ssh-bruteforce-ip
//       title: SSH brute force from one address
//       severity: high
//       techniques: [T1110.001]
//       filter: 'event.category:authentication AND event.outcome:failure'  # query language
//       group_by: [source.ip]        # any fields; none: one global group per tenant
//       window: 10m
//       count: 5                     # conditions: all given ones must hold
//
// Conditions: count, distinct (up to two fields), ratio, and at most one of leaky_bucket,
// baseline, first_seen and sequence. `top` names up to two fields whose heaviest values a
// detection reports (DDoS: sources and endpoints).
//
// Threads: plain values.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/detection.h"
#include "core/status.h"

namespace rampart::detect::behavior {

struct Scenario {
  std::string id;
  std::string title;
  std::string description;
  std::string file;
  uint32_t line = 0;
  Severity level = Severity::kMedium;
  std::vector<std::string> tactics;
  std::vector<std::string> techniques;
  std::string filter;  // query-language search; empty: every event
  std::vector<std::string> group_by;
  int64_t window_ns = 0;
  int64_t cooldown_ns = 0;                // default: the window
  size_t max_entities = size_t{1} << 20;  // 1,048,576

  // Conditions.
  uint64_t count = 0;  // events (a repeated syslog line counts its repeats) in the window
  struct Distinct {
    std::string field;
    uint64_t min = 0;
  };
  std::vector<Distinct> distinct;
  struct Ratio {
    std::string match;  // which of the scenario's events count (query language)
    double min = -1;    // share of matching events at least this (-1: no lower bound)
    double max = -1;    // at most this (-1: no upper bound)
    uint64_t min_events = 10;
  };
  std::optional<Ratio> ratio;
  struct LeakyBucket {
    uint32_t capacity = 0;  // overflows past this many events
    int64_t leak_ns = 0;    // one event leaks out per leak_ns
  };
  std::optional<LeakyBucket> leaky_bucket;
  struct Baseline {
    int64_t bucket_ns = 60'000'000'000;     // the rate is events per bucket
    double min_z = 4;                       // standard deviations above the seasonal mean
    double min_ratio = 3;                   // and at least this many times the mean
    uint64_t min_count = 20;                // and at least this many events in the bucket
    int64_t learn_ns = 86'400'000'000'000;  // no verdict before the entity has this history
  };
  std::optional<Baseline> baseline;
  struct FirstSeen {
    std::string field;
    bool path_template = false;  // compare URL paths by template (/items/{num}), not as sent
    int64_t learn_ns = 86'400'000'000'000;  // values seen in the entity's first day are normal
  };
  std::optional<FirstSeen> first_seen;
  struct Sequence {
    std::string first;   // e.g. a failed login (query language)
    uint32_t count = 0;  // this many `first` events within the window...
    std::string then;    // ...followed by one `then` event (a success)
  };
  std::optional<Sequence> sequence;
  std::vector<std::string> top;  // report fields (at most two)
};

struct ScenarioSet {
  std::vector<Scenario> scenarios;
  std::vector<std::string> files;
};

// Parses one file's text. Good scenarios are appended to `out`; each bad one adds a problem.
void ParseScenarios(std::string_view text,
                    const std::string& file,
                    ScenarioSet* out,
                    std::vector<std::string>* problems);

// Loads files and directories (*.yml, *.yaml, recursively). Errors: a path that cannot be
// read or listed. Bad scenarios and duplicate ids are `problems`.
Result<std::shared_ptr<const ScenarioSet>> LoadScenarios(const std::vector<std::string>& paths,
                                                         std::vector<std::string>* problems);

}  // namespace rampart::detect::behavior
