#include "detect/sigma/internal/hs_runtime.h"

// Exported by Vectorscan's fat runtime; weak so that other builds still link.
extern "C" hs_error_t avx2_hs_scan(const hs_database_t*,
                                   const char*,
                                   unsigned int,
                                   unsigned int,
                                   hs_scratch_t*,
                                   match_event_handler,
                                   void*) __attribute__((weak));

namespace rampart::sigma::internal {
namespace {

struct Runtime {
  HsScanFunction scan = &hs_scan;
  hs_platform_info_t platform{};
  bool avx2 = false;

  Runtime() {
    hs_populate_platform(&platform);
    if (avx2_hs_scan != nullptr && __builtin_cpu_supports("avx2")) {
      scan = &avx2_hs_scan;
      avx2 = true;
      platform.cpu_features &= ~(HS_CPU_FEATURES_AVX512 | HS_CPU_FEATURES_AVX512VBMI);
    }
  }
};

const Runtime& TheRuntime() {
  static const Runtime kRuntime;
  return kRuntime;
}

}  // namespace

HsScanFunction HsScan() {
  return TheRuntime().scan;
}

const hs_platform_info_t* HsPlatform() {
  return &TheRuntime().platform;
}

const char* HsRuntimeName() {
  return TheRuntime().avx2 ? "avx2" : "dispatch";
}

}  // namespace rampart::sigma::internal
