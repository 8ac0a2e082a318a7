#pragma once
// Private to the correlate stage: the hits a group holds and the incremental metric of its
// sliding window.
//
// A group's hits (Entry) are kept sorted by EntryKey. The window is a range
// [start, end) of them; WindowState holds the metric of that range and is updated as hits
// are added at `end` and removed at `start`, so a group fed in time order costs O(1)
// (temporal_ordered: O(n²) in the number of referenced rules) per hit, whatever the
// window size. Out-of-order hits make the caller rebuild the state from the entries.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/detection.h"
#include "detect/sigma/sigma.h"

namespace rampart::correlate::internal {

// One contributing event, as reported in CorrelationHit::events.
struct EvidenceItem {
  int64_t time_ns = 0;
  uint64_t sequence = 0;
  EventRef event;
  std::string dataset;
};

// What a firing passes on to the correlations that chain it.
struct Evidence {
  std::vector<EvidenceItem> events;   // oldest first, bounded
  std::vector<std::string> datasets;  // of all contributing events: sorted, distinct
};

// The order of a group's hits: time, then physical event, then referenced-rule position.
struct EntryKey {
  int64_t time_ns = 0;
  uint64_t sequence = 0;
  uint32_t position = 0;

  friend bool operator==(const EntryKey&, const EntryKey&) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const EntryKey&, const EntryKey&) = default;
};

// One hit held in a group.
struct Entry {
  EntryKey key;
  std::optional<std::string> value;  // value_count: the lower-cased value
  std::optional<double> number;      // value_sum ... value_median: the finite numeric value
  // Rule hits: their own event. Chained hits: the inner firing's evidence.
  EventRef event;
  std::string dataset;
  std::shared_ptr<const Evidence> chained;
  uint32_t repeat = 1;  // occurrences the event stands for (event_count)
};

// Whether entries[k] is the first (lowest position) entry of its physical event. The
// entries of one event share time and sequence, so they are adjacent.
inline bool FirstOfEvent(const std::deque<Entry>& entries, size_t k) {
  return k == 0 || entries[k - 1].key.sequence != entries[k].key.sequence ||
         entries[k - 1].key.time_ns != entries[k].key.time_ns;
}

// The metric of a window of one correlation type.
class WindowState {
 public:
  // `percentile`: value_percentile's condition.percentile (0..100); value_median uses 50.
  WindowState(sigma::CorrelationType type, size_t rule_count, int percentile = 50);

  // Forgets everything: an empty window.
  void Reset();
  // entries[k] enters at the end of the window; entries enter in EntryKey order.
  void Add(const std::deque<Entry>& entries, size_t k);
  // entries[k], the first of the window, leaves it (entries are not moved meanwhile).
  void Remove(const std::deque<Entry>& entries, size_t k);
  // The metric of the window whose first entry has key `front`; nullopt when it has none
  // (value_sum ... value_median without a numeric value).
  std::optional<double> Metric(const EntryKey& front) const;
  // temporal_ordered: the keys of the longest ordered run starting at or after `front`.
  std::vector<EntryKey> BestRun(const EntryKey& front) const;

 private:
  // temporal_ordered: the run of length L ending with rule p whose first hit is latest.
  struct Run {
    bool set = false;
    std::vector<EntryKey> keys;  // oldest first; keys.front() is the start
  };
  void CommitStep();
  // value_percentile / value_median: moves values between lower_ and upper_ until lower_
  // holds the values up to the percentile's rank (see Metric).
  void Rebalance();
  // The run of `length` ending with rule p that starts latest, at or after `front`.
  const Run* Best(size_t p, size_t length, const EntryKey& front) const;
  // The longest run starting at or after `front` (the latest-starting one among them).
  const Run* Longest(const EntryKey& front) const;

  sigma::CorrelationType type_;
  size_t rule_count_;
  size_t events_ = 0;                               // event_count
  std::unordered_map<std::string, size_t> values_;  // value_count: value -> entries
  double sum_ = 0;                                  // value_sum / value_avg
  size_t numbers_ = 0;                              //
  // value_percentile / value_median: the window's numbers split at the percentile's rank:
  // lower_ holds the floor((n - 1) * p) + 1 smallest, upper_ the rest.
  double fraction_ = 0.5;  // p = percentile / 100
  std::multiset<double> lower_;
  std::multiset<double> upper_;
  std::vector<size_t> per_rule_;  // temporal: entries per position
  size_t rules_seen_ = 0;         //
  // temporal_ordered, index p * rule_count + (L - 1): runs of hits before the current time
  // step (committed) and of the current step (pending). Hits with equal time extend only
  // committed runs, so ties never order.
  std::vector<Run> committed_;
  std::vector<Run> pending_;
  bool has_step_ = false;
  int64_t step_ns_ = 0;
};

}  // namespace rampart::correlate::internal
