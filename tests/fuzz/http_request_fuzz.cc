// libFuzzer target for what the API server does with a client's bytes before any handler:
// Beast's request parser under the server's limits, the target's path and query decoding,
// header collection, and the gzip inflater with its output limit. Any bytes must give a
// request or an error, never a crash, and the inflater must never pass its limit.

#include <cstddef>
#include <cstdint>
#include <string>

#include "server/auth.h"
#include "server/http.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  rampart::server::HttpLimits limits;
  limits.max_header_bytes = 4096;
  limits.max_body_bytes = 16384;
  auto req = rampart::server::ParseHttpRequest(bytes, limits);
  if (req.ok()) {
    (void)req->Param("tenant");
    (void)req->Header("content-type");
    std::string inflated;
    if (rampart::server::Gunzip(req->body, 65536, &inflated).ok() && inflated.size() > 65536) {
      __builtin_trap();
    }
    rampart::server::Identity id;
    id.tenants = {"alpha"};
    (void)id.ResolveTenant(req->Param("tenant"), "default");
  }
  std::string inflated;
  if (rampart::server::Gunzip(bytes, 4096, &inflated).ok() && inflated.size() > 4096) {
    __builtin_trap();
  }
  return 0;
}
