// Incremental window metrics; see internal/window.h.

#include "detect/correlate/internal/window.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace rampart::correlate::internal {

using sigma::CorrelationType;

WindowState::WindowState(CorrelationType type, size_t rule_count, int percentile)
    : type_(type),
      rule_count_(rule_count),
      fraction_(type == CorrelationType::kValuePercentile ? percentile / 100.0 : 0.5) {
  if (type_ == CorrelationType::kTemporal) {
    per_rule_.assign(rule_count_, 0);
  }
  if (type_ == CorrelationType::kTemporalOrdered) {
    committed_.resize(rule_count_ * rule_count_);
    pending_.resize(rule_count_ * rule_count_);
  }
}

void WindowState::Reset() {
  events_ = 0;
  values_.clear();
  sum_ = 0;
  numbers_ = 0;
  lower_.clear();
  upper_.clear();
  std::fill(per_rule_.begin(), per_rule_.end(), 0);
  rules_seen_ = 0;
  for (Run& r : committed_) {
    r.set = false;
    r.keys.clear();
  }
  for (Run& r : pending_) {
    r.set = false;
    r.keys.clear();
  }
  has_step_ = false;
}

void WindowState::Add(const std::deque<Entry>& entries, size_t k) {
  const Entry& e = entries[k];
  switch (type_) {
    case CorrelationType::kEventCount:
      if (FirstOfEvent(entries, k)) {
        events_ += e.repeat;
      }
      break;
    case CorrelationType::kValueCount:
      if (e.value) {
        ++values_[*e.value];
      }
      break;
    case CorrelationType::kValueSum:
    case CorrelationType::kValueAvg:
      // One physical event counts once: the value of its first entry.
      if (FirstOfEvent(entries, k) && e.number) {
        sum_ += *e.number;
        ++numbers_;
      }
      break;
    case CorrelationType::kValuePercentile:
    case CorrelationType::kValueMedian:
      if (FirstOfEvent(entries, k) && e.number) {
        const double v = *e.number;
        (lower_.empty() || v <= *lower_.rbegin() ? lower_ : upper_).insert(v);
        ++numbers_;
        Rebalance();
      }
      break;
    case CorrelationType::kTemporal:
      if (per_rule_[e.key.position]++ == 0) {
        ++rules_seen_;
      }
      break;
    case CorrelationType::kTemporalOrdered: {
      if (has_step_ && e.key.time_ns != step_ns_) {
        CommitStep();
      }
      has_step_ = true;
      step_ns_ = e.key.time_ns;
      const size_t n = rule_count_;
      const size_t p = e.key.position;
      // A later start wins, and among equal starts the later hit: the tightest run.
      auto offer = [&](size_t slot, std::vector<EntryKey>&& keys) {
        Run& r = pending_[slot];
        if (!r.set || keys.front() >= r.keys.front()) {
          r.set = true;
          r.keys = std::move(keys);
        }
      };
      offer(p * n, {e.key});
      for (size_t length = 1; length < n; ++length) {
        const Run* best = nullptr;
        for (size_t q = 0; q < p; ++q) {
          const Run& r = committed_[q * n + length - 1];
          if (r.set && (best == nullptr || r.keys.front() > best->keys.front())) {
            best = &r;
          }
        }
        if (best == nullptr) {
          break;  // no run of this length before p, so none longer either
        }
        std::vector<EntryKey> keys;
        keys.reserve(length + 1);
        keys = best->keys;
        keys.push_back(e.key);
        offer(p * n + length, std::move(keys));
      }
      break;
    }
  }
}

void WindowState::Remove(const std::deque<Entry>& entries, size_t k) {
  const Entry& e = entries[k];
  switch (type_) {
    case CorrelationType::kEventCount:
      if (FirstOfEvent(entries, k)) {
        events_ -= e.repeat;
      }
      break;
    case CorrelationType::kValueCount:
      if (e.value) {
        auto it = values_.find(*e.value);
        if (it != values_.end() && --it->second == 0) {
          values_.erase(it);
        }
      }
      break;
    case CorrelationType::kValueSum:
    case CorrelationType::kValueAvg:
      if (FirstOfEvent(entries, k) && e.number) {
        sum_ -= *e.number;
        if (--numbers_ == 0) {
          sum_ = 0;  // no rounding residue survives an empty window
        }
      }
      break;
    case CorrelationType::kValuePercentile:
    case CorrelationType::kValueMedian:
      if (FirstOfEvent(entries, k) && e.number) {
        // Equal values are interchangeable: any copy may go. A value up to lower_'s largest
        // is in lower_ (upper_ holds nothing smaller than that).
        const double v = *e.number;
        std::multiset<double>& from = !lower_.empty() && v <= *lower_.rbegin() ? lower_ : upper_;
        auto it = from.find(v);
        if (it != from.end()) {
          from.erase(it);
          --numbers_;
          Rebalance();
        }
      }
      break;
    case CorrelationType::kTemporal:
      if (--per_rule_[e.key.position] == 0) {
        --rules_seen_;
      }
      break;
    case CorrelationType::kTemporalOrdered:
      // Runs are kept with their first hit; Metric ignores those that start before the
      // window.
      break;
  }
}

