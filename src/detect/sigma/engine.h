#pragma once
// Sigma rules, second stage: compiling a RuleSet into an immutable program and matching
// events against it.
//
//   CompiledRules::Compile   RuleSet + LogSourceMap -> branches (rule x log-source variant)
//   Program                  per dataset and EventID, built on first sight, shared by all
//                            threads: atoms, Vectorscan databases per field, conditions
//   Matcher (per thread)     Vectorscan scratch, a cache of recent values' scan results,
//                            per-event state; Match(event) -> hits
//
// How an event is matched: its dataset and its partition field's values (EventID by
// default) select a Program, which holds only the rules whose log source maps to that
// dataset and that can match those values (Sysmon EventID 11 never meets the
// process-creation rules). One pass over the event's fields finds the fields the program
// uses; each such value is scanned once by that field's Vectorscan databases, which hold
// the literal, wildcard and regex patterns of every rule on that field (a value seen
// recently takes its hits from the cache instead); each pattern hit sets an atom. Rules
// whose condition needs one of the set atoms (plus the few rules whose condition can hold
// without any pattern) are then evaluated, in rule order, against the atoms; the remaining
// tests (numbers, cidr, exists, null, fieldref, and regexes Vectorscan cannot compile,
// which PCRE2 runs) are computed only when a condition reaches them. Cost therefore grows
// with the number of patterns that hit, not with the rule count.
//
// Results are deterministic: hits come in rule order for each event, whatever the thread.
//
// Errors: Compile refuses nothing silently: every rule that cannot be compiled (bad
// placeholder, a regex neither Vectorscan nor PCRE2 accepts) is listed in the report, and
// rules whose log source has no mapping are listed as mapped by convention.

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/detection.h"
#include "core/event.h"
#include "core/status.h"
#include "detect/sigma/logsource_map.h"
#include "detect/sigma/sigma.h"

namespace rampart::sigma {

struct CompileOptions {
  std::shared_ptr<const LogSourceMap> logsources;  // null: LogSourceMap::Default()
  // Values for |expand placeholders; rules that need a missing one are not compiled.
  std::map<std::string, std::vector<std::string>, std::less<>> placeholders;
  // Programs are built per dataset and per value of this event field: a rule that can only
  // match some of its values (by its log source's conditions or its own equality tests,
  // e.g. Sysmon EventID 1) is left out of the programs of the others, so an event meets
  // neither its patterns nor its condition. Empty: one program per dataset.
  std::string partition_field = "EventID";
  // Also ask Vectorscan about every `re` value and list those it refuses in
  // CompileReport::pcre (`rules check` does; a few milliseconds per hundred regexes).
  bool check_regexes = false;
};

// Reads the optional log-source mapping and |expand placeholder files (an empty path:
// none) into the options of loading and compiling, as `hunt`, `serve` and `rules check`
// take them. Errors: a file that cannot be read or parsed.
Status ReadRuleOptionFiles(const std::string& logsources_path,
                           const std::string& placeholders_path,
                           LoadOptions* load,
                           CompileOptions* compile);

struct CompileIssue {
  uint32_t rule_index = 0;
  SourceLocation location;
  std::string rule_id;
  std::string rule_title;
  std::string message;
};

struct CompileReport {
  size_t rules = 0;                      // detection rules compiled
  size_t branches = 0;                   // rule x log-source variant
  std::vector<CompileIssue> skipped;     // not compiled (reason in message)
  std::vector<CompileIssue> convention;  // no mapping entry: dataset by naming convention
  size_t pcre_fallbacks = 0;  // regex values Vectorscan could not compile (PCRE2 runs them)
  // With CompileOptions::check_regexes: each rule with a `re` value that Vectorscan refuses
  // (backreferences, lookaround, ...), so PCRE2 runs it; the message names the regex.
  std::vector<CompileIssue> pcre;
};

class Program;
class Matcher;

// One rule that matched one event.
struct RuleHit {
  uint32_t rule_index = 0;      // into RuleSet::rules
  uint32_t branch = 0;          // internal: which log-source variant matched
  uint32_t program_branch = 0;  // internal: its index in the event's program
};

class CompiledRules {
 public:
  static Result<std::shared_ptr<const CompiledRules>> Compile(std::shared_ptr<const RuleSet> rules,
                                                              const CompileOptions& options = {},
                                                              CompileReport* report = nullptr);
  ~CompiledRules();

