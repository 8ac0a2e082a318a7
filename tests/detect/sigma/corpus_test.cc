// Conformance against the SigmaHQ rule repository in /work/shared/corpora (skipped when
// absent): the active rules must load, every rule that does not load must have a reason,
// and the Sigma v1 aggregation rules kept under deprecated/ and unsupported/ must be
// refused with the v1 reason. The expected v1 set is computed here from the files' text,
// independently of the loader.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "core/strings.h"
#include "detect/sigma/internal/expand.h"
#include "detect/sigma/internal/program.h"  // pcre2.h, as the engine includes it
#include "detect/sigma/sigma.h"
#include "parse/parse.h"

namespace rampart::sigma {
namespace {

namespace fs = std::filesystem;

const std::string kSigmaDir = RAMPART_SOURCE_DIR "/../shared/corpora/sigma";

bool CorpusPresent() {
  return fs::is_directory(kSigmaDir + "/rules");
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Files whose condition uses the v1 `| count(` or `| near` syntax, found by text search.
std::set<std::string> V1AggregationFiles(const std::vector<std::string>& dirs) {
  std::set<std::string> out;
  for (const std::string& dir : dirs) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".yml") {
        continue;
      }
      std::istringstream text(ReadAll(entry.path().string()));
      std::string line;
      while (std::getline(text, line)) {
        if (line.find("condition:") == std::string::npos) {
          continue;
        }
        std::string squeezed;
        for (char c : line) {
          if (c != ' ') {
            squeezed += c;
          }
        }
        if (squeezed.find("|count(") != std::string::npos ||
            squeezed.find("|near") != std::string::npos) {
          out.insert(entry.path().string());
          break;
        }
      }
    }
  }
  return out;
}

size_t CountDocuments(const std::vector<std::string>& dirs) {
  // Each active SigmaHQ rule file holds exactly one rule (no `---`); counted independently.
  size_t n = 0;
  for (const std::string& dir : dirs) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".yml") {
        ++n;
      }
    }
  }
  return n;
}

TEST(SigmaCorpusTest, ActiveRulesLoad) {
  if (!CorpusPresent()) {
    GTEST_SKIP() << "Sigma corpus not found at " << kSigmaDir << " (../shared/corpora/sigma)";
  }
  std::vector<std::string> dirs = {kSigmaDir + "/rules", kSigmaDir + "/rules-emerging-threats",
                                   kSigmaDir + "/rules-threat-hunting",
                                   kSigmaDir + "/rules-compliance"};
  size_t total = CountDocuments(dirs);
  EXPECT_EQ(total, 3757u) << "the corpus changed";
  auto r = LoadRules(dirs);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  size_t loaded = r->rules->rules.size();
  std::map<std::string, size_t> by_reason;
  for (const Refusal& f : r->refusals) {
    ++by_reason[std::string(RefusalReasonName(f.reason))];
    EXPECT_FALSE(f.message.empty()) << f.location.file;
    EXPECT_NE(f.location.line, 0u) << f.location.file << ": " << f.message;
  }
  std::cout << "[ corpus   ] " << r->files << " files, " << loaded << " rules loaded, "
            << r->refusals.size() << " refused, " << r->warnings.size() << " warnings\n";
  for (const auto& [reason, n] : by_reason) {
    std::cout << "[ corpus   ]   refused " << reason << ": " << n << "\n";
  }
  EXPECT_EQ(r->files, total);
  // Every document is either loaded or refused with a reason: nothing is dropped.
  EXPECT_EQ(loaded + r->refusals.size(), total);
  EXPECT_GE(loaded * 100, total * 99) << "fewer than 99% of the active rules load";
  EXPECT_TRUE(r->rules->correlations.empty());
}

TEST(SigmaCorpusTest, V1AggregationRulesAreRefusedWithTheV1Reason) {
  if (!CorpusPresent()) {
    GTEST_SKIP() << "Sigma corpus not found at " << kSigmaDir << " (../shared/corpora/sigma)";
  }
  std::vector<std::string> dirs = {kSigmaDir + "/deprecated", kSigmaDir + "/unsupported"};
  std::set<std::string> v1 = V1AggregationFiles(dirs);
  EXPECT_EQ(v1.size(), 53u) << "the corpus changed";
  auto r = LoadRules(dirs);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::map<std::string, const Refusal*> refusal_of;
  for (const Refusal& f : r->refusals) {
    refusal_of.emplace(f.location.file, &f);
  }
  size_t v1_refused = 0;
  for (const std::string& file : v1) {
    auto it = refusal_of.find(file);
    if (it == refusal_of.end()) {
      ADD_FAILURE() << file << " was not refused";
      continue;
    }
    EXPECT_EQ(it->second->reason, RefusalReason::kV1Aggregation)
        << file << ": " << it->second->message;
    EXPECT_NE(it->second->message.find("Sigma v1 aggregation"), std::string::npos)
        << it->second->message;
    v1_refused += it->second->reason == RefusalReason::kV1Aggregation ? 1 : 0;
  }
  EXPECT_EQ(v1_refused, v1.size());
  // Nothing there loads by default except rules whose status is not deprecated/unsupported,
  // and every other document has a reason.
  std::map<std::string, size_t> by_reason;
  for (const Refusal& f : r->refusals) {
    ++by_reason[std::string(RefusalReasonName(f.reason))];
    EXPECT_FALSE(f.message.empty());
  }
  std::cout << "[ corpus   ] deprecated+unsupported: " << r->files << " files, "
            << r->rules->rules.size() << " loaded, " << r->refusals.size() << " refused ("
            << v1.size() << " v1 aggregation rules by text search)\n";
  for (const auto& [reason, n] : by_reason) {
    std::cout << "[ corpus   ]   refused " << reason << ": " << n << "\n";
  }
  for (const Rule& rule : r->rules->rules) {
    EXPECT_NE(rule.meta.status, RuleStatus::kDeprecated) << rule.meta.location.file;
    EXPECT_NE(rule.meta.status, RuleStatus::kUnsupported) << rule.meta.location.file;
  }
}

