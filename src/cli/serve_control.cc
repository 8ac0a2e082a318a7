#include "cli/serve_control.h"

#include <cstdio>
#include <string>
#include <utility>

#include "cli/cli_audit.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/strings.h"
#include "enrich/enrich.h"
#include "respond/policy.h"

namespace rampart::cli {
namespace {

std::string FileDetails(const std::string& path, const std::string& sha256) {
  std::string out = "{\"file\":";
  AppendJsonString(out, path);
  out += ",\"sha256\":";
  AppendJsonString(out, sha256);
  out += '}';
  return out;
}

}  // namespace

Status ServeControl::Check(const std::string& config_path, std::string* summary) {
  RAMPART_ASSIGN_OR_RETURN(respond::ResponseConfig config,
                           respond::LoadResponseConfig(config_path));
  RAMPART_ASSIGN_OR_RETURN(respond::PolicySet policies, respond::LoadPolicies(config.policy_paths));
  RAMPART_ASSIGN_OR_RETURN(respond::ConnectorsConfig connectors,
                           respond::ParseConnectorsConfig(config.connectors, config.file));
  RAMPART_RETURN_IF_ERROR(
      respond::Allowlist::Parse(config.allowlist, config.allowlist_loopback).status());
  *summary = "policies=" + std::to_string(policies.policies.size()) +
             (config.shadow ? " (shadow)" : "") + " connectors=" +
             std::to_string((connectors.nftables.enabled ? 1 : 0) + connectors.webhooks.size() +
                            connectors.commands.size());
  return Status::Ok();
}

Result<std::unique_ptr<ServeControl>> ServeControl::Start(const std::string& config_path,
                                                          const std::string& data_dir) {
  std::unique_ptr<ServeControl> c(new ServeControl());
  c->data_dir_ = data_dir;
  RAMPART_ASSIGN_OR_RETURN(c->config_, respond::LoadResponseConfig(config_path));
  RAMPART_ASSIGN_OR_RETURN(respond::PolicySet policies,
                           respond::LoadPolicies(c->config_.policy_paths));
  RAMPART_ASSIGN_OR_RETURN(respond::ConnectorsConfig connectors,
                           respond::ParseConnectorsConfig(c->config_.connectors, c->config_.file));
  RAMPART_ASSIGN_OR_RETURN(
      respond::Allowlist allowlist,
      respond::Allowlist::Parse(c->config_.allowlist, c->config_.allowlist_loopback));
  RAMPART_ASSIGN_OR_RETURN(c->pseudonym_key_, enrich::LoadOrCreateKey(data_dir));

  audit::AuditOptions audit_options;
  audit_options.checkpoint_every_records = c->config_.audit_checkpoint_records;
  audit_options.checkpoint_every_ns = c->config_.audit_checkpoint_ns;
  bool created_key = false;
  auto log = audit::AuditLog::Open(data_dir, audit_options, &created_key);
  if (!log.ok()) {
    return Status(log.status().code(), "audit log: " + std::string(log.status().message()));
  }
  c->audit_ = std::move(log).value();
  if (created_key) {
    std::fprintf(stderr,
                 "rampart serve: created the audit log's signing key. Keep a copy of its public "
                 "key outside this machine to verify the log later:\n  %s\n",
                 c->audit_->PublicKeyHex().c_str());
  }

  // What the server runs with, recorded before it acts on anything.
  const std::string who = "system";
  if (!config_path.empty()) {
    auto text = ReadWholeFile(config_path, "configuration");
    respond::AuditEntry e;
    e.actor = who;
    e.action = "config.load";
    e.object = "file:" + config_path;
    e.reason = "rampart serve started";
    e.details_json = FileDetails(config_path, text.ok() ? respond::Sha256Hex(*text) : "");
    c->Record(e);
  }
  for (const auto& [file, hash] : policies.file_hashes) {
    respond::AuditEntry e;
    e.actor = who;
    e.action = "policy.load";
    e.object = "file:" + file;
    e.reason = "response policies loaded";
    e.details_json = FileDetails(file, hash);
    c->Record(e);
  }
  c->policies_ = policies.policies.size();

  ServeControl* raw = c.get();
  c->connectors_ = std::make_unique<respond::ConnectorDispatcher>(
      std::move(connectors), data_dir,
      [raw](const std::string& tenant, const std::string& id, const respond::ConnectorResult& r) {
        if (raw->controller_) {
          raw->controller_->OnConnectorResult(tenant, id, r);
        }
      });

  respond::ControllerOptions options;
  options.data_dir = data_dir;
  options.policies = std::make_shared<respond::PolicySet>(std::move(policies));
  options.allowlist = std::move(allowlist);
  options.engine.shadow = c->config_.shadow;
  options.grouping = c->config_.grouping;
  options.audit = [raw](const respond::AuditEntry& e) {
    raw->Record(e);
  };
  options.enforce = [raw](bool apply, const respond::Decision& d) {
    raw->connectors_->Enqueue(apply ? respond::Operation::kApply : respond::Operation::kRemove, d);
  };
  RAMPART_ASSIGN_OR_RETURN(c->controller_, respond::Controller::Start(std::move(options)));
  // After a restart or crash the firewall holds exactly what the store says is enforced.
  Status reconciled = c->connectors_->Reconcile(c->controller_->Enforced(), WallNowNs());
  if (!reconciled.ok()) {
    std::fprintf(stderr, "rampart serve: nftables reconciliation: %s\n",
                 reconciled.ToString().c_str());
  }
  c->FlushAudit();
  return c;
}

ServeControl::~ServeControl() {
  Stop();
}

void ServeControl::Record(const respond::AuditEntry& e) {
  auto appended = audit_->Append(ToAuditRecord(e));
  if (!appended.ok()) {
    // Counted and said once in a while; the action it records has happened already.
    if (audit_failures_++ % 1000 == 0) {
      std::fprintf(stderr, "rampart serve: audit record %s %s not written: %s\n", e.action.c_str(),
                   e.object.c_str(), appended.status().ToString().c_str());
    }
  }
}

void ServeControl::FlushAudit() {
  if (Status st = audit_->Flush(); !st.ok()) {
    std::fprintf(stderr, "rampart serve: audit flush: %s\n", st.ToString().c_str());
  }
}

void ServeControl::ConfigureApi(server::ApiContext& api) {
  api.control = controller_.get();
  api.pseudonym_key = pseudonym_key_;
  api.risk_half_life_ns = config_.grouping.risk_half_life_ns;
  api.decision_api.client_ip_headers = config_.client_ip_headers;
  for (const std::string& p : config_.trusted_proxies) {
    IpPrefix prefix;
    if (ParseIpPrefix(p, &prefix)) {
      api.decision_api.trusted_proxies.push_back(prefix);
    }
  }
  api.audit = [this](const respond::AuditEntry& e) {
    Record(e);
  };
  respond::ConnectorDispatcher* connectors = connectors_.get();
  api.connector_counters = [connectors] {
    return connectors->Counters();
  };
}

void ServeControl::Stop() {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  controller_->Drain();
  const size_t abandoned = connectors_->Stop(3000);
  if (abandoned > 0) {
    std::fprintf(stderr, "rampart serve: %zu enforcement job(s) abandoned at shutdown\n",
                 abandoned);
  }
  controller_->Stop();
  FlushAudit();
}

}  // namespace rampart::cli
