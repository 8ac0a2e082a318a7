#pragma once
// Private to src/cli: the audit records of what the CLI changes. The local OS user is the
// actor (server::LocalAdministrator()); the log is opened before the change, so a change
// that cannot be recorded is not made.

#include <memory>
#include <string>

#include "audit/audit.h"
#include "core/status.h"
#include "respond/controller.h"

namespace rampart::cli {

class CliAudit {
 public:
  static Result<CliAudit> Open(const std::string& data_dir);
  // Appends and flushes one record; prints a warning when that fails (the change is made).
  void Record(const respond::AuditEntry& e);
  const std::string& actor() const { return actor_; }

 private:
  std::shared_ptr<audit::AuditLog> log_;
  std::string actor_;
};

// An audit Record from a control-loop entry.
audit::Record ToAuditRecord(const respond::AuditEntry& e);

}  // namespace rampart::cli
