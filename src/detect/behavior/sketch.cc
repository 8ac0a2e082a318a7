#include "detect/behavior/sketch.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

namespace rampart::detect::behavior {

uint64_t Hash64(std::string_view s, uint64_t seed) {
  // Eight bytes at a time, multiply-xorshift, then a 64-bit finaliser (splitmix) so that every
  // bit depends on every byte: HyperLogLog reads the top bits and the leading zeros of the rest.
  uint64_t h = seed ^ (s.size() * 0x9E3779B97F4A7C15ULL);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * 0x94d049bb133111ebULL;
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

uint32_t DistinctCounter::Fingerprint(int i) const {
  uint32_t fp = 0;
  std::memcpy(&fp, packed_.data() + 4 * i, 4);
  return fp;
}

void DistinctCounter::SetFingerprint(int i, uint32_t fp) {
  std::memcpy(packed_.data() + 4 * i, &fp, 4);
}

// A register update from a 32-bit fingerprint: the top 6 bits pick the register, the
// leading zeros of the other 26 bits (plus one) are the rank.
void DistinctCounter::AddToRegisters(uint32_t fp) {
  const int index = static_cast<int>(fp >> 26);
  const uint32_t rest = fp << 6;
  const int rank = rest == 0 ? 27 : std::countl_zero(rest) + 1;
  if (rank > Get(index)) {
    Set(index, rank);
  }
}

void DistinctCounter::Densify() {
  std::array<uint32_t, kExact> fps{};
  for (int i = 0; i < exact_; ++i) {
    fps[static_cast<size_t>(i)] = Fingerprint(i);
  }
  const int n = exact_;
  packed_.fill(0);
  exact_ = kDense;
  for (int i = 0; i < n; ++i) {
    AddToRegisters(fps[static_cast<size_t>(i)]);
  }
}

void DistinctCounter::AddHash(uint64_t hash) {
  const uint32_t fp = static_cast<uint32_t>(hash >> 32);
  if (exact_ != kDense) {
    for (int i = 0; i < exact_; ++i) {
      if (Fingerprint(i) == fp) {
        return;
      }
    }
    if (exact_ < kExact) {
      SetFingerprint(exact_, fp);
      ++exact_;
      return;
    }
    Densify();
  }
  AddToRegisters(fp);
}

namespace {

// 2^-r for every register value.
const std::array<double, 64>& InversePowers() {
  static const std::array<double, 64> table = [] {
    std::array<double, 64> t{};
    for (int r = 0; r < 64; ++r) {
      t[static_cast<size_t>(r)] = std::ldexp(1.0, -r);
    }
    return t;
  }();
  return table;
}

// HyperLogLog's estimate from the harmonic sum of the registers and the number of zeros.
double EstimateFrom(double sum, int zeros) {
  constexpr double m = DistinctCounter::kRegisters;
  constexpr double alpha = 0.709;  // HyperLogLog's bias correction for m = 64
  const double raw = alpha * m * m / sum;
  if (raw <= 2.5 * m && zeros > 0) {
    return m * std::log(m / zeros);  // linear counting: exact-ish for small sets
  }
  return raw;
}

}  // namespace

double DistinctCounter::Estimate() const {
  if (exact_ != kDense) {
    return exact_;
  }
  const auto& inv = InversePowers();
  double sum = 0;
  int zeros = 0;
  for (int i = 0; i < kRegisters; ++i) {
    const int r = Get(i);
    sum += inv[static_cast<size_t>(r)];
    zeros += r == 0 ? 1 : 0;
  }
  return EstimateFrom(sum, zeros);
}

double DistinctCounter::EstimateUnion(const DistinctCounter& a, const DistinctCounter& b) {
  if (a.exact_ != kDense && b.exact_ != kDense) {
    int n = a.exact_;
    for (int j = 0; j < b.exact_; ++j) {
      bool seen = false;
      for (int i = 0; i < a.exact_ && !seen; ++i) {
        seen = a.Fingerprint(i) == b.Fingerprint(j);
      }
      n += seen ? 0 : 1;
    }
    if (n <= kExact) {
      return n;
    }
  }
  DistinctCounter both = a;
  both.Merge(b);
  return both.Estimate();
}

void DistinctCounter::Merge(const DistinctCounter& other) {
  if (other.exact_ != kDense) {
    for (int i = 0; i < other.exact_; ++i) {
      AddHash(uint64_t{other.Fingerprint(i)} << 32);
    }
    return;
  }
  if (exact_ != kDense) {
    Densify();
  }
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

// West's exponentially weighted mean and variance; alpha never below 1/n, so the first
// observations give a plain running mean (the cold start).
void Ewma(float& mean, float& var, uint32_t n, double value, double alpha) {
  alpha = std::max(alpha, 1.0 / static_cast<double>(n));
  if (n == 1) {
    mean = static_cast<float>(value);
    var = 0;
    return;
  }
  const double diff = value - mean;
  const double incr = alpha * diff;
  mean = static_cast<float>(mean + incr);
  var = static_cast<float>((1 - alpha) * (var + diff * incr));
}

template <typename T>
T Bump(T n) {
  return n < std::numeric_limits<T>::max() ? static_cast<T>(n + 1) : n;
}

}  // namespace

int SeasonalBaseline::HourOf(int64_t t) {
  const int64_t hours = t >= 0 ? t / 3600 : (t - 3599) / 3600;
  return static_cast<int>(((hours % 24) + 24) % 24);
}

int SeasonalBaseline::DayOf(int64_t t) {
  const int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  return static_cast<int>(((days + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
}

void SeasonalBaseline::Observe(int64_t t, double value, double per_hour) {
  per_hour = std::max(per_hour, 1.0);
  const size_t h = static_cast<size_t>(HourOf(t));
  n_[h] = Bump(n_[h]);
  Ewma(mean_[h], var_[h], n_[h], value, 1.0 / (7 * per_hour));
  const size_t d = static_cast<size_t>(DayOf(t));
  day_n_[d] = Bump(day_n_[d]);
  float unused = 0;
  Ewma(day_mean_[d], unused, day_n_[d], value, 1.0 / (4 * 24 * per_hour));
  all_n_ = Bump(all_n_);
  Ewma(all_mean_, all_var_, all_n_, value, 1.0 / (7 * 24 * per_hour));
}

SeasonalBaseline::Expectation SeasonalBaseline::Expected(int64_t t, double per_hour) const {
  per_hour = std::max(per_hour, 1.0);
  Expectation e;
  const size_t h = static_cast<size_t>(HourOf(t));
  if (n_[h] >= per_hour) {
    e.seasonal = true;
    e.mean = mean_[h];
    e.stddev = std::sqrt(std::max(0.0f, var_[h]));
    e.observations = n_[h];
  } else if (all_n_ >= 2) {
    e.mean = all_mean_;
    e.stddev = std::sqrt(std::max(0.0f, all_var_));
    e.observations = all_n_;
  }
  // A weekday differs from the week as a whole once it was seen for a whole day.
  const size_t d = static_cast<size_t>(DayOf(t));
  if (e.seasonal && day_n_[d] >= 24 * per_hour && all_mean_ > 0) {
    e.day_factor = std::clamp(static_cast<double>(day_mean_[d]) / all_mean_, 0.2, 5.0);
    e.mean *= e.day_factor;
    e.stddev *= e.day_factor;
  }
  return e;
}

double SeasonalBaseline::ZScore(int64_t t, double value, double per_hour) const {
  const Expectation e = Expected(t, per_hour);
  // Counts are noisy like a Poisson process at least: a rate that never varied would
  // otherwise make any change infinitely unusual.
  const double spread = std::max({e.stddev, std::sqrt(std::max(e.mean, 0.0)), 1.0});
  return (value - e.mean) / spread;
}

}  // namespace rampart::detect::behavior
