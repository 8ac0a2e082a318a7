#pragma once
// Sigma rules, first stage: the loader. Reads Sigma rule files (YAML, several documents per
// file), validates every rule against the Sigma v2 specification and the behaviour of the
// reference implementation pySigma, and produces an immutable RuleSet plus a load report:
// every rule that is not loaded gets a refusal with a reason code, a message and the file,
// line and column it comes from. Nothing is dropped silently.
//
//   reader (loader.cc)        files/dirs → YAML documents with line numbers
//   collector (collector.cc)  documents → Rule / CorrelationRule, refusals and warnings
//   modifiers (modifiers.cc)  the modifier table and pySigma's per-value type rules
//   condition parser          condition strings → ConditionNode trees (condition_parser.h)
//
// The later stages (log-source mapping, compilation to Vectorscan, the matcher) consume the
// RuleSet. The model therefore keeps what they need in a form that is already validated:
// modifiers are parsed into an ordered list plus a summary (MatchKind, flags), values keep
// their type and their original text with Sigma escapes intact (\*, \?, \\ are resolved by
// the compiler, see SplitSigmaString), and conditions are trees whose leaves are indexes
// into the rule's selections.
//
// Errors: LoadRules returns a Status only when a path cannot be listed at all (missing path,
// unreadable directory). Everything wrong inside a file is a Refusal in the LoadResult.
// No exception leaves this stage (yaml-cpp's are caught at the reader/collector boundary).
//
// Threads: LoadRules may run on any thread; it shares no state between calls. A RuleSet is
// immutable once returned and may be shared by any number of threads.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart::sigma {

// 1-based line and column in a rule file; 0 when unknown.
struct SourceLocation {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
};

// ---------------------------------------------------------------------------------------
// Values and modifiers

enum class ValueType : uint8_t {
  kString,  // quoted or plain text that is not a number/bool/null
  kNumber,  // plain YAML integer or float (EventID: 4688); a plain 00000429 (leading zero)
            // is a string, as YAML 1.1 and pySigma read it
  kBool,    // plain true/false
  kNull,    // null, ~ or an empty value: the field is absent (an empty string is not null)
};

// One value of a field condition or keyword search.
struct Value {
  ValueType type = ValueType::kString;
  // The scalar as YAML produced it (after YAML unquoting/escaping), with Sigma escapes
  // untouched: "C:\\Windows\\*" stays as written. Numbers keep their spelling ("0x10");
  // null is empty.
  std::string text;
  double number = 0;        // kNumber
  int64_t integer = 0;      // kNumber with is_integer
  bool is_integer = false;  // kNumber: the spelling is an integer (decimal, 0x.., 0o..)
  bool boolean = false;     // kBool
};

// Sigma value modifiers (spec appendix "modifiers", pySigma sigma/modifiers.py). Aliases
// map to one enumerator: wide = utf16le, ignorecase = i, multiline = m, dotall = s.
enum class Modifier : uint8_t {
  kContains,
  kStartsWith,
  kEndsWith,
  kAll,           // AND the values instead of OR
  kBase64,        // encode the value as base64
  kBase64Offset,  // the three base64 encodings at offsets 0, 1, 2
  kUtf16le,       // also `wide`
  kUtf16be,
  kUtf16,  // BOM FF FE + UTF-16LE
  kWindash,
  kRe,            // the value is a regular expression (case-sensitive, unanchored search)
  kReIgnoreCase,  // `i` / `ignorecase` after `re`
  kReMultiline,   // `m` / `multiline` after `re`
  kReDotAll,      // `s` / `dotall` after `re`
  kCidr,
  kLt,
  kLte,
  kGt,
  kGte,
  kExists,    // value true/false: the field is present / absent
  kFieldRef,  // the value names another field of the same event
  kExpand,    // %placeholder% expansion
  kCased,     // case-sensitive comparison
  kNeq,       // negates the whole item: true when no value matches (pySigma)
  // Sigma v2.1: compare a number with one part of a date field (no time-zone conversion).
  kMinute,
  kHour,
  kDay,   // of the month
  kWeek,  // ISO 8601 week number
  kMonth,
  kYear,
};

