#pragma once
// Private to the collector (collector*.cc): the document converter and the load state its
// files share. collector.cc converts metadata and log sources and drives the load;
// collector_yaml.cc holds the YAML scalar helpers (positions, YAML 1.2 scalars, mapping
// entries, values), collector_detection.cc selections and conditions,
// collector_correlation.cc correlation rules, and collector_resolve.cc what spans
// documents (duplicate ids, correlation references, filters).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "detect/sigma/condition_parser.h"
#include "detect/sigma/internal/collector.h"
#include "detect/sigma/sigma.h"

namespace rampart::sigma::internal {

// Bounds on what one document may expand to. YAML aliases share nodes, so a small file can
// describe a huge tree (a list of a million aliases of a long string); these keep a hostile
// file from costing more than a large rule. The largest SigmaHQ rule has ~1,000 values.
inline constexpr size_t kMaxValuesPerDocument = 200'000;
inline constexpr size_t kMaxBytesPerDocument = 64u << 20;
inline constexpr int kMaxListNesting = 64;

struct Pos {
  uint32_t line = 0;
  uint32_t column = 0;
};

// A filter document (spec "meta filters"): its selections and condition are added to the
// rules it names (or to every rule of its log source, `rules: any`), as pySigma does: the
// rule's condition becomes `(<rule condition>) and (<filter condition>)`, so the filter's
// own condition carries the negation (`condition: not selection`).
struct Filter {
  SourceLocation location;
  std::string title;
  LogSource logsource;
  bool any = false;
  std::vector<std::string> rules;  // ids or names
  Detection detection;
};

// ---- collector_yaml.cc

// The file position of a node of a document that starts `line_offset` lines into the file.
Pos PosOf(const YAML::Node& n, uint32_t line_offset);
std::string NodeKind(const YAML::Node& n);
bool IsPlain(const YAML::Node& n);
// YAML 1.2 core-schema resolution of plain scalars.
bool ParseYamlInt(std::string_view s, int64_t* out);
// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool ParseYamlFloat(std::string_view s, double* out);
bool IsUuid(std::string_view s);

// ---- collector_detection.cc

// The position of `column` (1-based, in the condition text) in the file. Exact for
// one-line plain and quoted scalars; block scalars point at their first line.
Pos ConditionPos(const YAML::Node& node,
                 uint32_t line_offset,
                 std::string_view text,
                 uint32_t column);
std::string ConditionMessage(std::string_view text, const ConditionError& e);
// The first Sigma v1 aggregation in the condition(s) of a document's detection, if any.
bool FindV1Aggregation(const YAML::Node& root,
                       uint32_t line_offset,
                       Pos* pos,
                       std::string* message);

struct Problem {
  RefusalReason reason = RefusalReason::kInvalidField;
  Pos pos;
  std::string message;
};

struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// Converts one document. Every method returning bool stops at the first problem, which it
// records in problem_.
class DocumentConverter {
 public:
  DocumentConverter(const std::string& file, const RawDocument& doc, const LoadOptions& options)
      : file_(file), doc_(doc), options_(options) {}

  const Problem& problem() const { return problem_; }
  std::vector<LoadWarning>& warnings() { return warnings_; }
  const std::string& id() const { return id_; }
  const std::string& title() const { return title_; }
  const std::string& name() const { return name_; }

  // Reads id and title leniently, for diagnostics, before anything can fail.
  void PeekIdentity();

  // The document's kind, decided from its top-level keys.
  enum class DocKind : uint8_t { kRule, kCorrelation, kFilter, kInvalid };

  DocKind Classify();

  // The entries of a top-level section that holds selections ('detection', 'filter').
  bool SectionEntries(const Entry& section, std::vector<Entry>* out);

  // Every entry of the section but its condition (and a filter's rules) is a selection.
  bool ConvertSelections(const Entry& section, const std::vector<Entry>& entries, Detection* d);

  bool ConvertFilter(Filter* f);

  bool ConvertRule(Rule* rule);

  bool ConvertCorrelation(CorrelationRule* corr);

 private:
  Pos DocPos() const { return {doc_.line, doc_.column}; }
  Pos At(const YAML::Node& n) const { return PosOf(n, doc_.line_offset); }

  bool Fail(RefusalReason reason, Pos pos, std::string message);

  void Warn(WarningCode code, Pos pos, std::string message);

  // Budget for the keys, values and list entries copied out of the document, see
  // kMaxValuesPerDocument.
  bool Spend(const YAML::Node& at);

  // ---- mapping entries and string fields (collector_yaml.cc)

  // The entries of a mapping, refusing non-scalar and duplicate keys (YAML parsers differ
  // on duplicates: PyYAML keeps the last, yaml-cpp keeps both).
  bool Entries(const YAML::Node& map,
               std::string_view where,
               RefusalReason reason,
               std::vector<Entry>* out);

  bool TopEntries() { return Entries(doc_.root, "the rule", RefusalReason::kInvalidField, &top_); }

  static const Entry* Find(const std::vector<Entry>& entries, std::string_view key);

  // A string-valued field: any scalar. Missing is fine unless `required`.
  bool StringField(const std::vector<Entry>& entries,
                   std::string_view key,
                   bool required,
                   std::string* out);

