#include "detect/web/config.h"

#include "core/yaml_fields.h"
#include "store/store.h"

namespace rampart::detect::web {
namespace {

Status ReadExclusions(const std::string& file, const YAML::Node& n, std::vector<Exclusion>* out) {
  if (!n.IsSequence()) {
    return InvalidArgument(yaml::At(file, n) +
                           ": web exclusions must be a list of {rules, paths, params}");
  }
  for (const YAML::Node& item : n) {
    RAMPART_RETURN_IF_ERROR(
        yaml::OnlyKeys(file, item, "web.exclusions", {"rules", "paths", "params"}));
    Exclusion e;
    if (item["rules"]) {
      RAMPART_RETURN_IF_ERROR(yaml::Strings(file, item["rules"], "exclusion rules", &e.rules));
    }
    if (item["paths"]) {
      RAMPART_RETURN_IF_ERROR(yaml::Strings(file, item["paths"], "exclusion paths", &e.paths));
    }
    if (item["params"]) {
      RAMPART_RETURN_IF_ERROR(yaml::Strings(file, item["params"], "exclusion params", &e.params));
    }
    if (e.rules.empty() && e.paths.empty() && e.params.empty()) {
      // An empty exclusion would drop every hit: a typo must not switch detection off.
      return InvalidArgument(yaml::At(file, item) +
                             ": an exclusion needs at least one of rules, paths, params");
    }
    out->push_back(std::move(e));
  }
  return Status::Ok();
}

// The keys a tenant may override, read into `t` (which starts as the defaults).
Status ReadTenantKeys(const std::string& file,
                      const YAML::Node& n,
                      const std::string& section,
                      WebTenantConfig* t,
                      int64_t* save_interval_ns) {
  if (n["paranoia"]) {
    RAMPART_RETURN_IF_ERROR(
        yaml::Int(file, n["paranoia"], section + ".paranoia", 1, 4, &t->settings.paranoia));
  }
  if (n["threshold"]) {
    RAMPART_RETURN_IF_ERROR(
        yaml::Int(file, n["threshold"], section + ".threshold", 1, 1000, &t->settings.threshold));
  }
  if (n["exclusions"]) {
    RAMPART_RETURN_IF_ERROR(ReadExclusions(file, n["exclusions"], &t->settings.exclusions));
  }
  if (n["report_limits"]) {
    RAMPART_RETURN_IF_ERROR(yaml::Bool(file, n["report_limits"], section + ".report_limits",
                                       &t->settings.report_limits));
  }
  if (const YAML::Node l = n["limits"]) {
    RAMPART_RETURN_IF_ERROR(
        yaml::OnlyKeys(file, l, section + ".limits", {"max_parts", "max_body_bytes", "max_depth"}));
    RequestLimits& lim = t->settings.limits;
    if (l["max_parts"]) {
      RAMPART_RETURN_IF_ERROR(yaml::Int<size_t>(file, l["max_parts"], "web.limits.max_parts", 16,
                                                100'000, &lim.max_parts));
    }
    if (l["max_body_bytes"]) {
      RAMPART_RETURN_IF_ERROR(yaml::Int<size_t>(file, l["max_body_bytes"],
                                                "web.limits.max_body_bytes", 1024, 64u << 20,
                                                &lim.max_body_bytes));
    }
    if (l["max_depth"]) {
      RAMPART_RETURN_IF_ERROR(
          yaml::Int(file, l["max_depth"], "web.limits.max_depth", 2, 256, &lim.max_depth));
    }
  }
  if (const YAML::Node m = n["model"]) {
    RAMPART_RETURN_IF_ERROR(yaml::OnlyKeys(
        file, m, section + ".model",
        {"enabled", "learn_requests", "max_endpoints", "max_params", "save_interval"}));
    if (m["enabled"]) {
      RAMPART_RETURN_IF_ERROR(
          yaml::Bool(file, m["enabled"], "web.model.enabled", &t->model_enabled));
    }
    if (m["learn_requests"]) {
      RAMPART_RETURN_IF_ERROR(yaml::Int<uint32_t>(file, m["learn_requests"],
                                                  "web.model.learn_requests", 10, 10'000'000,
                                                  &t->model.learn_requests));
    }
    if (m["max_endpoints"]) {
      RAMPART_RETURN_IF_ERROR(yaml::Int<size_t>(file, m["max_endpoints"], "web.model.max_endpoints",
                                                1, 1'000'000, &t->model.max_endpoints));
    }
    if (m["max_params"]) {
      RAMPART_RETURN_IF_ERROR(yaml::Int<size_t>(file, m["max_params"], "web.model.max_params", 1,
                                                10'000, &t->model.max_params));
    }
    if (m["save_interval"]) {
      if (save_interval_ns == nullptr) {
        return InvalidArgument(yaml::At(file, m["save_interval"]) +
                               ": save_interval is set for all tenants, under web.model");
      }
      RAMPART_RETURN_IF_ERROR(
          yaml::Duration(file, m["save_interval"], "web.model.save_interval", save_interval_ns));
    }
  }
  return Status::Ok();
}

}  // namespace

const WebTenantConfig& WebConfig::For(std::string_view tenant) const {
  auto it = tenants.find(tenant);
  return it == tenants.end() ? defaults : it->second;
}

Result<WebConfig> ParseWebConfig(const YAML::Node& web, const std::string& file) {
  WebConfig c;
  if (!web || web.IsNull()) {
    return c;
  }
  RAMPART_RETURN_IF_ERROR(yaml::OnlyKeys(file, web, "web",
                                         {"enabled", "rules", "paranoia", "threshold", "exclusions",
                                          "report_limits", "limits", "model", "tenants"}));
  if (web["enabled"]) {
    RAMPART_RETURN_IF_ERROR(yaml::Bool(file, web["enabled"], "web.enabled", &c.enabled));
  }
  if (web["rules"]) {
    RAMPART_RETURN_IF_ERROR(yaml::Strings(file, web["rules"], "web.rules", &c.rule_paths));
    c.rules_configured = true;
  }
  RAMPART_RETURN_IF_ERROR(ReadTenantKeys(file, web, "web", &c.defaults, &c.model_save_interval_ns));
  if (const YAML::Node tenants = web["tenants"]) {
    if (!tenants.IsMap()) {
      return InvalidArgument(yaml::At(file, tenants) + ": web.tenants must map tenant names");
    }
    for (const auto& kv : tenants) {
      const std::string name = kv.first.Scalar();
      if (!store::IsValidTenant(name)) {
        return InvalidArgument(yaml::At(file, kv.first) + ": invalid tenant name '" + name + "'");
      }
      const std::string section = "web.tenants." + name;
      RAMPART_RETURN_IF_ERROR(yaml::OnlyKeys(
          file, kv.second, section,
          {"paranoia", "threshold", "exclusions", "report_limits", "limits", "model"}));
      WebTenantConfig t = c.defaults;  // starts from the global settings and exclusions
      RAMPART_RETURN_IF_ERROR(ReadTenantKeys(file, kv.second, section, &t, nullptr));
      c.tenants.emplace(name, std::move(t));
    }
  }
  return c;
}

Result<WebConfig> LoadWebConfig(const std::string& path) {
  if (path.empty()) {
    return WebConfig{};
  }
  try {
    const YAML::Node root = YAML::LoadFile(path);
    return ParseWebConfig(root.IsMap() ? root["web"] : YAML::Node(), path);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace rampart::detect::web