TEST(SigmaCorpusTest, PlaceholderRules) {
  if (!CorpusPresent()) {
    GTEST_SKIP() << "Sigma corpus not found at " << kSigmaDir << " (../shared/corpora/sigma)";
  }
  std::string dir = kSigmaDir + "/rules-placeholder";
  // Without values: they load, marked as needing placeholders.
  auto r = LoadRules({dir});
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->rules->rules.empty());
  size_t marked = 0;
  for (const Rule& rule : r->rules->rules) {
    marked += rule.needs_placeholders ? 1 : 0;
  }
  EXPECT_EQ(marked, r->rules->rules.size());
  EXPECT_TRUE(r->refusals.empty()) << r->refusals[0].message;
  // With an (empty) set of values configured, each is refused with the names it needs.
  LoadOptions options;
  options.placeholders.emplace();
  auto strict = LoadRules({dir}, options);
  ASSERT_TRUE(strict.ok());
  EXPECT_TRUE(strict->rules->rules.empty());
  EXPECT_EQ(strict->refusals.size(), r->rules->rules.size());
  for (const Refusal& f : strict->refusals) {
    EXPECT_EQ(f.reason, RefusalReason::kUnresolvedPlaceholder) << f.message;
  }
}

// The prefilter of a `re` value (internal::RequiredLiteral) must be in every value the regex
// matches: checked for every `re` value of SigmaHQ's rules against the values of its field
// in the EVTX samples (every value for keywords), with PCRE2 as the judge.
TEST(SigmaCorpusTest, RegexPrefiltersAreInEveryValueTheRegexMatches) {
  const std::string evtx = RAMPART_SOURCE_DIR "/../shared/corpora/windows/EVTX-ATTACK-SAMPLES";
  if (!CorpusPresent() || !fs::is_directory(evtx)) {
    GTEST_SKIP() << "Sigma or EVTX corpus not found under ../shared/corpora";
  }
  std::map<std::string, std::set<std::string>> values_by_field;  // "" = every value
  auto parser = parse::MakeParser(parse::Format::kWindows);
  for (const auto& entry : fs::recursive_directory_iterator(evtx)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    std::istringstream lines(ReadAll(entry.path().string()));
    std::string line;
    while (std::getline(lines, line)) {
      EventBatch batch;
      if (!parser->Parse(line, parse::ParseContext{}, batch).ok()) {
        continue;
      }
      for (const Field& f : batch.fields(batch[0])) {
        values_by_field[std::string(FieldDict::Name(f.id))].emplace(f.value);
        values_by_field[""].emplace(f.value);
      }
    }
  }
  auto r = LoadRules({kSigmaDir + "/rules", kSigmaDir + "/rules-emerging-threats",
                      kSigmaDir + "/rules-threat-hunting"});
  ASSERT_TRUE(r.ok());
  pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
  size_t regexes = 0;
  size_t prefiltered = 0;
  size_t matches = 0;
  for (const Rule& rule : r->rules->rules) {
    for (const Selection& sel : rule.detection.selections) {
      for (const Conjunction& conj : sel.any_of) {
        for (const FieldCondition& fc : conj) {
          if (fc.match != MatchKind::kRegex) {
            continue;
          }
          for (const Value& v : fc.values) {
            ++regexes;
            const std::string literal = internal::RequiredLiteral(v.text);
            if (literal.empty()) {
              continue;
            }
            ++prefiltered;
            int code = 0;
            PCRE2_SIZE offset = 0;
            uint32_t flags = (fc.regex_flags & kRegexIgnoreCase) ? PCRE2_CASELESS : 0;
            flags |= (fc.regex_flags & kRegexMultiline) ? PCRE2_MULTILINE : 0;
            flags |= (fc.regex_flags & kRegexDotAll) ? PCRE2_DOTALL : 0;
            pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(v.text.data()),
                                           v.text.size(), flags, &code, &offset, nullptr);
            ASSERT_NE(re, nullptr) << v.text;
            for (const std::string& value : values_by_field[fc.field]) {
              if (pcre2_match(re, reinterpret_cast<PCRE2_SPTR>(value.data()), value.size(), 0, 0,
                              data, nullptr) >= 0) {
                ++matches;
                EXPECT_TRUE(ContainsIgnoreCase(value, literal))
                    << rule.meta.location.file << ": /" << v.text << "/ matches '" << value
                    << "' without its prefilter '" << literal << "'";
              }
            }
            pcre2_code_free(re);
          }
        }
      }
    }
  }
  pcre2_match_data_free(data);
  std::cout << "[ corpus   ] " << regexes << " re values, " << prefiltered << " with a prefilter, "
            << matches << " matches checked\n";
  EXPECT_GT(prefiltered, regexes / 4);
  EXPECT_GT(matches, 0u);
}

}  // namespace
}  // namespace rampart::sigma