// The part of a date a time modifier compares (FieldCondition::time_part).
enum class TimePart : uint8_t { kNone, kMinute, kHour, kDay, kWeek, kMonth, kYear };

// The canonical name ("contains", "utf16le", "i", ...).
std::string_view ModifierName(Modifier m);

// How the (transformed) values are compared with the field, derived from the modifiers.
enum class MatchKind : uint8_t {
  kEquals,  // whole value, case-insensitive unless cased; * and ? wildcards
  kContains,
  kStartsWith,
  kEndsWith,
  kRegex,           // values are regular expressions (regex_flags)
  kCidr,            // values are IPv4/IPv6 networks (validated)
  kLessThan,        // values are numbers
  kLessOrEqual,     //
  kGreaterThan,     //
  kGreaterOrEqual,  //
  kExists,          // one bool value: field present (true) or absent (false)
};

// Regular-expression flags (bits of FieldCondition::regex_flags).
inline constexpr uint8_t kRegexIgnoreCase = 1;
inline constexpr uint8_t kRegexMultiline = 2;
inline constexpr uint8_t kRegexDotAll = 4;

// One `field|mod|mod: value(s)` item, or a keyword search when `field` is empty.
struct FieldCondition {
  std::string field;  // empty: keyword search over the whole event
  // As written, in order: transformations (windash, utf16*, base64*) apply left to right.
  std::vector<Modifier> modifiers;
  std::vector<Value> values;  // OR-ed, or AND-ed when all_values
  // Summary of `modifiers`, for the compiler:
  MatchKind match = MatchKind::kEquals;
  bool all_values = false;  // |all
  bool cased = false;       // |cased
  bool field_ref = false;   // |fieldref: values are field names (combinable with contains,
                            // startswith, endswith)
  bool expand = false;      // |expand: values contain %placeholders%
  bool negated = false;     // |neq: the item holds when its values do not
  TimePart time_part = TimePart::kNone;  // |minute ... |year: values are numbers
  uint8_t regex_flags = 0;               // kRegex* bits
  uint32_t line = 0;                     // of the key (1-based)
  uint32_t column = 0;

  bool Has(Modifier m) const;
};

// A map of field conditions: all must hold.
using Conjunction = std::vector<FieldCondition>;

// A named search identifier of the detection section. Matches when any alternative
// matches. A map gives one alternative; a list of maps gives one per map; a plain value or
// list of plain values gives one keyword alternative (a FieldCondition with empty field).
struct Selection {
  std::string name;
  std::vector<Conjunction> any_of;
  uint32_t line = 0;
  uint32_t column = 0;
};

// ---------------------------------------------------------------------------------------
// Conditions

enum class ConditionOp : uint8_t {
  kSelection,  // leaf: `selection` indexes Detection::selections
  kAnd,        // n-ary, children in written order
  kOr,         // n-ary
  kNot,        // one child
  kOneOf,      // `1 of pattern` / `any of pattern`: OR of the children (kSelection leaves,
               // filled in when the condition is resolved against the rule's selections)
  kAllOf,      // `all of pattern`: AND of the children
};

inline constexpr uint32_t kUnresolvedSelection = UINT32_MAX;

struct ConditionNode {
  ConditionOp op = ConditionOp::kSelection;
  // kSelection: the identifier. kOneOf/kAllOf: the pattern as written ("them" for them).
  std::string name;
  uint32_t selection = kUnresolvedSelection;  // kSelection, once resolved
  uint32_t column = 0;  // 1-based column of the node's first token in its condition string
  std::vector<ConditionNode> children;
};

// ---------------------------------------------------------------------------------------
// Rules

