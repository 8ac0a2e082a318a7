#pragma once
// The `web:` section of the server configuration (docs/configuration.md): the rule pack,
// paranoia level, threshold, exclusions, limits and endpoint model, with per-tenant overrides.
//
//   web:
//     enabled: true
//     rules: [rules/web]
//     paranoia: 2
//     threshold: 5
//     exclusions: [{rules: [sqli], paths: ["/reports/*"], params: ["body.query"]}]
//     limits: {max_parts: 1024, max_body_bytes: 1048576, max_depth: 32}
//     model: {enabled: true, learn_requests: 200, max_endpoints: 2000, save_interval: 60s}
//     tenants:
//       acme: {paranoia: 1, threshold: 8, exclusions: [...], model: {enabled: false}}
//
// A tenant's entry overrides only what it names; its exclusions are added to the global ones.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"
#include "detect/web/model.h"
#include "detect/web/web.h"

namespace rampart::detect::web {

struct WebTenantConfig {
  WebSettings settings;
  bool model_enabled = true;
  ModelSettings model;
};

struct WebConfig {
  bool enabled = true;
  std::vector<std::string> rule_paths = {"rules/web"};
  bool rules_configured = false;  // from the file: missing paths are errors
  WebTenantConfig defaults;
  int64_t model_save_interval_ns = int64_t{60} * 1'000'000'000;
  std::map<std::string, WebTenantConfig, std::less<>> tenants;

  // The settings of `tenant` (its override, else the defaults).
  const WebTenantConfig& For(std::string_view tenant) const;
};

// Reads the `web` node of a configuration file (null node: defaults). Errors are
// "file:line: reason" naming the key.
Result<WebConfig> ParseWebConfig(const YAML::Node& web, const std::string& file);
// Reads `path`'s `web` section (empty path: defaults).
Result<WebConfig> LoadWebConfig(const std::string& path);

}  // namespace rampart::detect::web
