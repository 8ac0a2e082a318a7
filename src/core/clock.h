#pragma once
// The only door to wall-clock time. Event processing uses event time; wall time is read
// here (live watermarks, year-less syslog timestamps, file names for dead letters).

#include <cstdint>

namespace rampart {

// Wall-clock UTC nanoseconds since the epoch.
int64_t WallNowNs();
// A monotonic clock for measuring durations (rates, timeouts).
int64_t MonotonicNowNs();

}  // namespace rampart
