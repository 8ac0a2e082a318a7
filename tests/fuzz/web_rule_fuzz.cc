// libFuzzer target: the web rule reader and compiler. Any text either loads rules or lists
// problems ("file:line: reason"); loaded rules must compile (a pattern Vectorscan refuses is a
// problem, never a crash).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detect/web/web.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto set = std::make_shared<rampart::detect::web::WebRuleSet>();
  std::vector<std::string> problems;
  rampart::detect::web::ParseWebRules(text, "fuzz.yml", set.get(), &problems);
  for (const std::string& p : problems) {
    if (p.rfind("fuzz.yml:", 0) != 0) {
      std::abort();  // every problem names the file and line
    }
  }
  if (!set->rules.empty()) {
    (void)rampart::detect::web::CompiledWebRules::Compile(set, {}, &problems);
  }
  return 0;
}
