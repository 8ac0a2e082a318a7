#include "detect/behavior/sketch.h"

#include <algorithm>
#include <bit>

namespace rampart::detect::behavior {

uint64_t Hash64(std::string_view s) {
  // FNV-1a, then a 64-bit finaliser (splitmix) so that every bit depends on every byte:
  // HyperLogLog reads the top bits and the leading zeros of the rest.
  uint64_t h = 1469598103934665603ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

// ---- DistinctCounter ------------------------------------------------------------------

int DistinctCounter::Get(int i) const {
  const int bit = i * 6;
  const int byte = bit / 8;
  const int shift = bit % 8;
  unsigned v = packed_[byte] >> shift;
  if (shift > 2) {
    v |= static_cast<unsigned>(packed_[byte + 1]) << (8 - shift);
  }
  return static_cast<int>(v & 63u);
}

void DistinctCounter::Set(int i, int v) {
  const int bit = i * 6;
  const int byte = bit / 8;
  const int shift = bit % 8;
  const unsigned value = static_cast<unsigned>(v) & 63u;
  packed_[byte] = static_cast<uint8_t>((packed_[byte] & ~(63u << shift)) | (value << shift));
  if (shift > 2) {
    const unsigned high = value >> (8 - shift);
    const unsigned mask = 63u >> (8 - shift);
    packed_[byte + 1] = static_cast<uint8_t>((packed_[byte + 1] & ~mask) | high);
  }
}

void DistinctCounter::Add(std::string_view value) {
  AddHash(Hash64(value));
}

void DistinctCounter::AddHash(uint64_t hash) {
  const int index = static_cast<int>(hash >> 58);  // top 6 bits: 64 registers
  const uint64_t rest = hash << 6;
  const int rank = rest == 0 ? 59 : std::countl_zero(rest) + 1;
  if (rank > Get(index)) {
    Set(index, std::min(rank, 63));
  }
}

double DistinctCounter::Estimate() const {
  constexpr double m = kRegisters;
  constexpr double alpha = 0.709;  // HyperLogLog's bias correction for m = 64
  double sum = 0;
  int zeros = 0;
  for (int i = 0; i < kRegisters; ++i) {
    const int r = Get(i);
    sum += std::ldexp(1.0, -r);
    zeros += r == 0 ? 1 : 0;
  }
  const double raw = alpha * m * m / sum;
  if (raw <= 2.5 * m && zeros > 0) {
    return m * std::log(m / zeros);  // linear counting: exact-ish for small sets
  }
  return raw;
}

void DistinctCounter::Merge(const DistinctCounter& other) {
  for (int i = 0; i < kRegisters; ++i) {
    Set(i, std::max(Get(i), other.Get(i)));
  }
}

// ---- WindowCounter --------------------------------------------------------------------

void WindowCounter::Advance(int64_t bucket) {
  if (head_ == INT64_MIN || bucket - head_ >= kBuckets) {
    counts_.fill(0);
  } else {
    for (int64_t b = head_ + 1; b <= bucket; ++b) {
      counts_[static_cast<size_t>(((b % kBuckets) + kBuckets) % kBuckets)] = 0;
    }
  }
  head_ = bucket;
}

void WindowCounter::Add(int64_t t, uint32_t n) {
  const int64_t bucket = t >= 0 ? t / bucket_seconds_ : (t - bucket_seconds_ + 1) / bucket_seconds_;
  if (head_ != INT64_MIN && bucket <= head_ - kBuckets) {
    return;  // older than the window
  }
  if (head_ == INT64_MIN || bucket > head_) {
    Advance(bucket);
  }
  uint16_t& c = counts_[static_cast<size_t>(((bucket % kBuckets) + kBuckets) % kBuckets)];
  c = static_cast<uint16_t>(std::min<uint32_t>(65535u, c + n));
}

uint64_t WindowCounter::Sum(int64_t now, int64_t seconds) const {
  if (head_ == INT64_MIN) {
    return 0;
  }
  const int64_t now_bucket =
      now >= 0 ? now / bucket_seconds_ : (now - bucket_seconds_ + 1) / bucket_seconds_;
  const int64_t span =
      std::clamp<int64_t>((seconds + bucket_seconds_ - 1) / bucket_seconds_, 1, kBuckets);
  uint64_t sum = 0;
  for (int64_t b = now_bucket - span + 1; b <= now_bucket; ++b) {
    if (b > head_ || b <= head_ - kBuckets) {
      continue;  // not held: in the future of the newest, or evicted
    }
    sum += counts_[static_cast<size_t>(((b % kBuckets) + kBuckets) % kBuckets)];
  }
  return sum;
}

// ---- SeasonalBaseline -----------------------------------------------------------------

namespace {
constexpr double kSlotAlpha = 0.3;      // a slot is seen once a week: adapt within weeks
constexpr double kOverallAlpha = 0.05;  // the overall mean moves slowly
constexpr uint16_t kMinSlotObservations = 3;
}  // namespace

int SeasonalBaseline::SlotOf(int64_t t) {
  const int64_t hours = t >= 0 ? t / 3600 : (t - 3599) / 3600;
  // 1970-01-01 was a Thursday: shift so that slot 0 is Monday 00:00 UTC.
  const int64_t hour_of_week = ((hours + 3 * 24) % kSlots + kSlots) % kSlots;
  return static_cast<int>(hour_of_week);
}

void SeasonalBaseline::Update(Moments& m, double value, double alpha) {
  if (m.n == 0) {
    m.mean = static_cast<float>(value);
    m.var = 0;
  } else {
    // West's exponentially weighted variance.
    const double diff = value - m.mean;
    const double incr = alpha * diff;
    m.mean = static_cast<float>(m.mean + incr);
    m.var = static_cast<float>((1 - alpha) * (m.var + diff * incr));
  }
  if (m.n < UINT16_MAX) {
    ++m.n;
  }
}

void SeasonalBaseline::Observe(int64_t t, double value) {
  Update(slots_[static_cast<size_t>(SlotOf(t))], value, kSlotAlpha);
  Update(overall_, value, kOverallAlpha);
}

SeasonalBaseline::Expectation SeasonalBaseline::Expected(int64_t t) const {
  const Moments& slot = slots_[static_cast<size_t>(SlotOf(t))];
  Expectation e;
  const Moments& use = slot.n >= kMinSlotObservations ? slot : overall_;
  e.seasonal = &use == &slot;
  e.mean = use.mean;
  e.stddev = std::sqrt(std::max(0.0f, use.var));
  e.observations = use.n;
  return e;
}

double SeasonalBaseline::ZScore(int64_t t, double value) const {
  const Expectation e = Expected(t);
  // A rate that never varied would make any change infinitely unusual: at least 10 % of the
  // mean (and 1) counts as the spread.
  const double floor = std::max(1.0, 0.1 * std::abs(e.mean));
  return (value - e.mean) / std::max(e.stddev, floor);
}

}  // namespace rampart::detect::behavior
