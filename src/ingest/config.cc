// serve configuration (YAML). Every key is documented in docs/configuration.md.

#include <set>

#include <yaml-cpp/yaml.h>

#include "core/ip.h"
#include "ingest/internal/server_parts.h"
#include "ingest/server.h"
#include "store/store.h"

namespace rampart::ingest {
namespace {

// "IP:PORT" with a numeric IPv4 or bracketed IPv6 address, the form every listener needs.
bool IsNumericListenAddress(const std::string& address) {
  std::string host;
  int port = 0;
  if (!internal::SplitHostPort(address, &host, &port)) {
    return false;
  }
  IpAddress ip;
  return ParseIpAddress(host, &ip) && ip.v6 == (address.front() == '[');
}

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
  RAMPART_RETURN_IF_ERROR(CheckKeys(root, "",
                                    {"data_dir", "tenant", "retention", "masking", "inputs",
                                     "queue", "detection", "time", "limits", "geo",
                                     // read by the control loop (respond/config.h)
                                     "incidents", "response", "decision_api", "audit",
                                     // read by web detection (detect/web/config.h)
                                     "web",
                                     // read by behaviour detection (detect/behavior/config.h)
                                     "behavior"}));
  if (const YAML::Node t = root["time"]) {
    RAMPART_RETURN_IF_ERROR(CheckKeys(t, "time", {"max_future_skew_seconds"}));
    int64_t skew_s = c->max_future_skew_ns / kNsPerSec;
    RAMPART_RETURN_IF_ERROR(Read(t, "max_future_skew_seconds", "time", &skew_s));
    if (skew_s < 0 || skew_s > 7 * 86400) {
      return InvalidArgument("config: time.max_future_skew_seconds must be 0 to 604800");
    }
    c->max_future_skew_ns = skew_s * kNsPerSec;
  }
  if (const YAML::Node g = root["geo"]) {
    RAMPART_RETURN_IF_ERROR(CheckKeys(g, "geo", {"enabled", "database"}));
    RAMPART_RETURN_IF_ERROR(Read(g, "enabled", "geo", &c->geo.enabled));
    RAMPART_RETURN_IF_ERROR(Read(g, "database", "geo", &c->geo.database));
  }
  if (const YAML::Node l = root["limits"]) {
    RAMPART_RETURN_IF_ERROR(CheckKeys(l, "limits", {"field_names_per_tenant"}));
    RAMPART_RETURN_IF_ERROR(
        Read(l, "field_names_per_tenant", "limits", &c->field_names_per_tenant));
    if (c->field_names_per_tenant < 100 || c->field_names_per_tenant > 200'000) {
      return InvalidArgument("config: limits.field_names_per_tenant must be 100 to 200000");
    }
  }
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
      RAMPART_RETURN_IF_ERROR(CheckKeys(
          s, "inputs.syslog",
          {"udp", "tcp", "tcp_idle_timeout_seconds", "tcp_max_connections", "tcp_max_per_source"}));
      RAMPART_RETURN_IF_ERROR(Read(s, "udp", "inputs.syslog", &c->syslog_udp));
      RAMPART_RETURN_IF_ERROR(Read(s, "tcp", "inputs.syslog", &c->syslog_tcp));
      int idle_s = c->syslog_tcp_idle_timeout_ms / 1000;
      RAMPART_RETURN_IF_ERROR(Read(s, "tcp_idle_timeout_seconds", "inputs.syslog", &idle_s));
      RAMPART_RETURN_IF_ERROR(
          Read(s, "tcp_max_connections", "inputs.syslog", &c->syslog_tcp_max_connections));
      RAMPART_RETURN_IF_ERROR(
          Read(s, "tcp_max_per_source", "inputs.syslog", &c->syslog_tcp_max_per_source));
      if (idle_s < 1 || idle_s > 86400 || c->syslog_tcp_max_connections < 1 ||
          c->syslog_tcp_max_connections > 10000 || c->syslog_tcp_max_per_source < 1) {
        return InvalidArgument(
            "config: inputs.syslog: tcp_idle_timeout_seconds must be 1 to 86400, "
            "tcp_max_connections 1 to 10000, tcp_max_per_source >= 1");
      }
      c->syslog_tcp_idle_timeout_ms = idle_s * 1000;
    }
    if (const YAML::Node h = in["http"]) {
      RAMPART_RETURN_IF_ERROR(
          CheckKeys(h, "inputs.http",
                    {"listen", "max_body_bytes", "tls_cert", "tls_key", "insecure_plaintext",
                     "header_timeout_ms", "request_timeout_ms", "max_connections",
                     "max_connections_per_ip"}));
      RAMPART_RETURN_IF_ERROR(Read(h, "listen", "inputs.http", &c->http));
      RAMPART_RETURN_IF_ERROR(Read(h, "max_body_bytes", "inputs.http", &c->http_max_body_bytes));
      RAMPART_RETURN_IF_ERROR(Read(h, "tls_cert", "inputs.http", &c->http_tls_cert));
      RAMPART_RETURN_IF_ERROR(Read(h, "tls_key", "inputs.http", &c->http_tls_key));
      RAMPART_RETURN_IF_ERROR(
          Read(h, "insecure_plaintext", "inputs.http", &c->http_insecure_plaintext));
      RAMPART_RETURN_IF_ERROR(
          Read(h, "header_timeout_ms", "inputs.http", &c->http_header_timeout_ms));
      RAMPART_RETURN_IF_ERROR(
          Read(h, "request_timeout_ms", "inputs.http", &c->http_request_timeout_ms));
      RAMPART_RETURN_IF_ERROR(Read(h, "max_connections", "inputs.http", &c->http_max_connections));
      RAMPART_RETURN_IF_ERROR(
          Read(h, "max_connections_per_ip", "inputs.http", &c->http_max_connections_per_ip));
      // Record offsets are 32-bit and one body is held in memory: 1 GiB at most.
      if (c->http_max_body_bytes < 1024 || c->http_max_body_bytes > (size_t{1} << 30)) {
        return InvalidArgument("config: inputs.http.max_body_bytes must be 1024 to 1073741824");
      }
      if (c->http_header_timeout_ms < 100 || c->http_request_timeout_ms < 100 ||
          c->http_max_connections < 1 || c->http_max_connections_per_ip < 1) {
        return InvalidArgument(
            "config: inputs.http: timeouts must be >= 100 ms and connection limits >= 1");
      }
      if (c->http_tls_cert.empty() != c->http_tls_key.empty()) {
        return InvalidArgument("config: inputs.http needs both tls_cert and tls_key, or neither");
      }
    }
  }
  return ValidateListenAddresses(*c);
}

}  // namespace

