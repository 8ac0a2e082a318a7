#pragma once
// The control loop's part of the server configuration (docs/configuration.md): the
// `incidents`, `response`, `decision_api` and `audit` sections of the same YAML file the
// ingest side reads.

#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"
#include "incident/incident.h"

namespace rampart::respond {

struct ResponseConfig {
  // Policy files or directories. Default: rules/response when it exists (no policies, no
  // decisions otherwise).
  std::vector<std::string> policy_paths;
  bool policies_configured = false;
  bool shadow = false;                 // global shadow mode
  std::vector<std::string> allowlist;  // CIDRs, "user:alice", "api_key:hmac:..."
  bool allowlist_loopback = true;      // 127.0.0.0/8 and ::1 are never acted on
  incident::GroupingOptions grouping;
  // Decision API: headers naming the client, proxies whose X-Forwarded-For hop is skipped.
  std::vector<std::string> client_ip_headers = {"x-real-ip", "x-forwarded-for"};
  std::vector<std::string> trusted_proxies;  // loopback is always trusted
  YAML::Node connectors;                     // response.connectors (connectors.h)
  std::string file;                          // where it was read ("" = defaults)
  uint64_t audit_checkpoint_records = 1000;
  int64_t audit_checkpoint_ns = int64_t{60} * 1'000'000'000;
};

// Reads those sections of `path` (empty: the defaults). Errors name the line.
Result<ResponseConfig> LoadResponseConfig(const std::string& path);

}  // namespace rampart::respond
