// serve configuration (YAML). Every key is documented in docs/configuration.md.

#include <set>

#include <yaml-cpp/yaml.h>

#include "ingest/server.h"
#include "store/store.h"

namespace rampart::ingest {
namespace {

std::string Where(const YAML::Node& n) {
  return "line " + std::to_string(n.Mark().line + 1);
}

Status CheckKeys(const YAML::Node& map,
                 const std::string& section,
                 const std::set<std::string>& allowed) {
  if (!map.IsMap()) {
    return InvalidArgument("config: '" + section + "' must be a mapping (" + Where(map) + ")");
  }
  for (const auto& kv : map) {
    std::string key = kv.first.as<std::string>();
    if (!allowed.count(key)) {
      std::string message = "config: unknown key '";
      if (!section.empty()) {
        message += section + ".";
      }
      message += key + "' (" + Where(kv.first) + ")";
      return InvalidArgument(message);
    }
  }
  return Status::Ok();
}

template <typename T>
Status Read(const YAML::Node& map, const char* key, const std::string& section, T* out) {
  const YAML::Node n = map[key];
  if (!n) {
    return Status::Ok();
  }
  try {
    *out = n.as<T>();
  } catch (const YAML::Exception&) {
    return InvalidArgument("config: bad value for '" + (section.empty() ? "" : section + ".") +
                           key + "' (" + Where(n) + ")");
  }
  return Status::Ok();
}

Status ParseConfig(const YAML::Node& root, ServerConfig* c) {
  if (root.IsNull()) {
    return Status::Ok();
  }
  RAMPART_RETURN_IF_ERROR(CheckKeys(
      root, "", {"data_dir", "tenant", "retention", "masking", "inputs", "queue", "detection"}));
  if (const YAML::Node d = root["detection"]) {
    RAMPART_RETURN_IF_ERROR(
        CheckKeys(d, "detection", {"rules", "logsources", "placeholders", "ioc"}));
    if (d["rules"]) {
      c->rules.clear();
      RAMPART_RETURN_IF_ERROR(Read(d, "rules", "detection", &c->rules));
      c->rules_configured = true;
    }
    RAMPART_RETURN_IF_ERROR(Read(d, "logsources", "detection", &c->logsources));
    RAMPART_RETURN_IF_ERROR(Read(d, "placeholders", "detection", &c->placeholders));
    if (d["ioc"]) {
      RAMPART_RETURN_IF_ERROR(Read(d, "ioc", "detection", &c->ioc_dir));
      c->ioc_configured = true;
    }
  }
  RAMPART_RETURN_IF_ERROR(Read(root, "data_dir", "", &c->data_dir));
  RAMPART_RETURN_IF_ERROR(Read(root, "tenant", "", &c->tenant));
  if (!store::IsValidTenant(c->tenant)) {
    return InvalidArgument("config: invalid tenant name '" + c->tenant + "'");
  }
  if (const YAML::Node r = root["retention"]) {
    RAMPART_RETURN_IF_ERROR(CheckKeys(r, "retention", {"days"}));
    RAMPART_RETURN_IF_ERROR(Read(r, "days", "retention", &c->retention_days));
    if (c->retention_days < 0) {
      return InvalidArgument("config: retention.days must be >= 0 (0 keeps forever)");
    }
  }
  if (const YAML::Node m = root["masking"]) {
    RAMPART_RETURN_IF_ERROR(CheckKeys(m, "masking", {"policy"}));
    RAMPART_RETURN_IF_ERROR(Read(m, "policy", "masking", &c->masking_policy));
  }
  if (const YAML::Node q = root["queue"]) {
    RAMPART_RETURN_IF_ERROR(
        CheckKeys(q, "queue", {"max_bytes", "batch_size", "flush_interval_ms"}));
    RAMPART_RETURN_IF_ERROR(Read(q, "max_bytes", "queue", &c->queue_max_bytes));
    RAMPART_RETURN_IF_ERROR(Read(q, "batch_size", "queue", &c->batch_size));
    RAMPART_RETURN_IF_ERROR(Read(q, "flush_interval_ms", "queue", &c->flush_interval_ms));
    if (c->queue_max_bytes < (1 << 20) || c->batch_size == 0 || c->flush_interval_ms <= 0) {
      return InvalidArgument(
          "config: queue.max_bytes must be >= 1048576, batch_size and flush_interval_ms > 0");
    }
  }
  if (const YAML::Node in = root["inputs"]) {
    RAMPART_RETURN_IF_ERROR(CheckKeys(in, "inputs", {"files", "syslog", "http"}));
    if (const YAML::Node files = in["files"]) {
      if (!files.IsSequence()) {
        return InvalidArgument("config: inputs.files must be a list (" + Where(files) + ")");
      }
      for (const auto& f : files) {
        RAMPART_RETURN_IF_ERROR(CheckKeys(f, "inputs.files[]", {"path", "format", "tenant"}));
        FileInputConfig fc;
        std::string format = "auto";
        RAMPART_RETURN_IF_ERROR(Read(f, "path", "inputs.files[]", &fc.path));
        RAMPART_RETURN_IF_ERROR(Read(f, "format", "inputs.files[]", &format));
        RAMPART_RETURN_IF_ERROR(Read(f, "tenant", "inputs.files[]", &fc.tenant));
        if (fc.path.empty()) {
          return InvalidArgument("config: inputs.files[] needs a path (" + Where(f) + ")");
        }
        if (!parse::ParseFormatName(format, &fc.format)) {
          return InvalidArgument("config: unknown format '" + format + "' (" + Where(f) + ")");
        }
        if (!fc.tenant.empty() && !store::IsValidTenant(fc.tenant)) {
          return InvalidArgument("config: invalid tenant name '" + fc.tenant + "'");
        }
        c->files.push_back(std::move(fc));
      }
    }
    if (const YAML::Node s = in["syslog"]) {
      RAMPART_RETURN_IF_ERROR(CheckKeys(s, "inputs.syslog", {"udp", "tcp"}));
      RAMPART_RETURN_IF_ERROR(Read(s, "udp", "inputs.syslog", &c->syslog_udp));
      RAMPART_RETURN_IF_ERROR(Read(s, "tcp", "inputs.syslog", &c->syslog_tcp));
    }
    if (const YAML::Node h = in["http"]) {
      RAMPART_RETURN_IF_ERROR(CheckKeys(h, "inputs.http", {"listen", "max_body_bytes"}));
      RAMPART_RETURN_IF_ERROR(Read(h, "listen", "inputs.http", &c->http));
      RAMPART_RETURN_IF_ERROR(Read(h, "max_body_bytes", "inputs.http", &c->http_max_body_bytes));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ServerConfig> LoadServerConfig(const std::string& path) {
  ServerConfig c;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return NotFound("config: cannot read " + path);
  } catch (const YAML::Exception& e) {
    return InvalidArgument("config: " + path + ": " + e.what());
  }
  try {
    Status st = ParseConfig(root, &c);
    if (!st.ok()) {
      return Status(st.code(), std::string(st.message()) + " in " + path);
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument("config: " + path + ": " + e.what());
  }
  return c;
}

std::string DefaultServerConfigYaml() {
  return R"(# Rampart server configuration. Every key is optional; these are the defaults.
data_dir: data              # event databases, checkpoints, secret.key
tenant: default             # tenant for inputs that do not name one
retention:
  days: 30                  # delete day files older than this; 0 keeps forever
masking:
  policy: ""                # masking policy YAML; empty = built-in default (docs/masking.md)
inputs:
  files: []                 # - {path: /var/log/auth.log, format: syslog, tenant: default}
  syslog:
    udp: 127.0.0.1:5514     # empty string disables
    tcp: 127.0.0.1:5514
  http:
    listen: 127.0.0.1:8514  # POST /v1/ingest, GET /v1/health
    max_body_bytes: 33554432
queue:
  max_bytes: 67108864       # records waiting to be stored; beyond it inputs are slowed
  batch_size: 4096          # events per transaction
  flush_interval_ms: 200    # longest time a record waits before it is stored
detection:                  # every stored event is matched; detections are stored too
  rules: [rules/sigma]      # Sigma rule files/directories (docs/sigma.md)
  logsources: ""            # log-source mapping YAML; empty = built-in (docs/sigma-logsources.md)
  placeholders: ""          # values of |expand placeholders (YAML); empty = none (docs/sigma.md)
  ioc: config/ioc           # IOC lists: *.txt|csv|json + tenants/<t>/ (docs/ioc.md); SIGHUP reloads
)";
}

}  // namespace rampart::ingest
