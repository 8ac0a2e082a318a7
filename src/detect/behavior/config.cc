// The `behavior:` configuration section (see config.h).

#include "detect/behavior/config.h"

#include "core/yaml_fields.h"

namespace rampart::detect::behavior {

const std::vector<LoginEndpoint>& BehaviorConfig::LoginsFor(std::string_view tenant) const {
  auto it = tenant_logins.find(tenant);
  return it == tenant_logins.end() ? logins : it->second;
}

Result<BehaviorConfig> ParseBehaviorConfig(const YAML::Node& node, const std::string& file) {
  BehaviorConfig c;
  if (!node || node.IsNull()) {
    return c;
  }
  RAMPART_RETURN_IF_ERROR(yaml::OnlyKeys(
      file, node, "behavior", {"enabled", "scenarios", "snapshot_interval", "logins", "tenants"}));
  if (node["enabled"]) {
    RAMPART_RETURN_IF_ERROR(yaml::Bool(file, node["enabled"], "behavior.enabled", &c.enabled));
  }
  if (node["scenarios"]) {
    RAMPART_RETURN_IF_ERROR(
        yaml::Strings(file, node["scenarios"], "behavior.scenarios", &c.scenario_paths));
    c.scenarios_configured = true;
  }
  if (node["snapshot_interval"]) {
    RAMPART_RETURN_IF_ERROR(yaml::Duration(file, node["snapshot_interval"],
                                           "behavior.snapshot_interval", &c.snapshot_interval_ns));
  }
  if (node["logins"]) {
    RAMPART_ASSIGN_OR_RETURN(c.logins, ParseLoginEndpoints(file, node["logins"]));
    if (c.logins.empty()) {
      c.logins = DefaultLoginEndpoints();  // an empty list means the defaults
    }
  }
  if (node["tenants"]) {
    const YAML::Node tenants = node["tenants"];
    if (!tenants.IsMap()) {
      return InvalidArgument(yaml::At(file, tenants) + ": 'behavior.tenants' must be a mapping");
    }
    for (const auto& kv : tenants) {
      const std::string name = kv.first.Scalar();
      RAMPART_RETURN_IF_ERROR(
          yaml::OnlyKeys(file, kv.second, "behavior.tenants." + name, {"logins"}));
      if (kv.second["logins"]) {
        RAMPART_ASSIGN_OR_RETURN(c.tenant_logins[name],
                                 ParseLoginEndpoints(file, kv.second["logins"]));
      }
    }
  }
  return c;
}

Result<BehaviorConfig> LoadBehaviorConfig(const std::string& path) {
  if (path.empty()) {
    return BehaviorConfig{};
  }
  try {
    const YAML::Node root = YAML::LoadFile(path);
    return ParseBehaviorConfig(root.IsMap() ? root["behavior"] : YAML::Node(), path);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace rampart::detect::behavior
