#pragma once
// A bump allocator for one batch of events. Everything a batch's events point to (raw
// records, decoded values) lives here and is freed at once by Reset(). Not thread-safe:
// one arena per batch, one batch per thread at a time.

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace rampart {

class Arena {
 public:
  explicit Arena(size_t block_size = size_t{64} * 1024) : block_size_(block_size) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  char* Allocate(size_t bytes) {
    if (bytes <= remaining_) {
      char* p = ptr_;
      ptr_ += bytes;
      remaining_ -= bytes;
      return p;
    }
    return AllocateSlow(bytes);
  }

  std::string_view Copy(std::string_view s) {
    if (s.empty()) {
      return {};
    }
    char* p = Allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  // Frees all allocations but keeps the first block for reuse.
  void Reset();

  size_t MemoryUsage() const { return blocks_.size() * block_size_ + large_bytes_; }

 private:
  char* AllocateSlow(size_t bytes);

  size_t block_size_;
  char* ptr_ = nullptr;
  size_t remaining_ = 0;
  size_t large_bytes_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::unique_ptr<char[]>> large_;
};

}  // namespace rampart
