#pragma once
// Private to src/cli: the control side of `rampart serve` — the audit log, the response
// policies, the enforcement connectors and the control loop — set up from the `incidents`,
// `response`, `decision_api` and `audit` sections of the server configuration, and torn
// down in the order that loses nothing (docs/response.md).

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "core/detection.h"
#include "core/status.h"
#include "respond/config.h"
#include "respond/connectors.h"
#include "respond/controller.h"
#include "server/api.h"

namespace rampart::cli {

class ServeControl {
 public:
  // `config_path` may be empty (defaults). Errors name the file and line.
  static Result<std::unique_ptr<ServeControl>> Start(const std::string& config_path,
                                                     const std::string& data_dir);
  ~ServeControl();

  // Only checks the configuration and the policies (serve --check-config).
  static Status Check(const std::string& config_path, std::string* summary);

  void OnDetections(const std::vector<Detection>& detections) { controller_->Submit(detections); }
  void ConfigureApi(server::ApiContext& api);
  // Makes the audit records durable; the server calls it a few times a second.
  void FlushAudit();
  size_t policies() const { return policies_; }
  // Stops the loop after the detections already queued, lets the connectors finish their
  // queue (up to a few seconds), and flushes the audit log.
  void Stop();

 private:
  ServeControl() = default;
  void Record(const respond::AuditEntry& e);

  std::string data_dir_;
  respond::ResponseConfig config_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::atomic<uint64_t> audit_failures_{0};
  std::unique_ptr<respond::ConnectorDispatcher> connectors_;
  std::unique_ptr<respond::Controller> controller_;
  std::string pseudonym_key_;
  size_t policies_ = 0;
  bool stopped_ = false;
};

}  // namespace rampart::cli
