#pragma once
// Small, fixed-size summaries of an entity's behaviour, the building blocks of the entity state
// engine (issue 16): a distinct counter, a sliding-window counter and a seasonal baseline.
// Each is a value type of a few dozen bytes with no heap memory, so a million tracked entities
// fit in a few hundred megabytes and a snapshot is a copy of their bytes.
//
// Time is event time in seconds (int64); nothing here reads a clock.
//
// Threads: plain values; one owner at a time.

#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace rampart::detect::behavior {

// HyperLogLog with 64 registers of 6 bits (48 bytes): distinct counts (users per IP,
// endpoints per API key) with about 13 % standard error, exact below 16 by linear counting.
class DistinctCounter {
 public:
  static constexpr int kRegisters = 64;

  void Add(std::string_view value);
  void AddHash(uint64_t hash);
  // The estimated number of distinct values added.
  double Estimate() const;
  // Registers of `other` merged in (the union of both sets).
  void Merge(const DistinctCounter& other);
  void Clear() { packed_.fill(0); }

 private:
  int Get(int i) const;
  void Set(int i, int v);
  std::array<uint8_t, kRegisters * 6 / 8> packed_{};
};

// Events per time bucket over a sliding window of kBuckets buckets (bucket width chosen per
// use: 10 s buckets make a 10-minute window). Counts saturate at 65,535 per bucket.
class WindowCounter {
 public:
  static constexpr int kBuckets = 60;

  explicit WindowCounter(int64_t bucket_seconds = 10) : bucket_seconds_(bucket_seconds) {}

  // Adds `n` occurrences at event time `t` (seconds). Times older than the window are
  // ignored; a time ahead of the newest moves the window.
  void Add(int64_t t, uint32_t n = 1);
  // Occurrences in the `seconds` (at most the window) ending at `now` (seconds).
  uint64_t Sum(int64_t now, int64_t seconds) const;
  int64_t window_seconds() const { return bucket_seconds_ * kBuckets; }

 private:
  void Advance(int64_t bucket);
  int64_t bucket_seconds_;
  int64_t head_ = INT64_MIN;  // the newest bucket number held
  std::array<uint16_t, kBuckets> counts_{};
};

// An exponentially weighted mean and variance of a rate, kept per hour of the week (168
// slots) so that a Tuesday 10:00 is compared with past Tuesdays 10:00, with a cold start: a
// slot with too few observations falls back to the entity's overall mean. About 2 KB: kept
// for entities whose own past matters (API keys, hosts, endpoints), not for every address.
class SeasonalBaseline {
 public:
  static constexpr int kSlots = 24 * 7;

  // One observation of the rate `value` for the hour of the week of `t` (seconds, UTC).
  void Observe(int64_t t, double value);
  struct Expectation {
    double mean = 0;
    double stddev = 0;
    uint32_t observations = 0;  // behind the slot used (0: no baseline yet)
    bool seasonal = false;      // the hour-of-week slot, not the overall mean
  };
  Expectation Expected(int64_t t) const;
  // How unusual `value` is at `t`: (value - mean) / max(stddev, floor).
  double ZScore(int64_t t, double value) const;

  static int SlotOf(int64_t t);

 private:
  struct Moments {
    float mean = 0;
    float var = 0;
    uint16_t n = 0;
  };
  static void Update(Moments& m, double value, double alpha);
  std::array<Moments, kSlots> slots_{};
  Moments overall_;
};

// 64-bit hash of a string (for DistinctCounter::AddHash and entity keys).
uint64_t Hash64(std::string_view s);

}  // namespace rampart::detect::behavior
