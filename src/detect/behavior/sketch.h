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

// A distinct counter in 49 bytes: exact for the first 12 values (their 32-bit fingerprints are
// kept), then HyperLogLog with 64 registers of 6 bits (about 13 % standard error, exact-ish
// below a hundred by linear counting). Thresholds that matter at small counts (three
// countries, ten accounts) are so judged exactly; users per address or addresses per
// endpoint in the thousands are estimated.
class DistinctCounter {
 public:
  static constexpr int kRegisters = 64;
  static constexpr int kExact = 12;  // fingerprints kept before switching to registers

  void Add(std::string_view value);
  void AddHash(uint64_t hash);
  // The number of distinct values added (exact up to kExact, then estimated).
  double Estimate() const;
  // `other` merged in (the union of both sets).
  void Merge(const DistinctCounter& other);
  // The count of the union of `a` and `b`, without building it when both are exact.
  static double EstimateUnion(const DistinctCounter& a, const DistinctCounter& b);
  void Clear() {
    packed_.fill(0);
    exact_ = 0;
  }

 private:
  static constexpr uint8_t kDense = 0xFF;
  uint32_t Fingerprint(int i) const;
  void SetFingerprint(int i, uint32_t fp);
  void AddToRegisters(uint32_t fp);
  void Densify();
  int Get(int i) const;
  void Set(int i, int v);
  // Exact mode: kExact fingerprints; dense mode: 64 packed 6-bit registers.
  std::array<uint8_t, kRegisters * 6 / 8> packed_{};
  uint8_t exact_ = 0;  // fingerprints held, or kDense
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

// An exponentially weighted mean and variance of a rate per hour of the day (24 slots), scaled
// by a day-of-week factor, so that Tuesday 10:00 is compared with past mornings and a quiet
// Sunday with past Sundays. Cold start: an hour slot with less than an hour of observations
// falls back to the entity's overall mean. About 300 bytes, no heap: kept for entities whose
// own rhythm matters (API keys, hosts, endpoints, a tenant as a whole).
class SeasonalBaseline {
 public:
  static constexpr int kHours = 24;

  // One observation of the rate `value` (events per bucket) for the bucket starting at `t`
  // (seconds, UTC). `per_hour` is the number of buckets in an hour (60 for 1-minute buckets):
  // it sets how fast the baseline adapts (hour slots: about a week of memory; days of the
  // week: about four weeks).
  void Observe(int64_t t, double value, double per_hour);
  struct Expectation {
    double mean = 0;
    double stddev = 0;
    uint32_t observations = 0;  // behind the slot used (0: no baseline yet)
    bool seasonal = false;      // the hour-of-day slot, not the overall mean
    double day_factor = 1;      // the day-of-week scaling applied
  };
  Expectation Expected(int64_t t, double per_hour) const;
  // How unusual `value` is at `t`: (value - mean) / max(stddev, sqrt(mean), 1).
  double ZScore(int64_t t, double value, double per_hour) const;

  static int HourOf(int64_t t);
  static int DayOf(int64_t t);  // 0 = Monday

 private:
  std::array<float, kHours> mean_{};
  std::array<float, kHours> var_{};
  std::array<uint16_t, kHours> n_{};
  std::array<float, 7> day_mean_{};
  std::array<uint16_t, 7> day_n_{};
  float all_mean_ = 0;
  float all_var_ = 0;
  uint32_t all_n_ = 0;
};

// 64-bit hash of a string (for DistinctCounter::AddHash and entity keys); `seed` chains
// hashes of several strings. Stable across runs and machines (snapshots keep hashes).
uint64_t Hash64(std::string_view s, uint64_t seed = 0);

}  // namespace rampart::detect::behavior