  const RuleSet& rules() const { return *rules_; }
  std::shared_ptr<const RuleSet> rule_set() const { return rules_; }

  // The program for events of `dataset` whose partition field has `values` (lower case;
  // none when the event lacks the field). Built on first use, then cached; thread-safe.
  // Null when no rule applies.
  const Program* ProgramFor(std::string_view dataset,
                            const std::vector<std::string_view>& values = {}) const;
  // The partition field's id; kNoPartition when the options named none.
  static constexpr FieldId kNoPartition = UINT32_MAX;
  FieldId partition_field() const { return partition_field_; }
  // True when some rule needs the partition field to have `value` (lower case). Other
  // values select the same rules as no value, so they are left out of program keys: an
  // input with endless distinct EventIDs does not grow the program caches.
  bool IsPartitionValue(std::string_view value) const;
  // Program keys cached (dataset and partition values); at most kMaxProgramKeys, beyond
  // which programs are looked up without being cached.
  static constexpr size_t kMaxProgramKeys = 4096;
  size_t cached_program_keys() const;

  // The event field a rule's Sigma field name denotes in the branch that matched (after
  // the variant's renames).
  std::string_view EventFieldName(const RuleHit& hit, std::string_view sigma_field) const;

  // Builds the detection record of a hit: rule metadata, ATT&CK tags, the event's time,
  // dataset and tenant, and the evidence (the fields whose tests made the rule match).
  rampart::Detection MakeDetection(const EventBatch& batch,
                                   const Event& event,
                                   const RuleHit& hit,
                                   Matcher& matcher) const;

  struct Branch;  // internal

 private:
  CompiledRules() = default;
  friend class Matcher;

  std::shared_ptr<const RuleSet> rules_;
  CompileOptions options_;
  std::vector<Branch> branches_;
  FieldId partition_field_ = kNoPartition;
  std::vector<std::string> partition_values_;  // sorted, unique: every branch's values
  mutable std::mutex programs_mutex_;
  mutable std::map<std::string, const Program*, std::less<>> programs_;
  struct ProgramSlot {
    std::unique_ptr<Program> program;  // null: no rule applies
    bool ready = false;                // built (a thread may be building it)
  };
  // Keyed by the branches a dataset selects: datasets with the same rules share a program.
  mutable std::map<std::vector<uint32_t>, ProgramSlot> shared_programs_;
  mutable std::condition_variable programs_built_;
};

// Per-thread matching state. Not thread-safe; create one per worker.
class Matcher {
 public:
  explicit Matcher(std::shared_ptr<const CompiledRules> rules);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Appends the rules `event` matches, in rule order (each rule at most once).
  void Match(const EventBatch& batch, const Event& event, std::vector<RuleHit>* hits);

  // Value of a field of the last matched event by Sigma name in the hit's branch.
  std::optional<std::string_view> FieldValue(const EventBatch& batch,
                                             const Event& event,
                                             const RuleHit& hit,
                                             std::string_view sigma_field) const;

  const CompiledRules& compiled() const { return *rules_; }

  // The scan cache's lookups and hits so far (for benchmarks and statistics).
  struct CacheStats {
    size_t lookups = 0;
    size_t hits = 0;
  };
  CacheStats cache_stats() const;
  // Forgets the cached scan results (not the programs): the next events are matched as if
  // their values were never seen. Benchmarks use it so repeated input cannot flatter them.
  void ClearCaches();

  struct State;  // internal

 private:
  friend class CompiledRules;
  std::shared_ptr<const CompiledRules> rules_;
  std::unique_ptr<State> state_;
};

}  // namespace rampart::sigma
