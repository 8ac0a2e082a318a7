// The command connector: one run of the configured argv per attempt (no shell), the
// decision JSON on stdin, a minimal environment.

#include <string>

#include "respond/connectors.h"
#include "respond/internal/connector_process.h"

namespace rampart::respond {

Status RunCommand(const CommandConfig& config,
                  Operation op,
                  const Decision& d,
                  std::string* output) {
  internal::ProcessSpec spec;
  spec.argv = config.argv;
  spec.env = {
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "RAMPART_DECISION_ID=" + d.id,
      "RAMPART_ACTION=" + std::string(ActionName(d.action)),
      "RAMPART_OPERATION=" + std::string(OperationName(op)),
      "RAMPART_TENANT=" + d.tenant,
  };
  spec.stdin_data = DecisionToJson(d) + "\n";
  spec.timeout_ms = config.timeout_ms;
  internal::ProcessOutcome run = internal::RunProcess(spec);
  if (output != nullptr) {
    *output = std::move(run.out);
  }
  if (!run.ok()) {
    return Unavailable(run.Describe(config.timeout_ms));
  }
  return Status::Ok();
}

}  // namespace rampart::respond
