#pragma once
// The `behavior:` section of the server configuration (docs/configuration.md): the scenario
// files, how often the entity state is snapshotted, and the web login endpoints with their
// failure signals, with per-tenant overrides.
//
//   behavior:
//     enabled: true
//     scenarios: [rules/behavior]
//     snapshot_interval: 60s
//     logins:
//       - {path: /login_form, method: POST, failure: 'http.response.status_code:200'}
//     tenants:
//       acme:
//         logins: [{path: /api/v1/login, failure: 'http.response.status_code:401'}]
//
// A tenant's logins replace the global ones; an empty global list means the defaults.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"
#include "detect/behavior/login.h"

namespace rampart::detect::behavior {

struct BehaviorConfig {
  bool enabled = true;
  std::vector<std::string> scenario_paths = {"rules/behavior"};
  bool scenarios_configured = false;  // from the file: missing paths are errors
  int64_t snapshot_interval_ns = int64_t{60} * 1'000'000'000;
  std::vector<LoginEndpoint> logins = DefaultLoginEndpoints();
  std::map<std::string, std::vector<LoginEndpoint>, std::less<>> tenant_logins;

  const std::vector<LoginEndpoint>& LoginsFor(std::string_view tenant) const;
};

// Reads the `behavior` node of a configuration file (null node: defaults). Errors are
// "file:line: reason" naming the key.
Result<BehaviorConfig> ParseBehaviorConfig(const YAML::Node& node, const std::string& file);
// Reads `path`'s `behavior` section (empty path: defaults).
Result<BehaviorConfig> LoadBehaviorConfig(const std::string& path);

}  // namespace rampart::detect::behavior
