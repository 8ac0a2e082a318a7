#pragma once
// A fast non-cryptographic hash for in-memory caches on hot paths: 16 bytes per step, a
// 64x64->128-bit multiply to mix. Not for anything an attacker must not be able to collide
// (callers compare the keys themselves; a collision only costs a cache miss).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace rampart {

namespace hash_internal {

inline uint64_t Load64(const char* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline uint64_t Load32(const char* p) {
  uint32_t v = 0;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// Folds the 128-bit product: every input bit reaches every output bit in a few steps.
inline uint64_t Mix(uint64_t a, uint64_t b) {
  __extension__ using U128 = unsigned __int128;  // GCC and Clang on 64-bit targets
  const U128 product = static_cast<U128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

inline constexpr uint64_t kK0 = 0xa0761d6478bd642full;
inline constexpr uint64_t kK1 = 0xe7037ed1a0b428dbull;
inline constexpr uint64_t kK2 = 0x8ebc6af09c88c6e3ull;

}  // namespace hash_internal

inline uint64_t HashBytes(std::string_view bytes, uint64_t seed = 0) {
  using hash_internal::kK0;
  using hash_internal::kK1;
  using hash_internal::kK2;
  using hash_internal::Load32;
  using hash_internal::Load64;
  using hash_internal::Mix;
  const char* p = bytes.data();
  size_t n = bytes.size();
  uint64_t h = seed ^ Mix(n ^ kK0, kK1);
  while (n > 16) {
    h = Mix(Load64(p) ^ kK1, Load64(p + 8) ^ h);
    p += 16;
    n -= 16;
  }
  uint64_t a = 0;
  uint64_t b = 0;
  if (n >= 8) {  // 8..16 bytes: two overlapping words
    a = Load64(p);
    b = Load64(p + n - 8);
  } else if (n >= 4) {
    a = Load32(p);
    b = Load32(p + n - 4);
  } else if (n > 0) {
    a = (static_cast<uint64_t>(static_cast<uint8_t>(p[0])) << 16) |
        (static_cast<uint64_t>(static_cast<uint8_t>(p[n / 2])) << 8) |
        static_cast<uint8_t>(p[n - 1]);
  }
  return Mix(a ^ kK2 ^ h, b ^ kK1 ^ n);
}

}  // namespace rampart
