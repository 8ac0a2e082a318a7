#pragma once
// ParallelFor: independent jobs on a few threads, for start-up work (loading and compiling
// rules), not for hot paths.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace rampart {

// Runs body(i) for every i in [0, n) on up to `max_threads` threads, the calling thread
// included (no more than the machine's cores, and about one per `min_per_thread` jobs).
// Jobs are taken in index order; which thread runs which is unspecified, so results must be
// written per index.
template <typename Body>
void ParallelFor(size_t n, size_t max_threads, size_t min_per_thread, Body&& body) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) {
      body(i);
    }
  };
  const size_t by_jobs = std::max<size_t>(1, n / std::max<size_t>(1, min_per_thread));
  const size_t threads =
      std::min({static_cast<size_t>(std::max(1u, std::thread::hardware_concurrency())),
                std::max<size_t>(1, max_threads), by_jobs});
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (size_t t = 1; t < threads; ++t) {
    pool.emplace_back(work);
  }
  work();
  for (std::thread& t : pool) {
    t.join();
  }
}

}  // namespace rampart