Status ValidateListenAddresses(const ServerConfig& c) {
  const std::pair<const char*, const std::string*> listeners[] = {
      {"inputs.syslog.udp", &c.syslog_udp},
      {"inputs.syslog.tcp", &c.syslog_tcp},
      {"inputs.http.listen", &c.http}};
  for (const auto& [key, value] : listeners) {
    if (!value->empty() && !IsNumericListenAddress(*value)) {
      return InvalidArgument(std::string("config: ") + key + ": '" + *value +
                             "' is not IP:PORT (e.g. 127.0.0.1:5514 or [::1]:5514)");
    }
  }
  return Status::Ok();
}

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
    tcp_idle_timeout_seconds: 300  # a connection silent this long is closed
    tcp_max_connections: 256       # when full, the longest-idle connection is closed
    tcp_max_per_source: 32         # connections from one address
  http:
    listen: 127.0.0.1:8514  # the API (docs/api.md); every endpoint but /v1/health needs a token
    max_body_bytes: 33554432       # per request, after gzip decompression too
    tls_cert: ""                   # PEM certificate chain and key: both set = HTTPS
    tls_key: ""
    insecure_plaintext: false      # required to serve plain HTTP on a non-loopback address
    header_timeout_ms: 10000       # idle or slow clients are cut after this
    request_timeout_ms: 60000
    max_connections: 1024
    max_connections_per_ip: 64