enum class RuleStatus : uint8_t {
  kUnset,
  kStable,
  kTest,
  kExperimental,
  kDeprecated,
  kUnsupported
};
enum class RuleLevel : uint8_t { kUnset, kInformational, kLow, kMedium, kHigh, kCritical };
std::string_view RuleStatusName(RuleStatus s);  // "stable", ...; "" for kUnset
std::string_view RuleLevelName(RuleLevel l);    // "high", ...; "" for kUnset

// ATT&CK references parsed from `attack.*` tags. Tactics are normalised to the hyphenated
// ATT&CK short names ("privilege-escalation"; attack.privilege_escalation is accepted);
// techniques, groups, software and data sources are upper case ("T1059.001", "G0016",
// "S0002", "DS0005").
struct AttackTags {
  std::vector<std::string> tactics;
  std::vector<std::string> techniques;
  std::vector<std::string> groups;
  std::vector<std::string> software;
  std::vector<std::string> data_sources;
};

// Lower case as in the spec; the log-source mapper matches these.
struct LogSource {
  std::string product;
  std::string category;
  std::string service;
  std::string definition;  // free text, informational
};

struct Detection {
  std::vector<Selection> selections;  // in file order
  // The condition strings as written; several are OR-ed (spec).
  std::vector<std::string> condition_text;
  // The resolved condition: every kSelection leaf has a valid `selection` index. Several
  // condition strings become one kOr root.
  ConditionNode condition;
};

// Metadata common to detection and correlation rules.
struct RuleMeta {
  std::string id;     // usually a UUID; may be empty
  std::string name;   // optional; referable from correlations
  std::string title;  // required
  std::string description;
  std::string author;
  std::string date;      // as written
  std::string modified;  // as written
  RuleStatus status = RuleStatus::kUnset;
  RuleLevel level = RuleLevel::kUnset;
  std::vector<std::string> tags;  // as written
  AttackTags attack;
  std::vector<std::string> references;
  std::vector<std::string> falsepositives;
  SourceLocation location;  // the file and the first line of the rule's YAML document
};

struct Rule {
  RuleMeta meta;
  LogSource logsource;
  Detection detection;
  // Placeholder names (without %) used by |expand values, sorted and unique. When
  // needs_placeholders is true no values were configured (LoadOptions::placeholders unset):
  // the compiler must be given values for these names or skip the rule.
  std::vector<std::string> placeholders;
  bool needs_placeholders = false;
  // False when a correlation with `generate: false` (the default) uses this rule: its
  // matches then feed the correlation only and raise no alert of their own.
  bool standalone = true;
};

// ---------------------------------------------------------------------------------------
// Correlation rules (Sigma v2 meta rules)

enum class CorrelationType : uint8_t {
  kEventCount,
  kValueCount,
  kTemporal,
  kTemporalOrdered,
  kValueSum,
  kValueAvg,
  kValuePercentile,  // spec v2.1: condition.percentile of condition.field's numeric values
  kValueMedian,      // pySigma: the 50th percentile
};
std::string_view CorrelationTypeName(CorrelationType t);  // "event_count", ...
// Whether the type measures the values of `condition.field` (value_count, value_sum, ...).
bool CorrelationNeedsField(CorrelationType t);

enum class CompareOp : uint8_t { kGt, kGte, kLt, kLte, kEq, kNeq };
std::string_view CompareOpName(CompareOp op);  // "gt", ...

struct CorrelationThreshold {
  CompareOp op = CompareOp::kGte;
  double value = 0;
};

// A resolved reference to a rule or a correlation of the same RuleSet.
struct RuleRef {
  enum class Kind : uint8_t { kRule, kCorrelation };
  Kind kind = Kind::kRule;
  uint32_t index = 0;  // into RuleSet::rules or RuleSet::correlations
};

