// The Sigma conformance runner: for every row of a regression manifest (SigmaHQ's
// regression_manifest.tsv: rule, rule id, JSON Lines events, expected match count and
// semantics), loads the rule, runs it over the events with Rampart's engine and reports
// expected vs. Rampart's matches. Exit status 1 when any test fails.
//
//   sigma_conformance <dir with regression_manifest.tsv> [--quiet]
//
// Semantics (column match_semantics): fail_if_fewer_warn_if_more: pass when Rampart finds
// at least the expected count, a warning when it finds more; at_least_1: pass with one or
// more matches.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/event.h"
#include "detect/sigma/engine.h"
#include "detect/sigma/sigma.h"
#include "parse/parse.h"

namespace {

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, '\t')) {
    out.push_back(cell);
  }
  if (!line.empty() && line.back() == '\t') {
    out.emplace_back();
  }
  return out;
}

struct Outcome {
  bool pass = false;
  bool warn = false;
  long ours = 0;
  std::string error;
};

Outcome RunOne(const std::string& dir, const std::vector<std::string>& row) {
  using namespace rampart;
  Outcome o;
  const std::string rule_path = dir + "/" + row[0];
  const std::string& rule_id = row[1];
  const std::string events_path = dir + "/" + row[2];
  auto loaded = sigma::LoadRules({rule_path});
  if (!loaded.ok()) {
    o.error = std::string(loaded.status().message());
    return o;
  }
  if (!loaded->refusals.empty()) {
    o.error = "rule refused: " + loaded->refusals.front().message;
    return o;
  }
  sigma::CompileReport report;
  auto compiled = sigma::CompiledRules::Compile(loaded->rules, {}, &report);
  if (!compiled.ok()) {
    o.error = std::string(compiled.status().message());
    return o;
  }
  if (!report.skipped.empty()) {
    o.error = "rule not compiled: " + report.skipped.front().message;
    return o;
  }
  std::ifstream in(events_path, std::ios::binary);
  if (!in) {
    o.error = "cannot read " + events_path;
    return o;
  }
  auto parser = parse::MakeParser(parse::Format::kWindows);
  sigma::Matcher matcher(compiled.value());
  EventBatch batch;
  parse::ParseContext ctx;
  std::string line;
  std::vector<sigma::RuleHit> hits;
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    batch.Clear();
    Status s = parser->Parse(line, ctx, batch);
    if (!s.ok()) {
      o.error = "event does not parse: " + std::string(s.message());
      return o;
    }
    for (const Event& e : batch.events()) {
      hits.clear();
      matcher.Match(batch, e, &hits);
      for (const sigma::RuleHit& h : hits) {
        const sigma::Rule& r = compiled.value()->rules().rules[h.rule_index];
        if (r.meta.id == rule_id) {
          ++o.ours;
        }
      }
    }
  }
  const std::string& expected_text = row[3];
  const std::string& semantics = row[4];
  if (semantics == "at_least_1" || expected_text.empty()) {
    o.pass = o.ours >= 1;
  } else {
    const long expected = std::stol(expected_text);
    o.pass = o.ours >= expected;
    o.warn = o.ours > expected;
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: sigma_conformance <dir with regression_manifest.tsv> [--quiet]\n";
    return 2;
  }
  const std::string dir = argv[1];
  const bool quiet = argc > 2 && std::string(argv[2]) == "--quiet";
  std::ifstream manifest(dir + "/regression_manifest.tsv");
  if (!manifest) {
    std::cerr << "sigma_conformance: cannot read " << dir << "/regression_manifest.tsv\n";
    return 2;
  }
  std::string line;
  std::getline(manifest, line);  // header
  int passed = 0;
  int failed = 0;
  int warnings = 0;
  std::printf("%-6s %8s %5s  %s\n", "result", "expected", "ours", "rule");
  while (std::getline(manifest, line)) {
    std::vector<std::string> row = SplitTabs(line);
    if (row.size() < 5) {
      continue;
    }
    Outcome o = RunOne(dir, row);
    const char* result = o.pass ? (o.warn ? "PASS+" : "PASS") : "FAIL";
    passed += o.pass ? 1 : 0;
    failed += o.pass ? 0 : 1;
    warnings += o.warn ? 1 : 0;
    if (!quiet || !o.pass) {
      const std::string expected = row[4] == "at_least_1" || row[3].empty() ? ">=1" : row[3];
      std::printf("%-6s %8s %5ld  %s%s%s\n", result, expected.c_str(), o.ours, row[0].c_str(),
                  o.error.empty() ? "" : "  ERROR: ", o.error.c_str());
    }
  }
  std::printf("%d passed, %d failed (%d found more matches than expected: PASS+)\n", passed, failed,
              warnings);
  return failed == 0 ? 0 : 1;
}
