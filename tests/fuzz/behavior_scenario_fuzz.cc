// libFuzzer target: the behaviour scenario reader, the compiler and the engine. Any text
// either loads scenarios or lists problems ("file:line: reason"); loaded scenarios compile and
// run over a few events, and a snapshot of their state loads back.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "detect/behavior/engine.h"
#include "detect/behavior/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rampart;
  using namespace rampart::detect::behavior;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto set = std::make_shared<ScenarioSet>();
  std::vector<std::string> problems;
  ParseScenarios(text, "fuzz.yml", set.get(), &problems);
  for (const std::string& p : problems) {
    if (p.rfind("fuzz.yml:", 0) != 0) {
      std::abort();  // every problem names the file and line
    }
  }
  if (set->scenarios.empty()) {
    return 0;
  }
  auto compiled = CompiledScenarios::Compile(set);
  if (!compiled.ok()) {
    std::abort();  // the reader accepted what the compiler refuses
  }
  Engine engine(compiled.value());
  EventBatch batch;
  Arena arena;
  std::vector<Observation> observations;
  std::vector<Detection> found;
  const char* fields[] = {"source.ip", "user.name",           "event.outcome",
                          "url.path",  "http.request.method", "event.category"};
  const char* values[] = {"failure", "success", "10.0.0.1", "10.0.0.2",      "/login",
                          "POST",    "alice",   "bob",      "authentication"};
  for (int i = 0; i < 64; ++i) {
    batch.Clear();
    Event& e = batch.BeginEvent();
    e.timestamp_ns = int64_t{1'767'225'600 + i * 37} * 1'000'000'000;
    e.tenant = "t";
    for (size_t k = 0; k < std::size(fields); ++k) {
      batch.AddField(FieldDict::Intern(fields[k]), values[(i * 7 + k * 3) % std::size(values)]);
    }
    batch.CommitEvent();
    observations.clear();
    compiled.value()->Observe(batch, batch[0], static_cast<uint64_t>(i), 0, arena, &observations);
    for (const Observation& o : observations) {
      engine.Process(o, &found);
    }
  }
  return 0;
}