// `aliases: {alias: {rule_name: field}}`
struct CorrelationAlias {
  std::string alias;
  std::vector<std::pair<std::string, std::string>> fields;  // rule reference → field
};

struct CorrelationRule {
  RuleMeta meta;
  CorrelationType type = CorrelationType::kEventCount;
  std::vector<std::string> rule_names;  // `rules:` as written (ids or names)
  std::vector<RuleRef> rules;           // resolved, same order
  std::vector<std::string> group_by;    // may be empty: one group for all events
  std::string timespan_text;            // "5m"
  int64_t timespan_seconds = 0;         // > 0
  // AND-ed; usually one (a range has two). For temporal types without a condition:
  // gte <number of rules>.
  std::vector<CorrelationThreshold> condition;
  // `condition.field`: the counted/summed field(s); required for value_count, value_sum,
  // value_avg, value_percentile and value_median.
  std::vector<std::string> condition_fields;
  // `condition.percentile` (0..100) of value_percentile; 50 for value_median.
  int percentile = 50;
  std::vector<CorrelationAlias> aliases;
  bool generate = false;  // referenced rules also alert on their own
  // False when an enclosing correlation with `generate: false` uses this one (chains).
  bool standalone = true;
};

// The loaded rules. Immutable; order is deterministic (files sorted by path, then document
// order within a file).
struct RuleSet {
  std::vector<Rule> rules;
  std::vector<CorrelationRule> correlations;
};

// ---------------------------------------------------------------------------------------
// The load report

enum class RefusalReason : uint8_t {
  kIoError,                // the file cannot be read (or is too large)
  kYamlSyntax,             // not valid YAML
  kNotARule,               // a YAML document that is neither a rule nor a correlation
  kMissingField,           // title, logsource, detection or condition missing
  kInvalidField,           // a field with the wrong type or an unknown value
  kV1Aggregation,          // Sigma v1 `| count() by x > n`, `| near`, detection.timeframe
  kV1Collection,           // Sigma v1 multi-document collections (action: global/reset/...)
  kConditionSyntax,        // the condition does not parse
  kConditionTooDeep,       // the condition nests deeper than kMaxConditionDepth
  kUnknownSelection,       // the condition names an undefined selection / empty pattern
  kInvalidDetection,       // a selection of the wrong shape (empty, nested maps, ...)
  kUnknownModifier,        // not a Sigma modifier
  kInvalidModifier,        // modifiers in a conflicting combination or order
  kInvalidValue,           // a value the modifiers cannot take (string for gt, bad CIDR)
  kUnsupportedFeature,     // valid Sigma that Rampart does not support (yet)
  kDeprecated,             // status: deprecated
  kUnsupportedStatus,      // status: unsupported
  kUnresolvedPlaceholder,  // |expand placeholder without a configured value
  kInvalidCorrelation,     // a malformed correlation section
  kUnresolvedReference,    // a correlation names a rule that is unknown or was refused
  kDuplicateId,            // a second rule with an id (or name) already loaded
};
inline constexpr int kRefusalReasonCount = 21;
std::string_view RefusalReasonName(RefusalReason r);  // "v1-aggregation", ...

enum class WarningCode : uint8_t {
  kNonUuidId,              // id is not a UUID
  kUnknownAttackTag,       // attack.* tag that is no tactic, technique, group or software
  kNeedsPlaceholders,      // |expand placeholders and no values configured
  kAllWithSingleValue,     // |all on a single value (invalid per spec; harmless)
  kUnusedSelection,        // a selection the condition never uses
  kSelectionNameWithPipe,  // "sel|endswith:" as a selection name: modifiers go on fields
  kCorrelationRange,       // more than one threshold (pySigma accepts exactly one)
  kIgnoredField,           // a field that has no effect (condition.field on event_count)
  kYaml11Scalar,           // plain yes/no/on/off: a bool in YAML 1.1, a string here
  kEmptyFile,              // a rule file with no YAML documents
  kFilterUnmatched,        // a filter names a rule that is not loaded (or whose log source
                           // the filter's does not contain)
};
std::string_view WarningCodeName(WarningCode w);  // "needs-placeholders", ...

