// libFuzzer target for the Sigma loader. Each input is used twice: as the text of a rule
// file (YAML, possibly several documents) through the whole loader (reader, collector,
// condition parser, correlation resolution), and as a condition string through the
// condition parser and resolver. Both must turn any bytes into rules or refusals, never an
// escaping exception (yaml-cpp throws), a crash or unbounded recursion.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "detect/sigma/condition_parser.h"
#include "detect/sigma/sigma.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  rampart::sigma::LoadResult loaded = rampart::sigma::LoadRulesFromText("fuzz.yml", text);
  // Touch the result so a broken invariant (dangling index) shows up under ASan.
  for (const rampart::sigma::CorrelationRule& c : loaded.rules->correlations) {
    for (const rampart::sigma::RuleRef& ref : c.rules) {
      if (ref.kind == rampart::sigma::RuleRef::Kind::kRule) {
        (void)loaded.rules->rules.at(ref.index).meta.title.size();
      } else {
        (void)loaded.rules->correlations.at(ref.index).meta.title.size();
      }
    }
  }

  static const std::vector<std::string> kNames = {"selection", "selection_img", "filter_main",
                                                  "_private", "keywords"};
  rampart::sigma::ConditionError error;
  auto parsed = rampart::sigma::ParseCondition(text, &error);
  if (parsed.ok()) {
    std::vector<uint8_t> used(kNames.size(), 0);
    (void)rampart::sigma::ResolveCondition(*parsed, kNames, used, &error);
  }
  return 0;
}
