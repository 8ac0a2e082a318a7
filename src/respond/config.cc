#include "respond/config.h"

#include <filesystem>
#include <set>
#include <string>

#include "core/ip.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "core/yaml_fields.h"

namespace rampart::respond {
namespace {

using yaml::At;
using yaml::Bool;
using yaml::Duration;
using yaml::OnlyKeys;
using yaml::Strings;

Status Parse(const YAML::Node& root, ResponseConfig* c) {
  const std::string& file = c->file;
  if (const YAML::Node inc = root["incidents"]) {
    RAMPART_RETURN_IF_ERROR(
        OnlyKeys(file, inc, "incidents", {"gap", "max_span", "risk_half_life", "assets"}));
    if (inc["gap"]) {
      RAMPART_RETURN_IF_ERROR(Duration(file, inc["gap"], "incidents.gap", &c->grouping.gap_ns));
    }
    if (inc["max_span"]) {
      RAMPART_RETURN_IF_ERROR(
          Duration(file, inc["max_span"], "incidents.max_span", &c->grouping.max_span_ns));
    }
    if (inc["risk_half_life"]) {
      RAMPART_RETURN_IF_ERROR(Duration(file, inc["risk_half_life"], "incidents.risk_half_life",
                                       &c->grouping.risk_half_life_ns));
    }
    if (const YAML::Node assets = inc["assets"]) {
      if (!assets.IsSequence()) {
        return InvalidArgument(At(file, assets) + ": incidents.assets must be a list");
      }
      for (const YAML::Node& a : assets) {
        RAMPART_RETURN_IF_ERROR(OnlyKeys(file, a, "incidents.assets[]", {"match", "criticality"}));
        incident::AssetCriticality asset;
        asset.match = a["match"] && a["match"].IsScalar() ? a["match"].Scalar() : "";
        const size_t colon = asset.match.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == asset.match.size()) {
          return InvalidArgument(
              At(file, a) + ": an asset needs match: <type>:<value> (ip:10.0.0.0/8, host:db-01)");
        }
        double value = 0;
        try {
          value = a["criticality"] ? a["criticality"].as<double>() : 0;
        } catch (const YAML::Exception&) {
          value = 0;
        }
        if (!(value > 0 && value <= 10)) {
          return InvalidArgument(At(file, a) + ": criticality must be a number in (0, 10]");
        }
        asset.criticality = value;
        c->grouping.assets.push_back(std::move(asset));
      }
    }
  }
  if (const YAML::Node r = root["response"]) {
    RAMPART_RETURN_IF_ERROR(
        OnlyKeys(file, r, "response",
                 {"policies", "shadow", "allowlist", "allowlist_loopback", "connectors"}));
    if (r["policies"]) {
      RAMPART_RETURN_IF_ERROR(Strings(file, r["policies"], "response.policies", &c->policy_paths));
      c->policies_configured = true;
    }
    if (r["shadow"]) {
      RAMPART_RETURN_IF_ERROR(Bool(file, r["shadow"], "response.shadow", &c->shadow));
    }
    if (r["allowlist"]) {
      RAMPART_RETURN_IF_ERROR(Strings(file, r["allowlist"], "response.allowlist", &c->allowlist));
    }
    if (r["allowlist_loopback"]) {
      RAMPART_RETURN_IF_ERROR(Bool(file, r["allowlist_loopback"], "response.allowlist_loopback",
                                   &c->allowlist_loopback));
    }
    if (r["connectors"]) {
      c->connectors = r["connectors"];
    }
  }
  if (const YAML::Node d = root["decision_api"]) {
    RAMPART_RETURN_IF_ERROR(
        OnlyKeys(file, d, "decision_api", {"client_ip_headers", "trusted_proxies"}));
    if (d["client_ip_headers"]) {
      RAMPART_RETURN_IF_ERROR(Strings(file, d["client_ip_headers"],
                                      "decision_api.client_ip_headers", &c->client_ip_headers));
      for (std::string& h : c->client_ip_headers) {
        h = ToLower(h);
      }
    }
    if (d["trusted_proxies"]) {
      RAMPART_RETURN_IF_ERROR(
          Strings(file, d["trusted_proxies"], "decision_api.trusted_proxies", &c->trusted_proxies));
      for (const std::string& p : c->trusted_proxies) {
        IpPrefix prefix;
        if (!ParseIpPrefix(p, &prefix)) {
          return InvalidArgument(At(file, d["trusted_proxies"]) + ": '" + p +
                                 "' is not an address or CIDR range");
        }
      }
    }
  }
  if (const YAML::Node a = root["audit"]) {
    RAMPART_RETURN_IF_ERROR(
        OnlyKeys(file, a, "audit", {"checkpoint_every", "checkpoint_interval"}));
    if (a["checkpoint_every"]) {
      uint64_t n = 0;
      if (!a["checkpoint_every"].IsScalar() || !ParseInt(a["checkpoint_every"].Scalar(), &n) ||
          n == 0) {
        return InvalidArgument(At(file, a["checkpoint_every"]) +
                               ": audit.checkpoint_every must be a positive number of records");
      }
      c->audit_checkpoint_records = n;
    }
    if (a["checkpoint_interval"]) {
      RAMPART_RETURN_IF_ERROR(Duration(file, a["checkpoint_interval"], "audit.checkpoint_interval",
                                       &c->audit_checkpoint_ns));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ResponseConfig> LoadResponseConfig(const std::string& path) {
  ResponseConfig c;
  c.file = path;
  if (!path.empty()) {
    try {
      RAMPART_RETURN_IF_ERROR(Parse(YAML::LoadFile(path), &c));
    } catch (const YAML::Exception& e) {
      return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
  }
  if (!c.policies_configured) {
    std::error_code ec;
    if (std::filesystem::is_directory("rules/response", ec)) {
      c.policy_paths = {"rules/response"};
    }
  }
  return c;
}

}  // namespace rampart::respond