struct Refusal {
  SourceLocation location;
  std::string rule_id;     // when known
  std::string rule_title;  // when known
  RefusalReason reason = RefusalReason::kInvalidField;
  std::string message;
};

struct LoadWarning {
  SourceLocation location;
  std::string rule_id;
  std::string rule_title;
  WarningCode code = WarningCode::kNonUuidId;
  std::string message;
};

struct LoadResult {
  std::shared_ptr<const RuleSet> rules;  // never null
  std::vector<Refusal> refusals;         // errors: one per rule or file not loaded
  std::vector<LoadWarning> warnings;     // loaded anyway
  size_t files = 0;                      // rule files read
  size_t filters = 0;                    // filter documents loaded (spec "meta filters")
  size_t filtered_rules = 0;             // rules at least one filter was added to
};

struct LoadOptions {
  // Values for |expand placeholders, by name without the % signs. When unset (the default)
  // rules with placeholders load, marked needs_placeholders, with a warning: resolution is
  // deferred to the compiler, which is given the values. When set, every placeholder a rule
  // uses must have an entry, or the rule is refused (the spec requires rejecting rules
  // with unresolvable placeholders).
  std::optional<std::map<std::string, std::vector<std::string>, std::less<>>> placeholders;
  // Load rules with status deprecated / unsupported instead of refusing them.
  bool include_deprecated = false;
  bool include_unsupported = false;
};

// Loads rule files and directories (recursively: *.yml and *.yaml, skipping names that start
// with '.' such as .git and .github; a file given by name is read whatever its extension).
// Files are read in sorted path order, each once, so the result is deterministic. Fails
// only when a path does not exist or a directory cannot be listed.
Result<LoadResult> LoadRules(const std::vector<std::string>& paths,
                             const LoadOptions& options = {});

// Values for |expand placeholders (LoadOptions::placeholders, CompileOptions::placeholders)
// from a YAML map: placeholder name (without the % signs) to a value or a list of values,
//   known_cdcs: [dc01.corp.example, dc02.corp.example]
//   Admins_Workstations: 'WKS-ADM-*'
// Values are Sigma strings: wildcards and escapes as in a rule. Errors name the file and
// line: not a map, an empty name, a name with '%', a value that is not a string or list of
// strings, a name given twice.
using PlaceholderValues = std::map<std::string, std::vector<std::string>, std::less<>>;
Result<PlaceholderValues> ParsePlaceholders(std::string_view name, std::string_view text);
Result<PlaceholderValues> LoadPlaceholders(const std::string& path);

// Loads the YAML text of one rule file named `file_name` (used in locations). For tests,
// fuzzing and rules that do not come from files.
LoadResult LoadRulesFromText(std::string_view file_name,
                             std::string_view text,
                             const LoadOptions& options = {});

// ---------------------------------------------------------------------------------------
// Sigma strings

// A piece of a Sigma string value after escape processing.
struct StringPart {
  enum class Kind : uint8_t {
    kLiteral,      // text, escapes resolved
    kAnyChars,     // unescaped *
    kOneChar,      // unescaped ?
    kPlaceholder,  // %name% (only when splitting with placeholders); text = name
  };
  Kind kind = Kind::kLiteral;
  std::string text;
};

// Splits a Sigma string by the pySigma escaping rules: \* \? \\ are the literal characters,
// a backslash before any other character (or at the end) is a literal backslash, unescaped
// * and ? are wildcards. With `placeholders`, %name% (name: letters, digits, _ - .) becomes
// a kPlaceholder part. Adjacent literal text is merged into one part.
std::vector<StringPart> SplitSigmaString(std::string_view text, bool placeholders = false);

}  // namespace rampart::sigma