void WindowState::Rebalance() {
  const size_t n = lower_.size() + upper_.size();
  const size_t target =
      n == 0 ? 0 : static_cast<size_t>(std::floor(static_cast<double>(n - 1) * fraction_)) + 1;
  while (lower_.size() > target) {
    auto last = std::prev(lower_.end());
    upper_.insert(*last);
    lower_.erase(last);
  }
  while (lower_.size() < target && !upper_.empty()) {
    lower_.insert(*upper_.begin());
    upper_.erase(upper_.begin());
  }
}

void WindowState::CommitStep() {
  for (size_t i = 0; i < pending_.size(); ++i) {
    Run& p = pending_[i];
    if (!p.set) {
      continue;
    }
    Run& c = committed_[i];
    if (!c.set || p.keys.front() >= c.keys.front()) {
      c.set = true;
      c.keys = std::move(p.keys);
    }
    p.set = false;
    p.keys.clear();
  }
}

const WindowState::Run* WindowState::Best(size_t p, size_t length, const EntryKey& front) const {
  const size_t slot = p * rule_count_ + length - 1;
  const Run* best = nullptr;
  for (const Run* r : {&committed_[slot], &pending_[slot]}) {
    if (r->set && r->keys.front() >= front &&
        (best == nullptr || r->keys.front() > best->keys.front())) {
      best = r;
    }
  }
  return best;
}

std::optional<double> WindowState::Metric(const EntryKey& front) const {
  switch (type_) {
    case CorrelationType::kEventCount:
      return static_cast<double>(events_);
    case CorrelationType::kValueCount:
      return static_cast<double>(values_.size());
    case CorrelationType::kValueSum:
    case CorrelationType::kValueAvg: {
      if (numbers_ == 0) {
        return std::nullopt;
      }
      double v = type_ == CorrelationType::kValueSum ? sum_ : sum_ / static_cast<double>(numbers_);
      if (!std::isfinite(v)) {
        return std::nullopt;
      }
      return v;
    }
    case CorrelationType::kValuePercentile:
    case CorrelationType::kValueMedian: {
      if (lower_.empty()) {
        return std::nullopt;
      }
      // Linear interpolation between the values at ranks floor(pos) and floor(pos) + 1,
      // pos = (n - 1) * p: numpy's default, and pySigma's SQLite backend.
      const size_t n = lower_.size() + upper_.size();
      const double pos = static_cast<double>(n - 1) * fraction_;
      const double frac = pos - std::floor(pos);
      double v = *lower_.rbegin();
      if (frac > 0 && !upper_.empty()) {
        v = v * (1 - frac) + *upper_.begin() * frac;
      }
      if (!std::isfinite(v)) {
        return std::nullopt;
      }
      return v;
    }
    case CorrelationType::kTemporal:
      return static_cast<double>(rules_seen_);
    case CorrelationType::kTemporalOrdered: {
      const Run* r = Longest(front);
      return static_cast<double>(r == nullptr ? 0 : r->keys.size());
    }
  }
  return std::nullopt;
}

const WindowState::Run* WindowState::Longest(const EntryKey& front) const {
  for (size_t length = rule_count_; length >= 1; --length) {
    const Run* best = nullptr;
    for (size_t p = 0; p < rule_count_; ++p) {
      const Run* r = Best(p, length, front);
      if (r != nullptr && (best == nullptr || r->keys.front() > best->keys.front())) {
        best = r;
      }
    }
    if (best != nullptr) {
      return best;
    }
  }
  return nullptr;
}

std::vector<EntryKey> WindowState::BestRun(const EntryKey& front) const {
  const Run* r = Longest(front);
  return r == nullptr ? std::vector<EntryKey>{} : r->keys;
}

}  // namespace rampart::correlate::internal
