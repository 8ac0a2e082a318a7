// libFuzzer target for the Sigma loader. Each input is used twice: as the text of a rule
// file (YAML, possibly several documents) through the whole loader (reader, collector,
// condition parser, correlation resolution), and as a condition string through the
// condition parser and resolver. Both must turn any bytes into rules or refusals, never an
// escaping exception (yaml-cpp throws), a crash or unbounded recursion. Loaded rules are
// also compiled (Vectorscan/PCRE2) and matched against a small event whose field values
// are the input's bytes, and loaded correlations run over hits whose times, group values
// and numbers come from the input's bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/field_dict.h"
#include "detect/correlate/correlate.h"
#include "detect/sigma/condition_parser.h"
#include "detect/sigma/engine.h"
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

  auto compiled = rampart::sigma::CompiledRules::Compile(loaded.rules);
  if (compiled.ok() && !loaded.rules->rules.empty()) {
    rampart::EventBatch batch;
    rampart::Event& e = batch.BeginEvent();
    e.dataset = "test";
    e.tenant = "default";
    e.raw = batch.Copy(text);
    for (const char* name : {"Image", "CommandLine", "EventID", "source.ip"}) {
      batch.AddField(rampart::FieldDict::Intern(name), batch.Copy(text.substr(0, 256)));
    }
    batch.CommitEvent();
    rampart::sigma::Matcher matcher(compiled.value());
    std::vector<rampart::sigma::RuleHit> hits;
    // The rules' own datasets, and one that no rule maps to.
    for (const char* dataset : {"test", "windows.sysmon", "nginx.access", "linux.auth"}) {
      batch[0].dataset = dataset;
      hits.clear();
      matcher.Match(batch, batch[0], &hits);
      for (const rampart::sigma::RuleHit& hit : hits) {
        (void)compiled.value()->MakeDetection(batch, batch[0], hit, matcher);
      }
    }
  }

  if (!loaded.rules->correlations.empty()) {
    auto engine = rampart::correlate::Engine::Create(loaded.rules);
    if (engine.ok()) {
      // Hits of every rule, one per input byte pair: time steps forward and back (late and
      // out-of-order hits), a few group values, numbers including negatives and fractions.
      std::vector<rampart::correlate::CorrelationHit> out;
      int64_t time = 1'700'000'000'000'000'000;
      const size_t rules = loaded.rules->rules.size();
      for (size_t i = 0; i + 1 < size && i < 512 && rules > 0; i += 2) {
        const uint8_t a = data[i];
        const uint8_t b = data[i + 1];
        rampart::correlate::RuleHit hit;
        hit.rule_index = static_cast<uint32_t>(a % rules);
        time += (static_cast<int64_t>(b % 16) - 4) * 500'000'000;
        hit.time_ns = time;
        hit.sequence = i / 2 + 1;
        hit.tenant = "default";
        hit.dataset = "test";
        const std::vector<std::string>& fields = (*engine)->FieldsFor(hit.rule_index);
        for (size_t f = 0; f < fields.size(); ++f) {
          const int v = (a >> 3) + static_cast<int>(f) - (b & 7);
          hit.values.push_back(v % 5 == 0 ? std::nullopt
                                          : std::optional<std::string>(std::to_string(v / 2.0)));
        }
        (*engine)->Add(hit, &out);
        if (b % 37 == 0) {
          (*engine)->Expire(time);
        }
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