queue:
  max_bytes: 67108864       # records waiting to be stored; beyond it inputs are slowed
  batch_size: 4096          # events per transaction
  flush_interval_ms: 200    # longest time a record waits before it is stored
time:
  max_future_skew_seconds: 300  # later events are stored and flagged; they never move time
limits:
  field_names_per_tenant: 50000 # new field names one tenant may add; beyond: _overflow
detection:                  # every stored event is matched; detections are stored too
  rules: [rules/sigma]      # Sigma rule files/directories (docs/sigma.md)
  logsources: ""            # log-source mapping YAML; empty = built-in (docs/sigma-logsources.md)
  placeholders: ""          # values of |expand placeholders (YAML); empty = none (docs/sigma.md)
  ioc: config/ioc           # IOC lists: *.txt|csv|json + tenants/<t>/ (docs/ioc.md); SIGHUP reloads
incidents:                  # detections grouped per entity (docs/incidents.md)
  gap: 30m                  # a quieter entity starts a new incident
  max_span: 24h             # an incident spans at most this (event time)
  risk_half_life: 24h       # the risk score halves after this without detections
  assets: []                # - {match: "host:db-01", criticality: 2}  (ip: takes CIDRs)
response:                   # policies -> decisions -> enforcement (docs/response.md)
  policies: [rules/response]
  shadow: false             # true: decisions are stored and counted, never enforced
  allowlist: []             # CIDRs and type:value (user:, api_key:, token:, session:, host:)
  allowlist_loopback: true  # 127.0.0.0/8 and ::1 are never acted on
  connectors: {}            # nftables, webhooks, commands (docs/response.md)
decision_api:               # GET /v1/decisions/check for nginx (docs/enforcement.md)
  client_ip_headers: [X-Real-IP, X-Forwarded-For]
  trusted_proxies: []       # loopback is always trusted
web:                        # web/API attacks in the Body Log (docs/web_rules.md)
  enabled: true
  rules: [rules/web]        # the web rule pack
  paranoia: 2               # 1-4: rules of this level and below run
  threshold: 5              # anomaly points that make a detection
  exclusions: []            # - {rules: [sqli], paths: ["/reports/*"], params: ["body.query"]}
  report_limits: true       # requests over a limit are reported, never skipped silently
  limits: {max_parts: 1024, max_body_bytes: 1048576, max_depth: 32}
  model:                    # learned model per endpoint, <data>/tenants/<t>/web_model.txt
    enabled: true
    learn_requests: 200     # clean requests before an endpoint detects
    max_endpoints: 2000     # per tenant
    max_params: 64          # per endpoint
    save_interval: 60s
  tenants: {}               # per-tenant overrides: {acme: {paranoia: 1, threshold: 8}}
behavior:                   # entities over time: brute force, stuffing, key abuse, DDoS (docs/behavior.md)
  enabled: true
  scenarios: [rules/behavior]
  snapshot_interval: 60s    # entity state -> <data>/behavior/state.bin (restored at start)
  logins: []                # web login endpoints; empty: POSTs to *login*, *signin*... (4xx fails)
  tenants: {}               # per-tenant logins: {acme: {logins: [{path: /api/login}]}}
geo:                        # source.geo.country_iso_code/name at ingest, offline
  enabled: true
  database: ""              # a MaxMind DB (.mmdb); empty: Debian's geoip-database
audit:                      # the signed audit log (docs/formats/audit.md)
  checkpoint_every: 1000    # records between signed checkpoints
  checkpoint_interval: 60s
)";
}

}  // namespace rampart::ingest