  // A list of strings; a single string is accepted as a list of one when `allow_scalar`.
  bool StringList(const Entry& e,
                  bool allow_scalar,
                  RefusalReason reason,
                  std::string_view what,
                  std::vector<std::string>* out);

  // Metadata lists are informational: take what is a string, ignore the rest.
  bool LenientList(std::string_view key, std::vector<std::string>* out);

  // ---- metadata and log source (collector.cc)

  bool ConvertMeta(RuleMeta* meta);

  void ParseAttackTags(const Entry& tags, RuleMeta* meta);

  bool ConvertLogSource(LogSource* ls);

  // ---- conditions (collector_detection.cc)
  bool ReadConditions(const Entry& detection,
                      const std::vector<Entry>& det,
                      std::vector<std::pair<std::string, YAML::Node>>* out);

  bool FailCondition(const std::string& text, const YAML::Node& node, const ConditionError& e);

  bool CheckV1(const std::vector<Entry>& det,
               const std::vector<std::pair<std::string, YAML::Node>>& conditions);

  bool ConvertConditions(const std::vector<std::pair<std::string, YAML::Node>>& conditions,
                         Detection* d);

  // ---- selections (collector_detection.cc; ToValue in collector_yaml.cc)
  bool ConvertSelection(const Entry& e, Selection* sel);

  // A list under a selection: maps are alternatives, plain values one keyword alternative,
  // nested lists are flattened (they are OR-ed too).
  bool ConvertList(const Selection& sel, const YAML::Node& list, int depth, Selection* out);

  bool ConvertMap(const Selection& sel, const YAML::Node& map, Pos pos, Conjunction* out);

  bool ConvertItem(const Selection& sel, const Entry& e, FieldCondition* fc);

  Value ToValue(const YAML::Node& n);

  // Validates the modifiers (modifiers.h) and warns about |all on a single value. `key` is
  // the key as written, for messages ("" for keywords).
  bool ValidateModifiers(const Selection& sel, std::string_view key, FieldCondition* fc);

  // ---- placeholders (collector_detection.cc) and status (collector.cc)
  bool CheckPlaceholders(Rule* rule);

  bool CheckStatus(const RuleMeta& meta);

  // ---- correlations (collector_correlation.cc)
  bool ReadCorrelationType(const std::vector<Entry>& c, Pos section, CorrelationRule* corr);

  bool ReadCorrelationRules(const std::vector<Entry>& c, Pos section, CorrelationRule* corr);

  bool ReadGroupBy(const std::vector<Entry>& c, CorrelationRule* corr);

  bool ReadTimespan(const std::vector<Entry>& c, Pos section, CorrelationRule* corr);

  bool ReadCorrelationCondition(const std::vector<Entry>& c, Pos section, CorrelationRule* corr);

  bool ReadAliases(const std::vector<Entry>& c, CorrelationRule* corr);

  // `generate` is inside `correlation:` in pySigma and at the top level in the JSON schema;
  // both are accepted.
  bool ReadGenerate(const std::vector<Entry>& c, CorrelationRule* corr);

  const std::string& file_;
  const RawDocument& doc_;
  const LoadOptions& options_;
  std::vector<Entry> top_;
  std::string id_;
  std::string title_;
  std::string name_;
  size_t spent_ = 0;
  size_t spent_bytes_ = 0;
  Problem problem_;
  std::vector<LoadWarning> warnings_;
};

// The state of one load; its resolution methods are in collector_resolve.cc.
struct Collector::State {
  explicit State(const LoadOptions& o) : options(o) {}

  // One document (or one file that failed as a whole), in load order.
  struct Item {
    // monostate: nothing to load (an empty file), only warnings.
    std::variant<std::monostate, Rule, CorrelationRule, Refusal, Filter> v;
    std::vector<LoadWarning> warnings;
    std::string name;  // `name:` as read, also for refused documents
  };

  void Refuse(Item& item, RefusalReason reason, std::string message);

  static const RuleMeta* Meta(const Item& item);

  static std::string Where(const RuleMeta& m);

  // Later rules with an id or name already taken are refused (the first in path order wins).
  void RefuseDuplicates();

  // Resolves correlation references; a correlation whose references do not all lead to
  // loaded rules is refused, transitively (refusals can cascade through chains).
  void ResolveCorrelations();

  // A filter's log-source keys must all be set, equal (ignoring case), in the rule's.
  static bool Contains(const LogSource& filter, const LogSource& rule);

  // Adds `f`'s selections to `rule` (renamed `_filt<n>_<name>`, so `them` and patterns in
  // the rule's condition do not reach them) and ANDs its condition with the rule's.
  static void ApplyFilter(const Filter& f, size_t n, Rule* rule);

  // Applies every loaded filter to the rules it names; a name that reaches no rule is a
  // warning on the filter (a typo would otherwise silently leave the rule unfiltered).
  void ApplyFilters(LoadResult* result);

  LoadResult Finish(size_t files);

  const LoadOptions& options;
  std::vector<Item> items;
  std::vector<std::vector<size_t>> resolved_targets;
};

}  // namespace rampart::sigma::internal
