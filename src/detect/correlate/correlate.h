#pragma once
// Sigma v2 correlation engine. Consumes the matches of the detection rules that correlation
// rules reference (RuleHit) and reports correlation rules that fire (CorrelationHit). The
// semantics follow the Sigma correlation specification and the executable tests of
// pySigma-backend-sqlite; docs/correlation.md is the user-facing description. In short:
//
//   - Window: sliding and inclusive, [t - timespan, t], t being the time of the newest hit
//     of the window. Each hit evaluates the window that ends at it.
//   - Types: event_count (distinct physical events), value_count (distinct non-empty values
//     of condition.field, case-insensitive), temporal (distinct referenced rules seen),
//     temporal_ordered (longest run of referenced rules matched in the listed order with
//     strictly increasing time), value_sum / value_avg / value_percentile / value_median
//     (numeric values of condition.field; other values are ignored; no numeric value = no
//     metric = no firing; percentiles interpolate linearly at rank (n - 1) * p). Every
//     threshold of the rule must hold (ranges are AND-ed).
//   - Groups: per tenant and group-by values (aliases resolved per referenced rule),
//     compared case-insensitively; a hit with an absent or empty group-by value never
//     correlates. The first spelling seen is the one reported.
//   - Firing: when a group's condition becomes true the engine reports one hit and clears
//     the group's window (every hit up to and including the completing one), so a
//     continuing attack fires again only once the threshold is met anew. Hits at or before
//     the completing one that arrive later are ignored (stats().late_hits).
//   - Chains: a correlation may reference another correlation; the inner one's firings feed
//     the outer one as hits whose group values are the inner group values (matched by name
//     or alias) and whose condition.field value is the inner group value of that name or,
//     when there is none, the inner metric. Only standalone correlations are reported.
//
// Input order: hits should come in non-decreasing time order. A hit older than the newest
// hit of its group is inserted in order (per group, hits are kept sorted by time, then
// sequence) and the windows it belongs to are evaluated again, as long as it is not older
// than the group's newest hit by more than the timespan (then it is dropped and counted in
// stats().late_hits).
//
// Errors: Create fails (kInvalidArgument, with the correlation's title and id in the
// message) on a correlation the loader accepted but the engine cannot run. Add never fails:
// bad input (time <= 0, missing group-by values, very late hits) is counted in Stats.
//
// Threads: an Engine is not thread-safe; use one per stream of hits (one serve pipeline, one
// hunt run). The RuleSet is shared and must stay immutable; the Engine keeps it alive.
//
// Cost: a hit in time order costs O(1) per correlation that uses its rule (temporal_ordered:
// O(n²) in the number of referenced rules; value_percentile / value_median: O(log n) in the
// window's values), whatever the window holds; an out-of-order hit
// rebuilds its group's window once (O(hits in the window)). A firing costs O(its window).
//
// Determinism: the same sequence of Add/Expire calls gives the same output.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/detection.h"
#include "core/status.h"
#include "detect/sigma/sigma.h"

namespace rampart::correlate {

// One match of a detection rule that at least one correlation references.
struct RuleHit {
  uint32_t rule_index = 0;  // into RuleSet::rules
  int64_t time_ns = 0;      // event time (UTC ns); <= 0 means invalid time: never correlates
  // Unique per physical event, increasing in input order; the same event matching two
  // referenced rules has the same sequence (it then counts once).
  uint64_t sequence = 0;
  std::string tenant;  // groups never mix tenants
  std::string dataset;
  // Values of the fields FieldsFor(rule_index) lists, same order; nullopt = field absent or
  // empty (an empty string is treated the same). Missing trailing entries count as nullopt.
  std::vector<std::optional<std::string>> values;
  EventRef event;
  // How many occurrences the event stands for: a syslog "message repeated N times" line is
  // N events for event_count (event.repeat_count).
  uint32_t repeat = 1;
};

struct CorrelationHit {
  uint32_t correlation_index = 0;  // into RuleSet::correlations
  int64_t time_ns = 0;             // time of the event that completed it
  std::string tenant;
  // group-by field (the alias name when aliased) -> value, in group-by order; the first
  // spelling seen in the group.
  std::vector<std::pair<std::string, std::string>> group;
  // event_count: distinct events; value_count: distinct values; temporal: distinct rules;
  // temporal_ordered: length of the ordered run; value_sum / value_avg / value_percentile /
  // value_median: sum / mean / percentile / median.
  double metric = 0;
  // Contributing events, oldest first, at most Options::max_evidence_events (the newest
  // ones when there are more). temporal_ordered: the events of the ordered run. Chains: the
  // evidence of the inner correlations' firings plus the outer's own rule hits.
  std::vector<EventRef> events;
  std::vector<std::string> datasets;  // distinct datasets of all contributing events, sorted
};

struct Options {
  size_t max_groups = 100000;  // over all correlations; beyond: evict least recently updated
  size_t max_events_per_group = 10000;  // beyond: drop the oldest hit of the group
  size_t max_evidence_events = 32;
};

class Engine {
 public:
  // Plans the correlations of `rules`. Fails on a correlation the engine cannot run: a
  // value_count ... value_median without exactly one condition.field, a chained
  // correlation that does not group by a field the outer one groups by, a reference out of
  // range or a reference cycle.
  static Result<std::unique_ptr<Engine>> Create(std::shared_ptr<const sigma::RuleSet> rules,
                                                const Options& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Whether some correlation uses this detection rule (directly).
  bool IsReferenced(uint32_t rule_index) const;
  // Sigma field names this rule's hits must carry in RuleHit::values: the group-by fields of
  // every correlation using the rule, after resolving aliases for this rule, plus their
  // condition.field, without repeats, in a fixed order. Empty when not referenced (or when
  // its correlations need no field).
  const std::vector<std::string>& FieldsFor(uint32_t rule_index) const;

  // Feeds one hit. Appends to `out` the hits of standalone correlations that fire (possibly
  // several: chains, several correlations over the same rule); chained inner correlations
  // feed the outer ones internally. Hits of unreferenced rules are ignored.
  void Add(const RuleHit& hit, std::vector<CorrelationHit>* out);

  // Drops state no window can use once no hit older than `watermark_ns` is expected: groups
  // whose newest hit is older than watermark - timespan, and hits older than that in the
  // other groups.
  void Expire(int64_t watermark_ns);
  // The same for one tenant's groups only: each tenant's event time is its own, so one
  // tenant's clock (or a forged timestamp) never expires another tenant's windows.
  void Expire(std::string_view tenant, int64_t watermark_ns);

  struct Stats {
    size_t groups = 0;          // groups held now
    size_t evicted_groups = 0;  // removed because of max_groups
    size_t dropped_events = 0;  // removed because of max_events_per_group
    size_t invalid_time = 0;    // hits with time <= 0
    size_t null_group = 0;      // (hit, correlation) pairs with an absent group-by value
    size_t late_hits = 0;       // (hit, correlation) pairs ignored as too late (see above)
    size_t fired = 0;           // correlation firings, standalone or chained
  };
  Stats stats() const;

 private:
  struct Impl;
  void ExpireTenant(int64_t watermark_ns, std::optional<std::string_view> tenant);
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart::correlate
