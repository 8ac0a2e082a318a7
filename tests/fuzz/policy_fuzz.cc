// libFuzzer target for response policy files: any bytes must give policies or an error
// naming file:line, never a crash; what parses must also match a detection and decide on it
// without trouble (the engine takes whatever the reader accepted).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/detection.h"
#include "incident/incident.h"
#include "respond/engine.h"
#include "respond/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto set = rampart::respond::ParsePolicies(text, "fuzz.yml");
  if (!set.ok()) {
    if (set.status().message().rfind("fuzz.yml:", 0) != 0) {
      __builtin_trap();  // every refusal names the file (and line)
    }
    return 0;
  }
  auto allow = rampart::respond::Allowlist::Parse({}, true);
  rampart::respond::ResponseEngine engine(
      std::make_shared<rampart::respond::PolicySet>(std::move(set).value()),
      std::move(allow).value(), rampart::respond::EngineOptions{});
  rampart::Detection d;
  d.kind = rampart::DetectionKind::kCorrelation;
  d.rule_id = "r";
  d.level = rampart::Severity::kHigh;
  d.tenant = "default";
  d.tactics = {"credential-access"};
  d.techniques = {"T1110"};
  d.entities = {{"ip", "203.0.113.5"}, {"user", "alice"}, {"api_key", "hmac:0123"}};
  rampart::incident::Incident inc;
  inc.id = "inc-0";
  inc.risk = 50;
  rampart::respond::ResponseEngine::Outcome out;
  for (int i = 0; i < 3; ++i) {
    d.event_time_ns = 1'000'000'000LL * (i + 1);
    engine.OnDetection(d, inc, d.event_time_ns, &out);
  }
  return 0;
}
