#pragma once
// The entity state engine's tables (engine.h), shared by engine.cc (the state's updates) and
// snapshot.cc (its bytes on disk): the fixed-size components a slot is made of, the layout
// of a scenario's slots, the heavy-hitter sketches, and the open-addressing table itself.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detect/behavior/engine.h"
#include "detect/behavior/sketch.h"

namespace rampart::detect::behavior {
namespace internal {

inline constexpr int64_t kNs = 1'000'000'000;
inline constexpr int kTopEntries = 16;            // space-saving entries per report field
__extension__ using Uint128 = unsigned __int128;  // GCC and Clang: the high half of a product

// ---- slot components (trivially copyable; placed in a table's slot bytes) --------------

struct Header {
  uint64_t key;
  uint32_t last_seen;
  uint32_t created;
  uint32_t fired;         // last detection (0: none)
  uint32_t window_start;  // start of the current window bucket
};

struct Counts {  // events in the current and the previous window bucket
  uint32_t cur;
  uint32_t prev;
};

struct Ring {  // followed by `capacity` uint32 times
  uint8_t head;
  uint8_t size;
  uint8_t pad[2];
};

struct Distinct {
  DistinctCounter cur;
  DistinctCounter prev;
};

struct Leaky {
  float level;
  uint32_t last;
};

struct Baseline {
  uint32_t bucket_start;
  uint32_t count;
  uint32_t anomalous;  // the current bucket was judged anomalous (not learnt)
  uint32_t pad;
  SeasonalBaseline seasonal;
};

struct Seen {
  uint64_t bloom[8];  // 512 bits, four probes
  uint32_t values;
  char first_value[40];  // the first value learnt, for explanations
};

inline constexpr uint32_t Align8(uint32_t n) {
  return (n + 7) & ~7u;
}

// Offsets of the components in a slot (0: absent; the header is always at 0).
struct Layout {
  uint32_t size = 0;
  uint32_t counts = 0;
  uint32_t matches = 0;  // Counts of the events the ratio's filter matches
  uint32_t ring = 0;
  uint32_t ring_capacity = 0;
  uint32_t distinct[2] = {0, 0};
  uint32_t leaky = 0;
  uint32_t baseline = 0;
  uint32_t seen = 0;
  uint32_t sequence = 0;
  uint32_t sequence_capacity = 0;
};

// Space-saving heavy hitters of one report field in one group.
struct TopEntry {
  std::string value;
  uint64_t count = 0;
  uint64_t error = 0;  // inherited from the entry it replaced: count - error is certain
};
struct TopField {
  std::vector<TopEntry> entries;
  uint64_t total = 0;
  void Add(std::string_view value, uint64_t w) {
    total += w;
    for (TopEntry& e : entries) {
      if (e.value == value) {
        e.count += w;
        return;
      }
    }
    if (entries.size() < kTopEntries) {
      entries.push_back({std::string(value), w});
      return;
    }
    auto min =
        std::min_element(entries.begin(), entries.end(),
                         [](const TopEntry& a, const TopEntry& b) { return a.count < b.count; });
    min->value.assign(value);
    min->error = min->count;
    min->count += w;
  }
  void Decay() {
    total /= 2;
    for (TopEntry& e : entries) {
      e.count /= 2;
      e.error /= 2;
    }
  }
  std::vector<TopEntry> Sorted() const {
    std::vector<TopEntry> out = entries;
    std::sort(out.begin(), out.end(), [](const TopEntry& a, const TopEntry& b) {
      const uint64_t ca = a.count - a.error, cb = b.count - b.error;
      return std::tie(cb, b.count, a.value) < std::tie(ca, a.count, b.value);
    });
    return out;
  }
};
struct TopState {
  TopField fields[2];
};

}  // namespace internal

struct Engine::Table {
  const Scenario* scenario = nullptr;
  internal::Layout layout;
  uint64_t signature = 0;
  uint32_t horizon = 0;           // seconds of idleness after which a slot is worth nothing
  std::vector<uint64_t> storage;  // capacity * layout.size bytes, 8-aligned
  size_t capacity = 0;            // slots (a power of two)
  size_t used = 0;
  uint64_t evicted = 0;
  std::unordered_map<uint64_t, internal::TopState> top;  // by key hash; only scenarios with `top`

