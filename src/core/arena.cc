#include "core/arena.h"

namespace rampart {

char* Arena::AllocateSlow(size_t bytes) {
  if (bytes > block_size_ / 4) {
    // Large objects get their own block so the current block's tail is not wasted.
    large_.push_back(std::make_unique<char[]>(bytes));
    large_bytes_ += bytes;
    return large_.back().get();
  }
  blocks_.push_back(std::make_unique<char[]>(block_size_));
  ptr_ = blocks_.back().get() + bytes;
  remaining_ = block_size_ - bytes;
  return blocks_.back().get();
}

void Arena::Reset() {
  large_.clear();
  large_bytes_ = 0;
  if (blocks_.size() > 1) {
    blocks_.resize(1);
  }
  if (blocks_.empty()) {
    ptr_ = nullptr;
    remaining_ = 0;
  } else {
    ptr_ = blocks_.front().get();
    remaining_ = block_size_;
  }
}

}  // namespace rampart
