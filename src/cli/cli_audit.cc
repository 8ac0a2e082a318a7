#include "cli/cli_audit.h"

#include <cstdio>

#include "server/auth.h"

namespace rampart::cli {

audit::Record ToAuditRecord(const respond::AuditEntry& e) {
  audit::Record r;
  r.actor = e.actor;
  r.action = e.action;
  r.tenant = e.tenant;
  r.object = e.object;
  r.related = e.related;
  r.reason = e.reason;
  r.details_json = e.details_json.empty() ? "{}" : e.details_json;
  return r;
}

Result<CliAudit> CliAudit::Open(const std::string& data_dir) {
  bool created = false;
  auto log = audit::AuditLog::Open(data_dir, audit::AuditOptions{}, &created);
  if (!log.ok()) {
    return Status(log.status().code(), "audit log: " + std::string(log.status().message()));
  }
  if (created) {
    std::fprintf(stderr,
                 "rampart: created the audit signing key; its public key (keep a copy "
                 "elsewhere to verify the log): %s\n",
                 (*log)->PublicKeyHex().c_str());
  }
  CliAudit a;
  a.log_ = std::shared_ptr<audit::AuditLog>(std::move(log).value());
  a.actor_ = server::Actor(server::LocalAdministrator());
  return a;
}

void CliAudit::Record(const respond::AuditEntry& e) {
  auto appended = log_->Append(ToAuditRecord(e));
  Status flushed = appended.ok() ? log_->Flush() : appended.status();
  if (!flushed.ok()) {
    std::fprintf(stderr, "warning: the audit record of %s %s was not written: %s\n",
                 e.action.c_str(), e.object.c_str(), flushed.ToString().c_str());
  }
}

}  // namespace rampart::cli