  char* SlotAt(size_t i) { return reinterpret_cast<char*>(storage.data()) + i * layout.size; }
  const char* SlotAt(size_t i) const {
    return reinterpret_cast<const char*>(storage.data()) + i * layout.size;
  }
  static internal::Header* HeaderOf(char* slot) {
    return std::launder(reinterpret_cast<internal::Header*>(slot));
  }
  static const internal::Header* HeaderOf(const char* slot) {
    return std::launder(reinterpret_cast<const internal::Header*>(slot));
  }

  // Linear probing from the key's home slot; the home is the key's hash scaled to the
  // capacity (the hash is uniform: no modulo, any capacity).
  size_t Home(uint64_t key) const {
    return static_cast<size_t>((static_cast<internal::Uint128>(key) * capacity) >> 64);
  }
  size_t Next(size_t i) const { return i + 1 == capacity ? 0 : i + 1; }

  void Allocate(size_t slots) {
    capacity = slots;
    storage.assign(capacity * layout.size / 8, 0);
    used = 0;
  }

  char* Find(uint64_t key) {
    if (capacity == 0) {
      return nullptr;
    }
    for (size_t i = Home(key);; i = Next(i)) {
      char* slot = SlotAt(i);
      const uint64_t k = HeaderOf(slot)->key;
      if (k == key) {
        return slot;
      }
      if (k == 0) {
        return nullptr;
      }
    }
  }
  const char* Find(uint64_t key) const { return const_cast<Table*>(this)->Find(key); }

  // The slot of `key`, created (zeroed, header set) when absent. May rebuild the table.
  // `watermark`: the tenant's newest event time, by which idle slots are judged.
  char* FindOrInsert(uint64_t key, uint32_t now, uint32_t watermark, bool* created) {
    *created = false;
    if (char* slot = Find(key)) {
      return slot;
    }
    if (capacity == 0 || (used + 1) * 20 > capacity * 17 || used >= scenario->max_entities) {
      Rebuild(watermark);
    }
    for (size_t i = Home(key);; i = Next(i)) {
      char* slot = SlotAt(i);
      internal::Header* h = HeaderOf(slot);
      if (h->key == 0) {
        h->key = key;
        h->created = now;
        h->last_seen = now;
        ++used;
        *created = true;
        return slot;
      }
    }
  }

  // Drops slots idle for `horizon` before the tenant's watermark; when still at the entity
  // limit, the least recently seen tenth; then resizes to 65 % load and rehashes.
  void Rebuild(uint32_t watermark) {
    std::vector<uint32_t> last;
    last.reserve(used);
    const uint32_t idle_before = watermark > horizon ? watermark - horizon : 0;
    for (size_t i = 0; i < capacity; ++i) {
      const internal::Header* h = HeaderOf(SlotAt(i));
      if (h->key != 0 && h->last_seen >= idle_before) {
        last.push_back(h->last_seen);
      }
    }
    uint32_t evict_through = idle_before;  // slots last seen before this go
    bool evict_equal = false;
    if (last.size() + 1 > scenario->max_entities) {
      const size_t drop = std::max<size_t>(1, scenario->max_entities / 10);
      std::nth_element(last.begin(), last.begin() + static_cast<long>(drop - 1), last.end());
      evict_through = last[drop - 1];
      evict_equal = true;
    }
    size_t keep = 0;
    for (uint32_t t : last) {
      keep += (t > evict_through || (!evict_equal && t >= evict_through)) ? 1 : 0;
    }
    // Rebuilt to 65 % full, grown again past 85 %: about three quarters full on average (any
    // size, not a power of two, so growth steps are small).
    const size_t slots = std::max<size_t>(64, (keep + 1) * 20 / 13);
    std::vector<uint64_t> old = std::move(storage);
    const size_t old_capacity = capacity;
    Allocate(slots);
    const char* base = reinterpret_cast<const char*>(old.data());
    for (size_t i = 0; i < old_capacity; ++i) {
      const char* slot = base + i * layout.size;
      const internal::Header* h = HeaderOf(slot);
      if (h->key == 0) {
        continue;
      }
      const bool gone = evict_equal ? h->last_seen <= evict_through : h->last_seen < evict_through;
      if (gone) {
        ++evicted;
        top.erase(h->key);
        continue;
      }
      for (size_t j = Home(h->key);; j = Next(j)) {
        char* dst = SlotAt(j);
        if (HeaderOf(dst)->key == 0) {
          std::memcpy(dst, slot, layout.size);
          ++used;
          break;
        }
      }
    }
  }
};

}  // namespace rampart::detect::behavior
