#pragma once
// Private to src/detect/sigma: which Vectorscan runtime scans.
//
// Debian 12's Vectorscan 5.4.9 is a "fat" build that picks an implementation per CPU
// (core2, corei7, avx2, avx512). Its AVX-512 scanner misses matches of small literal sets
// that share a first byte (e.g. `\.exe` and `\.dll` in values longer than 64 bytes; see
// tests/detect/sigma/vectorscan_test.cc). The AVX2 implementation is correct, so on CPUs
// with AVX2 Rampart calls it directly (the fat build exports it as avx2_hs_scan) and builds
// its databases for AVX2 at most. Other builds of the library fall back to hs_scan.

#include <hs/hs.h>

namespace rampart::sigma::internal {

using HsScanFunction = hs_error_t (*)(const hs_database_t*,
                                      const char*,
                                      unsigned int,
                                      unsigned int,
                                      hs_scratch_t*,
                                      match_event_handler,
                                      void*);

// The scanner to call instead of hs_scan.
HsScanFunction HsScan();
// The platform databases are compiled for (this CPU without AVX-512 when HsScan() is the
// AVX2 scanner).
const hs_platform_info_t* HsPlatform();
// "avx2" when the AVX2 scanner is used directly, "dispatch" otherwise (for reports).
const char* HsRuntimeName();

}  // namespace rampart::sigma::internal
