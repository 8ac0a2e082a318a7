// Sigma evaluation speed: all loaded Windows rules (and the first 100, 500, 1,000 of them)
// over the EVTX-ATTACK-SAMPLES JSON Lines, against the floor of parsing the same lines with
// simdjson and doing nothing else. One thread: the figures are per core.
//
//   sigma_bench RULES_DIR EVTX_DIR [--seconds S] [--only-all | --only-parse]
//
// Prints a markdown table. "parse-only floor": simdjson's DOM parser over each line (full
// validation, every string unescaped), results discarded.
// "rules": Rampart's Windows event parser into an EventBatch, then the Sigma matcher.
// Programs are built before timing (compile time is reported separately). Each timed pass
// starts with the matcher's scan cache cleared, so the figure
// is that of input seen for the first time, not of the same 8,255 events again and again.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <simdjson.h>

#include "core/event.h"
#include "detect/sigma/engine.h"
#include "detect/sigma/sigma.h"
#include "parse/parse.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::vector<std::string> ReadLines(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> lines;
  for (const std::string& f : files) {
    std::ifstream in(f);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) {
        lines.push_back(line);
      }
    }
  }
  return lines;
}

// Runs `pass` (one pass over all lines) until `seconds` have passed; returns events/s.
template <typename Pass>
double Rate(size_t events_per_pass, double seconds, Pass&& pass) {
  pass();  // warm-up
  size_t passes = 0;
  const auto start = Clock::now();
  do {
    pass();
    ++passes;
  } while (Seconds(start) < seconds);
  return static_cast<double>(events_per_pass * passes) / Seconds(start);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rampart;
  if (argc < 3) {
    std::fprintf(stderr, "usage: sigma_bench RULES_DIR EVTX_DIR [--seconds S]\n");
    return 2;
  }
  double seconds = 3;
  bool only_all = false;    // --only-all: just the all-rules configuration (for profiling)
  bool only_parse = false;  // --only-parse: just Rampart's parser (for profiling)
  for (int i = 3; i < argc; ++i) {
    if (std::string(argv[i]) == "--seconds" && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else if (std::string(argv[i]) == "--only-all") {
      only_all = true;
    } else if (std::string(argv[i]) == "--only-parse") {
      only_parse = true;
    }
  }
  const std::vector<std::string> lines = ReadLines(argv[2]);
  size_t bytes = 0;
  std::vector<simdjson::padded_string> padded;
  padded.reserve(lines.size());
  for (const std::string& l : lines) {
    bytes += l.size();
    padded.emplace_back(l);
  }

  auto loaded = sigma::LoadRules({argv[1]});
  if (!loaded.ok()) {
    std::fprintf(stderr, "sigma_bench: %s\n", loaded.status().ToString().c_str());
    return 1;
  }
  std::vector<sigma::Rule> windows;
  for (const sigma::Rule& r : loaded->rules->rules) {
    if (r.logsource.product == "windows") {
      windows.push_back(r);
    }
  }

  // The floor: simdjson's DOM parser (validates the whole record and unescapes every
  // string into its tape), nothing else.
  simdjson::dom::parser json;
  size_t sink = 0;
  const double floor = Rate(lines.size(), only_all || only_parse ? 0.01 : seconds, [&] {
    for (const simdjson::padded_string& p : padded) {
      simdjson::dom::element doc;
      if (json.parse(p).get(doc) == simdjson::SUCCESS) {
        ++sink;
      }
    }
  });

  std::printf("EVTX-ATTACK-SAMPLES: %zu events, %.1f MB; %zu Windows rules loaded\n\n",
              lines.size(), static_cast<double>(bytes) / 1e6, windows.size());
  std::printf(
      "| configuration | rules | compile s | events/s (1 core) | vs parse-only floor | "
      "rule matches/pass | scan cache hits "
      "|\n|---|---:|---:|---:|---:|---:|---:|\n");
  std::printf("| simdjson parse-only floor | 0 | | %.0f | 1.00 | | |\n", floor);

  auto parser = parse::MakeParser(parse::Format::kWindows);
  parse::ParseContext ctx;
  EventBatch batch;
  const double parse_only = Rate(lines.size(), only_all ? 0.01 : seconds, [&] {
    for (const std::string& l : lines) {
      batch.Clear();
      (void)parser->Parse(l, ctx, batch);
    }
  });
  std::printf("| Rampart Windows parser, no rules | 0 | | %.0f | %.2f | | |\n", parse_only,
              parse_only / floor);
  if (only_parse) {
    return 0;
  }

  for (size_t n : {size_t{100}, size_t{500}, size_t{1000}, windows.size()}) {
    if (n > windows.size() || (only_all && n != windows.size())) {
      continue;
    }
    auto set = std::make_shared<sigma::RuleSet>();
    set->rules.assign(windows.begin(), windows.begin() + static_cast<std::ptrdiff_t>(n));
    const auto compile_start = Clock::now();
    auto compiled = sigma::CompiledRules::Compile(set);
    if (!compiled.ok()) {
      std::fprintf(stderr, "sigma_bench: %s\n", compiled.status().ToString().c_str());
      return 1;
    }
    sigma::Matcher matcher(compiled.value());
    std::vector<sigma::RuleHit> hits;
    size_t matches = 0;
    auto pass = [&] {
      matcher.ClearCaches();
      matches = 0;
      for (const std::string& l : lines) {
        batch.Clear();
        (void)parser->Parse(l, ctx, batch);
        for (const Event& e : batch.events()) {
          hits.clear();
          matcher.Match(batch, e, &hits);
          matches += hits.size();
        }
      }
    };
    pass();  // builds every dataset's program
    const double compile_s = Seconds(compile_start);
    const sigma::Matcher::CacheStats before = matcher.cache_stats();
    const double rate = Rate(lines.size(), seconds, pass);
    const sigma::Matcher::CacheStats after = matcher.cache_stats();
    const double cache_hits =
        static_cast<double>(after.hits - before.hits) /
        static_cast<double>(std::max<size_t>(1, after.lookups - before.lookups));
    std::printf("| parse + match %s rules | %zu | %.2f | %.0f | %.2f | %zu | %.0f%% |\n",
                n == windows.size() ? "all" : std::to_string(n).c_str(), n, compile_s, rate,
                rate / floor, matches, 100 * cache_hits);
  }
  return sink == 42 ? 1 : 0;  // keeps the floor's work observable
}
