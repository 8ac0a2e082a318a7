// libFuzzer target for the YAML loaders a user hands to Rampart: the server config, the
// masking policy, the JSON-lines mapping, the Sigma log-source mapping and the Sigma placeholder
// values. Each must turn any bytes into either a value or an error Status, never an escaping
// exception or a crash. The loaders read files, so the input is written to a per-process
// temporary file first.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "detect/sigma/logsource_map.h"
#include "detect/sigma/sigma.h"
#include "enrich/enrich.h"
#include "ingest/server.h"
#include "parse/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/rampart_config_fuzz_" + std::to_string(getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return 0;
  }
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  (void)rampart::ingest::LoadServerConfig(path);
  (void)rampart::enrich::LoadMaskingPolicy(path);
  (void)rampart::parse::LoadJsonMapping(path);
  auto map = rampart::sigma::LogSourceMap::Parse(
      "fuzz", std::string_view(reinterpret_cast<const char*>(data), size));
  if (map.ok()) {
    (void)map.value()->Find(rampart::sigma::LogSource{"windows", "process_creation", "", ""});
  }
  (void)rampart::sigma::ParsePlaceholders(
      "fuzz", std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
