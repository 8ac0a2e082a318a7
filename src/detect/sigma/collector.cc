// The collector: YAML documents → validated Rule / CorrelationRule, or a Refusal with the
// reason, message and position of the first problem found. Checks run in a fixed order so
// a rule with several problems always reports the most fundamental one: document shape,
// Sigma v1 syntax, metadata, log source, selections and modifiers, condition,
// placeholders, and the status last (it is policy, not a defect, and can be lifted with
// LoadOptions). Cross-document checks (duplicate ids, correlation references) run in
// Finish.
//
// yaml-cpp raises exceptions from a few accessors; this file only uses the non-throwing
// ones, and AddFile still wraps each document in a try block as the stage boundary.

#include "detect/sigma/internal/collector.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>

#include "core/strings.h"
#include "detect/sigma/condition_parser.h"
#include "detect/sigma/internal/modifiers.h"

namespace rampart::sigma::internal {
namespace {

// Bounds on what one document may expand to. YAML aliases share nodes, so a small file can
// describe a huge tree (a list of a million aliases of a long string); these keep a hostile
// file from costing more than a large rule. The largest SigmaHQ rule has ~1,000 values.
constexpr size_t kMaxValuesPerDocument = 200'000;
constexpr size_t kMaxBytesPerDocument = 64u << 20;
constexpr int kMaxListNesting = 64;

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

uint32_t OneBased(int v) {
  return v < 0 ? 0 : static_cast<uint32_t>(v) + 1;
}

// The file position of a node of a document that starts `line_offset` lines into the file.
Pos PosOf(const YAML::Node& n, uint32_t line_offset) {
  if (!n.IsDefined()) {
    return {};
  }
  YAML::Mark m = n.Mark();
  if (m.line < 0) {
    return {};
  }
  return {OneBased(m.line) + line_offset, OneBased(m.column)};
}

std::string NodeKind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Scalar:
      return "a value";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

bool IsPlain(const YAML::Node& n) {
  return n.Tag() == "?";
}

// ---------------------------------------------------------------------------------------
// YAML 1.2 core-schema resolution of plain scalars.

bool ParseYamlInt(std::string_view s, int64_t* out) {
  std::string_view digits = s;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  // YAML 1.2 reads 00000429 as the integer 429; YAML 1.1 (PyYAML, so pySigma and the
  // SigmaHQ tooling) reads it as the string "00000429" (not octal: it has a 9), and that is
  // what rule authors mean: registry data, hex-like codes. Leading zeros keep a string.
  if (digits.size() > 1 && digits[0] == '0' && IsDigit(digits[1])) {
    return false;
  }
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'o')) {
    if (s[0] == '-' || s[0] == '+') {
      return false;  // the core schema has no signed hex/octal
    }
    base = digits[1] == 'x' ? 16 : 8;
    digits.remove_prefix(2);
  }
  if (digits.empty()) {
    return false;
  }
  for (char c : digits) {
    bool ok = base == 16 ? (IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
                         : (base == 8 ? (c >= '0' && c <= '7') : IsDigit(c));
    if (!ok) {
      return false;
    }
  }
  uint64_t magnitude = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) {
    return false;
  }
  if (negative) {
    if (magnitude > static_cast<uint64_t>(INT64_MAX) + 1) {
      return false;
    }
    *out = magnitude == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN
                                                             : -static_cast<int64_t>(magnitude);
  } else {
    if (magnitude > static_cast<uint64_t>(INT64_MAX)) {
      return false;
    }
    *out = static_cast<int64_t>(magnitude);
  }
  return true;
}

// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool ParseYamlFloat(std::string_view s, double* out) {
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF") {
    *out = HUGE_VAL;
    return true;
  }
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") {
    *out = -HUGE_VAL;
    return true;
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    *out = std::nan("");
    return true;
  }
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    ++i;
  }
  size_t int_digits = 0;
  if (i + 1 < s.size() && s[i] == '0' && IsDigit(s[i + 1])) {
    return false;  // leading zeros keep a string, see ParseYamlInt
  }
  while (i < s.size() && IsDigit(s[i])) {
    ++i;
    ++int_digits;
  }
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) {
      ++i;
      ++frac_digits;
    }
  }
  if (int_digits == 0 && frac_digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      ++i;
    }
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) {
      ++i;
      ++exp_digits;
    }
    if (exp_digits == 0) {
      return false;
    }
  }
  if (i != s.size()) {
    return false;
  }
  std::string_view body = s;
  if (!body.empty() && body[0] == '+') {
    body.remove_prefix(1);
  }
  auto r = std::from_chars(body.data(), body.data() + body.size(), *out);
  return r.ptr == body.data() + body.size() &&
         (r.ec == std::errc() || r.ec == std::errc::result_out_of_range);
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') {
        return false;
      }
    } else if (!(IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

const char* const kTactics[] = {
    "reconnaissance",
    "resource-development",
    "initial-access",
    "execution",
    "persistence",
    "privilege-escalation",
    "defense-evasion",
    "stealth",
    "defense-impairment",
    "credential-access",
    "discovery",
    "lateral-movement",
    "collection",
    "command-and-control",
    "exfiltration",
    "impact",
    // ICS matrix
    "evasion",
    "inhibit-response-function",
    "impair-process-control",
};

// The position of `column` (1-based, in the condition text) in the file. Exact for
// one-line plain and quoted scalars; block scalars point at their first line.
Pos ConditionPos(const YAML::Node& node,
                 uint32_t line_offset,
                 std::string_view text,
                 uint32_t column) {
  Pos p = PosOf(node, line_offset);
  if (p.line == 0 || column == 0 || text.find('\n') != std::string_view::npos) {
    return p;
  }
  p.column += column - 1 + (IsPlain(node) ? 0 : 1);
  return p;
}

std::string ConditionMessage(std::string_view text, const ConditionError& e) {
  return "condition " + Quote(text) + " column " + std::to_string(e.column) + ": " + e.message;
}

// The first Sigma v1 aggregation in the condition(s) of a document's detection, if any.
bool FindV1Aggregation(const YAML::Node& root,
                       uint32_t line_offset,
                       Pos* pos,
                       std::string* message) {
  if (!root.IsMap()) {
    return false;
  }
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (!it->first.IsScalar() || it->first.Scalar() != "detection" || !it->second.IsMap()) {
      continue;
    }
    for (auto d = it->second.begin(); d != it->second.end(); ++d) {
      if (!d->first.IsScalar() || d->first.Scalar() != "condition") {
        continue;
      }
      std::vector<YAML::Node> conditions;
      if (d->second.IsSequence()) {
        for (const YAML::Node& c : d->second) {
          conditions.push_back(c);
        }
      } else {
        conditions.push_back(d->second);
      }
      for (const YAML::Node& c : conditions) {
        if (!c.IsScalar() || c.Scalar().find('|') == std::string::npos) {
          continue;
        }
        ConditionError e;
        if (!ParseCondition(c.Scalar(), &e).ok() &&
            (e.kind == ConditionError::Kind::kV1Aggregation ||
             e.kind == ConditionError::Kind::kV1Near)) {
          *pos = ConditionPos(c, line_offset, c.Scalar(), e.column);
          *message = ConditionMessage(c.Scalar(), e);
          return true;
        }
      }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------

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
  void PeekIdentity() {
    if (!doc_.root.IsMap()) {
      return;
    }
    for (auto it = doc_.root.begin(); it != doc_.root.end(); ++it) {
      if (!it->first.IsScalar() || !it->second.IsScalar()) {
        continue;
      }
      const std::string& key = it->first.Scalar();
      if (key == "id" && id_.empty()) {
        id_ = it->second.Scalar();
      } else if (key == "name" && name_.empty()) {
        name_ = it->second.Scalar();
      } else if (key == "title" && title_.empty()) {
        title_ = it->second.Scalar();
      }
    }
  }

  // The document's kind, decided from its top-level keys.
  enum class DocKind : uint8_t { kRule, kCorrelation, kFilter, kInvalid };

  DocKind Classify() {
    if (!doc_.root.IsMap()) {
      Fail(RefusalReason::kNotARule, DocPos(),
           "a Sigma rule document must be a mapping, not " + NodeKind(doc_.root));
      return DocKind::kInvalid;
    }
    if (!TopEntries()) {
      return DocKind::kInvalid;
    }
    const Entry* detection = Find(top_, "detection");
    const Entry* correlation = Find(top_, "correlation");
    if (detection != nullptr && correlation != nullptr) {
      Fail(RefusalReason::kInvalidCorrelation, At(correlation->key_node),
           "a document cannot have both 'detection' and 'correlation'");
      return DocKind::kInvalid;
    }
    if (correlation != nullptr) {
      return DocKind::kCorrelation;
    }
    if (detection != nullptr) {
      return DocKind::kRule;
    }
    if (Find(top_, "filter") != nullptr) {
      return DocKind::kFilter;
    }
    if (Find(top_, "title") != nullptr || Find(top_, "logsource") != nullptr) {
      Fail(RefusalReason::kMissingField, DocPos(), "missing required field 'detection'");
      return DocKind::kInvalid;
    }
    Fail(RefusalReason::kNotARule, DocPos(),
         "not a Sigma rule: the document has no 'title', 'logsource' or 'detection'");
    return DocKind::kInvalid;
  }

  // The entries of a top-level section that holds selections ('detection', 'filter').
  bool SectionEntries(const Entry& section, std::vector<Entry>* out) {
    const std::string where = "'" + section.key + "'";
    if (!section.value.IsMap()) {
      return Fail(RefusalReason::kInvalidField, At(section.key_node),
                  where + " must be a mapping, not " + NodeKind(section.value));
    }
    return Entries(section.value, where, RefusalReason::kInvalidDetection, out);
  }

  // Every entry of the section but its condition (and a filter's rules) is a selection.
  bool ConvertSelections(const Entry& section, const std::vector<Entry>& entries, Detection* d) {
    for (const Entry& e : entries) {
      if (e.key == "condition" || (section.key == "filter" && e.key == "rules")) {
        continue;
      }
      Selection sel;
      if (!ConvertSelection(e, &sel)) {
        return false;
      }
      d->selections.push_back(std::move(sel));
    }
    if (d->selections.empty()) {
      return Fail(RefusalReason::kInvalidDetection, At(section.key_node),
                  "'" + section.key + "' defines no selections");
    }
    return true;
  }

  bool ConvertFilter(Filter* f) {
    const Entry* filter = Find(top_, "filter");
    std::vector<Entry> det;
    if (!SectionEntries(*filter, &det)) {
      return false;
    }
    RuleMeta meta;
    if (!ConvertMeta(&meta) || !ConvertLogSource(&f->logsource)) {
      return false;
    }
    f->title = meta.title;
    f->location = meta.location;
    const Entry* rules = Find(det, "rules");
    constexpr std::string_view kRulesShape =
        "'filter.rules' must be a list of rule ids or names, or 'any'";
    if (rules == nullptr) {
      return Fail(RefusalReason::kMissingField, At(filter->key_node),
                  "missing required field 'filter.rules' (rule ids or names, or 'any')");
    }
    if (rules->value.IsScalar()) {
      f->any = rules->value.Scalar() == "any";
      if (!f->any) {
        f->rules.push_back(rules->value.Scalar());
      }
    } else if (rules->value.IsSequence() && rules->value.size() > 0) {
      for (const YAML::Node& item : rules->value) {
        if (!Spend(item) || !item.IsScalar() || item.Scalar().empty()) {
          return Fail(RefusalReason::kInvalidField, At(item), std::string(kRulesShape));
        }
        f->rules.push_back(item.Scalar());
      }
    } else {
      return Fail(RefusalReason::kInvalidField, At(rules->key_node), std::string(kRulesShape));
    }
    std::vector<std::pair<std::string, YAML::Node>> conditions;
    return ReadConditions(*filter, det, &conditions) &&
           ConvertSelections(*filter, det, &f->detection) &&
           ConvertConditions(conditions, &f->detection);
  }

  bool ConvertRule(Rule* rule) {
    const Entry* detection = Find(top_, "detection");
    std::vector<Entry> det;
    if (!SectionEntries(*detection, &det)) {
      return false;
    }
    // Sigma v1 first: those rules usually also fail later checks, and the v1 syntax is the
    // reason that tells the author what to do.
    std::vector<std::pair<std::string, YAML::Node>> conditions;
    if (!ReadConditions(*detection, det, &conditions) || !CheckV1(det, conditions)) {
      return false;
    }
    if (!ConvertMeta(&rule->meta) || !ConvertLogSource(&rule->logsource)) {
      return false;
    }
    if (!ConvertSelections(*detection, det, &rule->detection) ||
        !ConvertConditions(conditions, &rule->detection)) {
      return false;
    }
    if (!CheckPlaceholders(rule)) {
      return false;
    }
    return CheckStatus(rule->meta);
  }

  bool ConvertCorrelation(CorrelationRule* corr) {
    if (!ConvertMeta(&corr->meta)) {
      return false;
    }
    const Entry* section = Find(top_, "correlation");
    if (!section->value.IsMap()) {
      return Fail(RefusalReason::kInvalidCorrelation, At(section->key_node),
                  "'correlation' must be a mapping, not " + NodeKind(section->value));
    }
    std::vector<Entry> c;
    if (!Entries(section->value, "'correlation'", RefusalReason::kInvalidCorrelation, &c)) {
      return false;
    }
    Pos section_pos = At(section->key_node);
    if (!ReadCorrelationType(c, section_pos, corr) || !ReadCorrelationRules(c, section_pos, corr) ||
        !ReadGroupBy(c, corr) || !ReadTimespan(c, section_pos, corr) ||
        !ReadCorrelationCondition(c, section_pos, corr) || !ReadAliases(c, corr) ||
        !ReadGenerate(c, corr)) {
      return false;
    }
    return CheckStatus(corr->meta);
  }

 private:
  Pos DocPos() const { return {doc_.line, doc_.column}; }
  Pos At(const YAML::Node& n) const { return PosOf(n, doc_.line_offset); }

  bool Fail(RefusalReason reason, Pos pos, std::string message) {
    problem_.reason = reason;
    problem_.pos = pos.line != 0 ? pos : DocPos();
    problem_.message = std::move(message);
    return false;
  }

  void Warn(WarningCode code, Pos pos, std::string message) {
    LoadWarning w;
    w.location.file = file_;
    w.location.line = pos.line != 0 ? pos.line : doc_.line;
    w.location.column = pos.line != 0 ? pos.column : doc_.column;
    w.rule_id = id_;
    w.rule_title = title_;
    w.code = code;
    w.message = std::move(message);
    warnings_.push_back(std::move(w));
  }

  // Budget for the keys, values and list entries copied out of the document, see
  // kMaxValuesPerDocument.
  bool Spend(const YAML::Node& at) {
    if (at.IsScalar()) {
      spent_bytes_ += at.Scalar().size();
    }
    if (++spent_ > kMaxValuesPerDocument || spent_bytes_ > kMaxBytesPerDocument) {
      return Fail(RefusalReason::kInvalidField, At(at),
                  "the rule is too large: more than " + std::to_string(kMaxValuesPerDocument) +
                      " values or " + std::to_string(kMaxBytesPerDocument >> 20) +
                      " MiB of text once YAML aliases are expanded");
    }
    return true;
  }

  // The entries of a mapping, refusing non-scalar and duplicate keys (YAML parsers differ
  // on duplicates: PyYAML keeps the last, yaml-cpp keeps both).
  bool Entries(const YAML::Node& map,
               std::string_view where,
               RefusalReason reason,
               std::vector<Entry>* out) {
    out->clear();
    std::unordered_set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!Spend(it->first)) {
        return false;
      }
      if (!it->first.IsScalar()) {
        return Fail(
            reason, At(it->first),
            "keys in " + std::string(where) + " must be strings, not " + NodeKind(it->first));
      }
      Entry e{it->first.Scalar(), it->first, it->second};
      if (!seen.insert(e.key).second) {
        return Fail(reason, At(it->first),
                    "duplicate key " + Quote(e.key) + " in " + std::string(where));
      }
      out->push_back(std::move(e));
    }
    return true;
  }

  bool TopEntries() { return Entries(doc_.root, "the rule", RefusalReason::kInvalidField, &top_); }

  static const Entry* Find(const std::vector<Entry>& entries, std::string_view key) {
    for (const Entry& e : entries) {
      if (e.key == key) {
        return &e;
      }
    }
    return nullptr;
  }

  // A string-valued field: any scalar. Missing is fine unless `required`.
  bool StringField(const std::vector<Entry>& entries,
                   std::string_view key,
                   bool required,
                   std::string* out) {
    const Entry* e = Find(entries, key);
    if (e == nullptr) {
      if (required) {
        return Fail(RefusalReason::kMissingField, DocPos(),
                    "missing required field '" + std::string(key) + "'");
      }
      return true;
    }
    if (!e->value.IsScalar()) {
      if (required || !e->value.IsNull()) {
        return Fail(RefusalReason::kInvalidField, At(e->key_node),
                    "'" + std::string(key) + "' must be a string, not " + NodeKind(e->value));
      }
      return true;
    }
    *out = e->value.Scalar();
    return true;
  }

  // A list of strings; a single string is accepted as a list of one when `allow_scalar`.
  bool StringList(const Entry& e,
                  bool allow_scalar,
                  RefusalReason reason,
                  std::string_view what,
                  std::vector<std::string>* out) {
    out->clear();
    if (e.value.IsScalar() && allow_scalar) {
      out->push_back(e.value.Scalar());
      return true;
    }
    if (e.value.IsNull()) {
      return true;
    }
    if (!e.value.IsSequence()) {
      return Fail(reason, At(e.key_node), std::string(what));
    }
    for (const YAML::Node& item : e.value) {
      if (!Spend(item)) {
        return false;
      }
      if (!item.IsScalar()) {
        return Fail(reason, At(item), std::string(what));
      }
      out->push_back(item.Scalar());
    }
    return true;
  }

  // Metadata lists are informational: take what is a string, ignore the rest.
  bool LenientList(std::string_view key, std::vector<std::string>* out) {
    const Entry* e = Find(top_, key);
    if (e == nullptr) {
      return true;
    }
    if (e->value.IsScalar()) {
      out->push_back(e->value.Scalar());
    } else if (e->value.IsSequence()) {
      for (const YAML::Node& item : e->value) {
        if (!Spend(item)) {
          return false;
        }
        if (item.IsScalar()) {
          out->push_back(item.Scalar());
        }
      }
    }
    return true;
  }

  bool ConvertMeta(RuleMeta* meta) {
    meta->location.file = file_;
    meta->location.line = doc_.line;
    meta->location.column = doc_.column;
    if (!StringField(top_, "title", true, &meta->title) ||
        !StringField(top_, "id", false, &meta->id) ||
        !StringField(top_, "name", false, &meta->name) ||
        !StringField(top_, "description", false, &meta->description) ||
        !StringField(top_, "author", false, &meta->author) ||
        !StringField(top_, "date", false, &meta->date) ||
        !StringField(top_, "modified", false, &meta->modified)) {
      return false;
    }
    if (meta->title.empty()) {
      return Fail(RefusalReason::kMissingField, At(Find(top_, "title")->key_node),
                  "'title' is empty");
    }
    id_ = meta->id;
    title_ = meta->title;
    if (!meta->id.empty() && !IsUuid(meta->id)) {
      Warn(WarningCode::kNonUuidId, At(Find(top_, "id")->value),
           "id " + Quote(meta->id) + " is not a UUID");
    }
    std::string status;
    if (!StringField(top_, "status", false, &status)) {
      return false;
    }
    if (!status.empty()) {
      static const std::pair<std::string_view, RuleStatus> kStatuses[] = {
          {"stable", RuleStatus::kStable},
          {"test", RuleStatus::kTest},
          {"experimental", RuleStatus::kExperimental},
          {"deprecated", RuleStatus::kDeprecated},
          {"unsupported", RuleStatus::kUnsupported},
      };
      auto it = std::find_if(std::begin(kStatuses), std::end(kStatuses),
                             [&](const auto& s) { return s.first == status; });
      if (it == std::end(kStatuses)) {
        return Fail(RefusalReason::kInvalidField, At(Find(top_, "status")->value),
                    "unknown status " + Quote(status) +
                        " (expected stable, test, experimental, deprecated or unsupported)");
      }
      meta->status = it->second;
    }
    std::string level;
    if (!StringField(top_, "level", false, &level)) {
      return false;
    }
    if (!level.empty()) {
      static const std::pair<std::string_view, RuleLevel> kLevels[] = {
          {"informational", RuleLevel::kInformational},
          {"low", RuleLevel::kLow},
          {"medium", RuleLevel::kMedium},
          {"high", RuleLevel::kHigh},
          {"critical", RuleLevel::kCritical},
      };
      auto it = std::find_if(std::begin(kLevels), std::end(kLevels),
                             [&](const auto& l) { return l.first == level; });
      if (it == std::end(kLevels)) {
        return Fail(RefusalReason::kInvalidField, At(Find(top_, "level")->value),
                    "unknown level " + Quote(level) +
                        " (expected informational, low, medium, high or critical)");
      }
      meta->level = it->second;
    }
    if (const Entry* tags = Find(top_, "tags")) {
      if (!StringList(*tags, false, RefusalReason::kInvalidField,
                      "'tags' must be a list of strings", &meta->tags)) {
        return false;
      }
      ParseAttackTags(*tags, meta);
    }
    return LenientList("references", &meta->references) &&
           LenientList("falsepositives", &meta->falsepositives);
  }

  void ParseAttackTags(const Entry& tags, RuleMeta* meta) {
    for (const std::string& tag : meta->tags) {
      std::string t = ToLower(tag);
      if (!StartsWith(t, "attack.")) {
        continue;
      }
      std::string rest = t.substr(7);
      auto numbered = [&](char prefix, std::vector<std::string>* out) {
        if (rest.size() < 5 || rest[0] != prefix) {
          return false;
        }
        for (size_t i = 1; i < 5; ++i) {
          if (!IsDigit(rest[i])) {
            return false;
          }
        }
        bool sub = rest.size() == 9 && rest[5] == '.' && IsDigit(rest[6]) && IsDigit(rest[7]) &&
                   IsDigit(rest[8]);
        if (rest.size() != 5 && !(prefix == 't' && sub)) {
          return false;
        }
        std::string id = rest;
        id[0] = static_cast<char>(id[0] - 32);
        if (std::find(out->begin(), out->end(), id) == out->end()) {
          out->push_back(std::move(id));
        }
        return true;
      };
      if (numbered('t', &meta->attack.techniques) || numbered('g', &meta->attack.groups) ||
          numbered('s', &meta->attack.software)) {
        continue;
      }
      if (rest.size() == 6 && rest[0] == 'd' && rest[1] == 's') {  // data source DSnnnn
        rest.erase(0, 1);
        std::vector<std::string> ds;
        if (numbered('s', &ds)) {
          meta->attack.data_sources.push_back("D" + ds.front());
          continue;
        }
        rest = t.substr(7);
      }
      std::replace(rest.begin(), rest.end(), '_', '-');
      bool known = std::any_of(std::begin(kTactics), std::end(kTactics),
                               [&](const char* tactic) { return rest == tactic; });
      if (known) {
        if (std::find(meta->attack.tactics.begin(), meta->attack.tactics.end(), rest) ==
            meta->attack.tactics.end()) {
          meta->attack.tactics.push_back(rest);
        }
      } else {
        Warn(WarningCode::kUnknownAttackTag, At(tags.key_node),
             "unknown ATT&CK tag " + Quote(tag) +
                 " (not a tactic, technique Tnnnn[.nnn], group Gnnnn, software Snnnn or data "
                 "source DSnnnn)");
      }
    }
  }

  bool ConvertLogSource(LogSource* ls) {
    const Entry* e = Find(top_, "logsource");
    if (e == nullptr) {
      return Fail(RefusalReason::kMissingField, DocPos(), "missing required field 'logsource'");
    }
    if (!e->value.IsMap()) {
      return Fail(RefusalReason::kInvalidField, At(e->key_node),
                  "'logsource' must be a mapping, not " + NodeKind(e->value));
    }
    std::vector<Entry> entries;
    if (!Entries(e->value, "'logsource'", RefusalReason::kInvalidField, &entries)) {
      return false;
    }
    if (!StringField(entries, "product", false, &ls->product) ||
        !StringField(entries, "category", false, &ls->category) ||
        !StringField(entries, "service", false, &ls->service) ||
        !StringField(entries, "definition", false, &ls->definition)) {
      return false;
    }
    if (ls->product.empty() && ls->category.empty() && ls->service.empty()) {
      return Fail(RefusalReason::kInvalidField, At(e->key_node),
                  "'logsource' needs at least one of product, category or service");
    }
    return true;
  }

  // ---- conditions

  bool ReadConditions(const Entry& detection,
                      const std::vector<Entry>& det,
                      std::vector<std::pair<std::string, YAML::Node>>* out) {
    const Entry* cond = Find(det, "condition");
    if (cond == nullptr) {
      return Fail(RefusalReason::kMissingField, At(detection.key_node),
                  "missing required field '" + detection.key + ".condition'");
    }
    constexpr std::string_view kShape = "'condition' must be a string or a list of strings";
    if (cond->value.IsScalar()) {
      out->emplace_back(cond->value.Scalar(), cond->value);
    } else if (cond->value.IsSequence() && cond->value.size() > 0) {
      for (const YAML::Node& item : cond->value) {
        if (!Spend(item)) {
          return false;
        }
        if (!item.IsScalar()) {
          return Fail(RefusalReason::kInvalidField, At(item), std::string(kShape));
        }
        out->emplace_back(item.Scalar(), item);
      }
    } else {
      return Fail(RefusalReason::kInvalidField, At(cond->key_node), std::string(kShape));
    }
    return true;
  }

  bool FailCondition(const std::string& text, const YAML::Node& node, const ConditionError& e) {
    RefusalReason reason = RefusalReason::kConditionSyntax;
    switch (e.kind) {
      case ConditionError::Kind::kSyntax:
        reason = RefusalReason::kConditionSyntax;
        break;
      case ConditionError::Kind::kTooDeep:
        reason = RefusalReason::kConditionTooDeep;
        break;
      case ConditionError::Kind::kV1Aggregation:
      case ConditionError::Kind::kV1Near:
        reason = RefusalReason::kV1Aggregation;
        break;
      case ConditionError::Kind::kUnknownSelection:
        reason = RefusalReason::kUnknownSelection;
        break;
    }
    return Fail(reason, ConditionPos(node, doc_.line_offset, text, e.column),
                ConditionMessage(text, e));
  }

  bool CheckV1(const std::vector<Entry>& det,
               const std::vector<std::pair<std::string, YAML::Node>>& conditions) {
    for (const auto& [text, node] : conditions) {
      if (text.find('|') == std::string::npos) {
        continue;
      }
      ConditionError e;
      if (!ParseCondition(text, &e).ok()) {
        return FailCondition(text, node, e);
      }
    }
    const Entry* timeframe = Find(det, "timeframe");
    if (timeframe != nullptr && timeframe->value.IsScalar()) {
      return Fail(
          RefusalReason::kV1Aggregation, At(timeframe->key_node),
          "Sigma v1 aggregation time window 'detection.timeframe: " + timeframe->value.Scalar() +
              "' was removed in Sigma v2: write a correlation rule with 'timespan'");
    }
    return true;
  }

  bool ConvertConditions(const std::vector<std::pair<std::string, YAML::Node>>& conditions,
                         Detection* d) {
    std::vector<std::string> names;
    names.reserve(d->selections.size());
    for (const Selection& s : d->selections) {
      names.push_back(s.name);
    }
    std::vector<uint8_t> used(names.size(), 0);
    std::vector<ConditionNode> roots;
    for (const auto& [text, node] : conditions) {
      ConditionError e;
      auto parsed = ParseCondition(text, &e);
      if (!parsed.ok()) {
        return FailCondition(text, node, e);
      }
      ConditionNode root = std::move(parsed).value();
      if (!ResolveCondition(root, names, used, &e).ok()) {
        return FailCondition(text, node, e);
      }
      d->condition_text.push_back(text);
      roots.push_back(std::move(root));
    }
    if (roots.size() == 1) {
      d->condition = std::move(roots.front());
    } else {
      d->condition.op = ConditionOp::kOr;
      d->condition.column = 1;
      d->condition.children = std::move(roots);
    }
    for (size_t i = 0; i < names.size(); ++i) {
      if (used[i] == 0) {
        Warn(WarningCode::kUnusedSelection, {d->selections[i].line, d->selections[i].column},
             "selection " + Quote(names[i]) + " is not used by the condition");
      }
    }
    return true;
  }

  // ---- selections

  bool ConvertSelection(const Entry& e, Selection* sel) {
    sel->name = e.key;
    Pos pos = At(e.key_node);
    sel->line = pos.line;
    sel->column = pos.column;
    if (sel->name.find('|') != std::string::npos) {
      Warn(WarningCode::kSelectionNameWithPipe, pos,
           "selection name " + Quote(sel->name) +
               " contains '|': modifiers belong on field names, so this is a plain selection "
               "named " +
               Quote(sel->name));
    }
    if (e.value.IsMap()) {
      Conjunction c;
      if (!ConvertMap(*sel, e.value, pos, &c)) {
        return false;
      }
      sel->any_of.push_back(std::move(c));
      return true;
    }
    if (e.value.IsSequence()) {
      if (!ConvertList(*sel, e.value, 0, sel)) {
        return false;
      }
      if (sel->any_of.empty()) {
        return Fail(RefusalReason::kInvalidDetection, pos,
                    "selection " + Quote(sel->name) + " is an empty list");
      }
      return true;
    }
    if (e.value.IsScalar()) {
      FieldCondition kw;
      kw.line = pos.line;
      kw.column = pos.column;
      if (!Spend(e.value)) {
        return false;
      }
      kw.values.push_back(ToValue(e.value));
      if (!ValidateModifiers(*sel, "", &kw)) {
        return false;
      }
      sel->any_of.push_back(Conjunction{std::move(kw)});
      return true;
    }
    return Fail(RefusalReason::kInvalidDetection, pos,
                "selection " + Quote(sel->name) + " is empty");
  }

  // A list under a selection: maps are alternatives, plain values one keyword alternative,
  // nested lists are flattened (they are OR-ed too).
  bool ConvertList(const Selection& sel, const YAML::Node& list, int depth, Selection* out) {
    if (depth >= kMaxListNesting) {
      return Fail(RefusalReason::kInvalidDetection, At(list),
                  "selection " + Quote(sel.name) + " nests lists deeper than " +
                      std::to_string(kMaxListNesting) + " levels");
    }
    FieldCondition keywords;
    Pos list_pos = At(list);
    keywords.line = list_pos.line;
    keywords.column = list_pos.column;
    for (const YAML::Node& item : list) {
      if (!Spend(item)) {
        return false;
      }
      if (item.IsMap()) {
        Conjunction c;
        if (!ConvertMap(sel, item, At(item), &c)) {
          return false;
        }
        out->any_of.push_back(std::move(c));
      } else if (item.IsSequence()) {
        if (!ConvertList(sel, item, depth + 1, out)) {
          return false;
        }
      } else {
        keywords.values.push_back(ToValue(item));
      }
    }
    if (!keywords.values.empty()) {
      if (!ValidateModifiers(sel, "", &keywords)) {
        return false;
      }
      out->any_of.push_back(Conjunction{std::move(keywords)});
    }
    return true;
  }

  bool ConvertMap(const Selection& sel, const YAML::Node& map, Pos pos, Conjunction* out) {
    std::vector<Entry> entries;
    if (!Entries(map, "selection " + Quote(sel.name), RefusalReason::kInvalidDetection, &entries)) {
      return false;
    }
    if (entries.empty()) {
      return Fail(RefusalReason::kInvalidDetection, pos,
                  "selection " + Quote(sel.name) + " has an empty mapping");
    }
    for (const Entry& e : entries) {
      FieldCondition fc;
      if (!ConvertItem(sel, e, &fc)) {
        return false;
      }
      out->push_back(std::move(fc));
    }
    return true;
  }

  bool ConvertItem(const Selection& sel, const Entry& e, FieldCondition* fc) {
    Pos pos = At(e.key_node);
    fc->line = pos.line;
    fc->column = pos.column;
    std::string_view key = e.key;
    size_t bar = key.find('|');
    fc->field = std::string(key.substr(0, bar));
    while (bar != std::string_view::npos) {
      size_t next = key.find('|', bar + 1);
      std::string_view name = key.substr(
          bar + 1, next == std::string_view::npos ? std::string_view::npos : next - bar - 1);
      bar = next;
      Modifier m{};
      if (LookupModifier(name, &m)) {
        fc->modifiers.push_back(m);
        continue;
      }
      return Fail(RefusalReason::kUnknownModifier, pos,
                  "unknown modifier " + Quote(name) + " in " + Quote(key));
    }
    if (e.value.IsSequence()) {
      for (const YAML::Node& item : e.value) {
        if (!Spend(item)) {
          return false;
        }
        if (!item.IsScalar() && !item.IsNull()) {
          return Fail(RefusalReason::kInvalidDetection, At(item),
                      "values of " + Quote(key) + " in selection " + Quote(sel.name) +
                          " must be plain values, not " + NodeKind(item));
        }
        fc->values.push_back(ToValue(item));
      }
      if (fc->values.empty()) {
        return Fail(
            RefusalReason::kInvalidDetection, pos,
            Quote(key) + " in selection " + Quote(sel.name) + " has an empty list of values");
      }
    } else if (e.value.IsMap()) {
      return Fail(RefusalReason::kInvalidDetection, At(e.value),
                  "the value of " + Quote(key) + " in selection " + Quote(sel.name) +
                      " must be a value or a list of values, not a mapping");
    } else {
      if (!Spend(e.value)) {
        return false;
      }
      fc->values.push_back(ToValue(e.value));
    }
    return ValidateModifiers(sel, key, fc);
  }

  Value ToValue(const YAML::Node& n) {
    Value v;
    if (n.IsNull()) {
      v.type = ValueType::kNull;
      return v;
    }
    v.text = n.Scalar();
    const std::string& tag = n.Tag();
    if (tag == "?") {
      const std::string& s = v.text;
      if (s == "null" || s == "Null" || s == "NULL" || s == "~") {
        v.type = ValueType::kNull;
        v.text.clear();
      } else if (s == "true" || s == "True" || s == "TRUE") {
        v.type = ValueType::kBool;
        v.boolean = true;
      } else if (s == "false" || s == "False" || s == "FALSE") {
        v.type = ValueType::kBool;
      } else if (ParseYamlInt(s, &v.integer)) {
        v.type = ValueType::kNumber;
        v.is_integer = true;
        v.number = static_cast<double>(v.integer);
      } else if (ParseYamlFloat(s, &v.number)) {
        v.type = ValueType::kNumber;
      } else {
        std::string lower = ToLower(s);
        if (lower == "yes" || lower == "no" || lower == "on" || lower == "off") {
          Warn(WarningCode::kYaml11Scalar, At(n),
               "plain " + Quote(s) +
                   " is a string in YAML 1.2 but a boolean in YAML 1.1 (pySigma): quote it or "
                   "write true/false");
        }
      }
      return v;
    }
    if (tag == "tag:yaml.org,2002:int" && ParseYamlInt(v.text, &v.integer)) {
      v.type = ValueType::kNumber;
      v.is_integer = true;
      v.number = static_cast<double>(v.integer);
    } else if (tag == "tag:yaml.org,2002:float" && ParseYamlFloat(v.text, &v.number)) {
      v.type = ValueType::kNumber;
    } else if (tag == "tag:yaml.org,2002:bool" && (v.text == "true" || v.text == "false")) {
      v.type = ValueType::kBool;
      v.boolean = v.text == "true";
    } else if (tag == "tag:yaml.org,2002:null") {
      v.type = ValueType::kNull;
      v.text.clear();
    }
    return v;  // quoted, block and other tags: a string
  }

  // Validates the modifiers (modifiers.h) and warns about |all on a single value. `key` is
  // the key as written, for messages ("" for keywords).
  bool ValidateModifiers(const Selection& sel, std::string_view key, FieldCondition* fc) {
    Pos pos{fc->line, fc->column};
    std::string where = key.empty() ? "the keywords of selection " + Quote(sel.name) : Quote(key);
    ModifierProblem problem;
    if (!CheckModifiers(where, key.empty() || fc->field.empty(), fc, &problem)) {
      return Fail(problem.reason, pos, std::move(problem.message));
    }
    if (fc->all_values && fc->values.size() == 1) {
      Warn(WarningCode::kAllWithSingleValue, pos,
           "'all' on the single value of " + where + " has no effect (the spec wants a list)");
    }
    return true;
  }

  // ---- placeholders and status

  bool CheckPlaceholders(Rule* rule) {
    std::set<std::string> names;
    Pos first_pos;
    for (const Selection& sel : rule->detection.selections) {
      for (const Conjunction& c : sel.any_of) {
        for (const FieldCondition& fc : c) {
          if (!fc.expand) {
            continue;
          }
          for (const Value& v : fc.values) {
            for (const StringPart& p : SplitSigmaString(v.text, true)) {
              if (p.kind == StringPart::Kind::kPlaceholder && names.insert(p.text).second &&
                  first_pos.line == 0) {
                first_pos = {fc.line, fc.column};
              }
            }
          }
        }
      }
    }
    if (names.empty()) {
      return true;
    }
    rule->placeholders.assign(names.begin(), names.end());
    std::string list;
    for (const std::string& n : rule->placeholders) {
      list += (list.empty() ? "%" : ", %") + n + "%";
    }
    if (!options_.placeholders.has_value()) {
      rule->needs_placeholders = true;
      Warn(WarningCode::kNeedsPlaceholders, first_pos,
           "the rule uses |expand placeholders (" + list +
               ") and no placeholder values are configured: it cannot match until they are");
      return true;
    }
    std::string missing;
    for (const std::string& n : rule->placeholders) {
      if (options_.placeholders->find(n) == options_.placeholders->end()) {
        missing += (missing.empty() ? "%" : ", %") + n + "%";
      }
    }
    if (!missing.empty()) {
      return Fail(RefusalReason::kUnresolvedPlaceholder, first_pos,
                  "no value configured for placeholder(s) " + missing + " used with |expand");
    }
    return true;
  }

  bool CheckStatus(const RuleMeta& meta) {
    const Entry* e = Find(top_, "status");
    Pos pos = e != nullptr ? At(e->value) : DocPos();
    if (meta.status == RuleStatus::kDeprecated && !options_.include_deprecated) {
      return Fail(RefusalReason::kDeprecated, pos,
                  "status is deprecated: the rule was replaced or is covered by another one "
                  "(see 'related')");
    }
    if (meta.status == RuleStatus::kUnsupported && !options_.include_unsupported) {
      return Fail(RefusalReason::kUnsupportedStatus, pos,
                  "status is unsupported: SigmaHQ marks the rule as not usable in its current "
                  "form");
    }
    return true;
  }

  // ---- correlations

  bool ReadCorrelationType(const std::vector<Entry>& c, Pos section, CorrelationRule* corr) {
    std::string type;
    if (!StringField(c, "type", false, &type)) {
      return false;
    }
    if (type.empty()) {
      return Fail(RefusalReason::kInvalidCorrelation, section, "correlation needs a 'type'");
    }
    static const std::pair<std::string_view, CorrelationType> kTypes[] = {
        {"event_count", CorrelationType::kEventCount},
        {"value_count", CorrelationType::kValueCount},
        {"temporal", CorrelationType::kTemporal},
        {"temporal_ordered", CorrelationType::kTemporalOrdered},
        {"value_sum", CorrelationType::kValueSum},
        {"value_avg", CorrelationType::kValueAvg},
        {"value_percentile", CorrelationType::kValuePercentile},
        {"value_median", CorrelationType::kValueMedian},
    };
    Pos pos = At(Find(c, "type")->value);
    for (const auto& [name, t] : kTypes) {
      if (name == type) {
        corr->type = t;
        return true;
      }
    }
    if (type == "temporal_extended" || type == "temporal_ordered_extended") {
      return Fail(RefusalReason::kInvalidCorrelation, pos,
                  "unknown correlation type " + Quote(type) +
                      ": write type temporal or temporal_ordered with a condition such as "
                      "'a and not b'");
    }
    return Fail(RefusalReason::kInvalidCorrelation, pos,
                "unknown correlation type " + Quote(type) +
                    " (expected event_count, value_count, temporal, temporal_ordered, "
                    "value_sum, value_avg, value_percentile or value_median)");
  }

  bool ReadCorrelationRules(const std::vector<Entry>& c, Pos section, CorrelationRule* corr) {
    const Entry* e = Find(c, "rules");
    if (e == nullptr || e->value.IsNull()) {
      return Fail(RefusalReason::kInvalidCorrelation, section,
                  "correlation needs 'rules': the ids or names of the rules it correlates");
    }
    if (!StringList(*e, true, RefusalReason::kInvalidCorrelation,
                    "'rules' must be a rule id or name, or a list of them", &corr->rule_names)) {
      return false;
    }
    if (corr->rule_names.empty()) {
      return Fail(RefusalReason::kInvalidCorrelation, At(e->key_node),
                  "correlation needs 'rules': the ids or names of the rules it correlates");
    }
    std::set<std::string_view> seen;
    for (const std::string& r : corr->rule_names) {
      if (!seen.insert(r).second) {
        return Fail(RefusalReason::kInvalidCorrelation, At(e->key_node),
                    "rule " + Quote(r) + " is listed twice in 'rules'");
      }
    }
    return true;
  }

  bool ReadGroupBy(const std::vector<Entry>& c, CorrelationRule* corr) {
    const Entry* e = Find(c, "group-by");
    if (e == nullptr) {
      return true;
    }
    return StringList(*e, true, RefusalReason::kInvalidCorrelation,
                      "'group-by' must be a field name or a list of field names", &corr->group_by);
  }

  bool ReadTimespan(const std::vector<Entry>& c, Pos section, CorrelationRule* corr) {
    const Entry* e = Find(c, "timespan");
    if (e == nullptr || !e->value.IsScalar()) {
      return Fail(RefusalReason::kInvalidCorrelation, e != nullptr ? At(e->key_node) : section,
                  "correlation needs a 'timespan' such as 5m");
    }
    const std::string& s = e->value.Scalar();
    auto invalid = [&]() {
      return Fail(RefusalReason::kInvalidCorrelation, At(e->value),
                  "invalid timespan " + Quote(s) +
                      " (expected a positive number and a unit s, m, h, d, w, M or y, e.g. 5m)");
    };
    if (s.size() < 2 || s.size() > 12) {
      return invalid();
    }
    static const std::pair<char, int64_t> kUnits[] = {
        {'s', 1},         {'m', 60},        {'h', 3600},       {'d', 86400},
        {'w', 7 * 86400}, {'M', 2'629'746}, {'y', 31'556'952},
    };
    auto unit = std::find_if(std::begin(kUnits), std::end(kUnits),
                             [&](const auto& u) { return u.first == s.back(); });
    int64_t count = 0;
    if (unit == std::end(kUnits) ||
        !ParseInt(std::string_view(s).substr(0, s.size() - 1), &count) || count <= 0 ||
        !IsDigit(s.front())) {
      return invalid();
    }
    corr->timespan_text = s;
    corr->timespan_seconds = count * unit->second;  // count < 10^11: no overflow
    return true;
  }

  bool ReadCorrelationCondition(const std::vector<Entry>& c, Pos section, CorrelationRule* corr) {
    bool temporal =
        corr->type == CorrelationType::kTemporal || corr->type == CorrelationType::kTemporalOrdered;
    bool needs_field = CorrelationNeedsField(corr->type);
    const bool percentile = corr->type == CorrelationType::kValuePercentile;
    const Entry* percentile_entry = nullptr;
    std::string type_name(CorrelationTypeName(corr->type));
    const Entry* e = Find(c, "condition");
    if (e == nullptr || e->value.IsNull()) {
      if (!temporal) {
        return Fail(RefusalReason::kInvalidCorrelation, section,
                    "correlation of type " + type_name + " needs a 'condition' such as {gte: 10}");
      }
      corr->condition.push_back(
          CorrelationThreshold{CompareOp::kGte, static_cast<double>(corr->rule_names.size())});
      return true;
    }
    if (e->value.IsScalar()) {
      return Fail(RefusalReason::kUnsupportedFeature, At(e->value),
                  "extended correlation conditions (boolean expressions over rules) are not "
                  "supported yet");
    }
    if (!e->value.IsMap()) {
      return Fail(RefusalReason::kInvalidCorrelation, At(e->key_node),
                  "the correlation 'condition' must be a mapping such as {gte: 10}");
    }
    std::vector<Entry> items;
    if (!Entries(e->value, "the correlation condition", RefusalReason::kInvalidCorrelation,
                 &items)) {
      return false;
    }
    static const std::pair<std::string_view, CompareOp> kOps[] = {
        {"gt", CompareOp::kGt},   {"gte", CompareOp::kGte}, {"lt", CompareOp::kLt},
        {"lte", CompareOp::kLte}, {"eq", CompareOp::kEq},   {"neq", CompareOp::kNeq},
    };
    for (const Entry& item : items) {
      if (item.key == "field") {
        if (!StringList(item, true, RefusalReason::kInvalidCorrelation,
                        "'field' in the correlation condition must be a field name or a list",
                        &corr->condition_fields)) {
          return false;
        }
        continue;
      }
      if (item.key == "percentile") {
        percentile_entry = &item;
        Value v = item.value.IsScalar() ? ToValue(item.value) : Value{};
        if (v.type != ValueType::kNumber || v.number != std::floor(v.number) || v.number < 0 ||
            v.number > 100) {
          return Fail(RefusalReason::kInvalidCorrelation, At(item.value),
                      "'percentile' in the correlation condition must be a whole number from 0 "
                      "to 100");
        }
        corr->percentile = static_cast<int>(v.number);
        continue;
      }
      auto op = std::find_if(std::begin(kOps), std::end(kOps),
                             [&](const auto& o) { return o.first == item.key; });
      if (op == std::end(kOps)) {
        return Fail(RefusalReason::kInvalidCorrelation, At(item.key_node),
                    "unknown key " + Quote(item.key) +
                        " in the correlation condition (expected gt, gte, lt, lte, eq, neq, "
                        "field or percentile)");
      }
      Value v = item.value.IsScalar() ? ToValue(item.value) : Value{};
      if (!item.value.IsScalar() || v.type != ValueType::kNumber || !std::isfinite(v.number)) {
        return Fail(RefusalReason::kInvalidCorrelation, At(item.value),
                    "'" + item.key + "' in the correlation condition must be a number");
      }
      corr->condition.push_back(CorrelationThreshold{op->second, v.number});
    }
    if (corr->condition.empty()) {
      return Fail(RefusalReason::kInvalidCorrelation, At(e->key_node),
                  "the correlation condition needs one of gt, gte, lt, lte, eq or neq");
    }
    if (corr->condition.size() > 1) {
      Warn(WarningCode::kCorrelationRange, At(e->key_node),
           "the correlation condition has " + std::to_string(corr->condition.size()) +
               " thresholds (a range, AND-ed); pySigma accepts exactly one");
    }
    if (needs_field && corr->condition_fields.empty()) {
      return Fail(RefusalReason::kInvalidCorrelation, At(e->key_node),
                  "correlation of type " + type_name + " needs 'condition.field'");
    }
    if (!needs_field && !corr->condition_fields.empty()) {
      Warn(WarningCode::kIgnoredField, At(e->key_node),
           "'condition.field' has no effect on a correlation of type " + type_name);
    }
    if (percentile && percentile_entry == nullptr) {
      return Fail(RefusalReason::kInvalidCorrelation, At(e->key_node),
                  "correlation of type value_percentile needs 'condition.percentile' (0 to 100)");
    }
    if (!percentile && percentile_entry != nullptr) {
      corr->percentile = 50;
      Warn(WarningCode::kIgnoredField, At(percentile_entry->key_node),
           "'condition.percentile' has no effect on a correlation of type " + type_name);
    }
    return true;
  }

  bool ReadAliases(const std::vector<Entry>& c, CorrelationRule* corr) {
    const Entry* e = Find(c, "aliases");
    if (e == nullptr || e->value.IsNull()) {
      return true;
    }
    constexpr std::string_view kShape = "'aliases' must map each alias to {rule name: field}";
    if (!e->value.IsMap()) {
      return Fail(RefusalReason::kInvalidCorrelation, At(e->key_node), std::string(kShape));
    }
    std::vector<Entry> aliases;
    if (!Entries(e->value, "'aliases'", RefusalReason::kInvalidCorrelation, &aliases)) {
      return false;
    }
    for (const Entry& a : aliases) {
      if (!a.value.IsMap()) {
        return Fail(RefusalReason::kInvalidCorrelation, At(a.key_node), std::string(kShape));
      }
      std::vector<Entry> fields;
      if (!Entries(a.value, "alias " + Quote(a.key), RefusalReason::kInvalidCorrelation, &fields)) {
        return false;
      }
      CorrelationAlias alias;
      alias.alias = a.key;
      for (const Entry& f : fields) {
        if (!f.value.IsScalar()) {
          return Fail(RefusalReason::kInvalidCorrelation, At(f.key_node), std::string(kShape));
        }
        if (std::find(corr->rule_names.begin(), corr->rule_names.end(), f.key) ==
            corr->rule_names.end()) {
          return Fail(RefusalReason::kInvalidCorrelation, At(f.key_node),
                      "alias " + Quote(a.key) + " names rule " + Quote(f.key) +
                          ", which is not in 'rules'");
        }
        alias.fields.emplace_back(f.key, f.value.Scalar());
      }
      corr->aliases.push_back(std::move(alias));
    }
    return true;
  }

  // `generate` is inside `correlation:` in pySigma and at the top level in the JSON schema;
  // both are accepted.
  bool ReadGenerate(const std::vector<Entry>& c, CorrelationRule* corr) {
    for (const Entry* e : {Find(c, "generate"), Find(top_, "generate")}) {
      if (e == nullptr) {
        continue;
      }
      Value v = e->value.IsScalar() ? ToValue(e->value) : Value{};
      if (v.type != ValueType::kBool) {
        return Fail(RefusalReason::kInvalidField, At(e->key_node),
                    "'generate' must be true or false");
      }
      corr->generate = corr->generate || v.boolean;
    }
    return true;
  }

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

}  // namespace

// ---------------------------------------------------------------------------------------

struct Collector::State {
  explicit State(const LoadOptions& o) : options(o) {}

  // One document (or one file that failed as a whole), in load order.
  struct Item {
    // monostate: nothing to load (an empty file), only warnings.
    std::variant<std::monostate, Rule, CorrelationRule, Refusal, Filter> v;
    std::vector<LoadWarning> warnings;
    std::string name;  // `name:` as read, also for refused documents
  };

  void Refuse(Item& item, RefusalReason reason, std::string message) {
    const RuleMeta& meta = std::holds_alternative<Rule>(item.v)
                               ? std::get<Rule>(item.v).meta
                               : std::get<CorrelationRule>(item.v).meta;
    Refusal r;
    r.location = meta.location;
    r.rule_id = meta.id;
    r.rule_title = meta.title;
    r.reason = reason;
    r.message = std::move(message);
    item.v = std::move(r);
  }

  static const RuleMeta* Meta(const Item& item) {
    if (const auto* r = std::get_if<Rule>(&item.v)) {
      return &r->meta;
    }
    if (const auto* c = std::get_if<CorrelationRule>(&item.v)) {
      return &c->meta;
    }
    return nullptr;
  }

  static std::string Where(const RuleMeta& m) {
    return m.location.file + ":" + std::to_string(m.location.line);
  }

  // Later rules with an id or name already taken are refused (the first in path order wins).
  void RefuseDuplicates() {
    std::unordered_map<std::string, size_t> ids;
    std::unordered_map<std::string, size_t> names;
    for (size_t i = 0; i < items.size(); ++i) {
      const RuleMeta* m = Meta(items[i]);
      if (m == nullptr) {
        continue;
      }
      if (!m->id.empty()) {
        auto [it, inserted] = ids.emplace(m->id, i);
        if (!inserted) {
          Refuse(items[i], RefusalReason::kDuplicateId,
                 "id " + Quote(m->id) + " is already used by the rule at " +
                     Where(*Meta(items[it->second])));
          continue;
        }
      }
      if (!m->name.empty()) {
        auto [it, inserted] = names.emplace(m->name, i);
        if (!inserted) {
          std::string message = "name " + Quote(m->name) + " is already used by the rule at " +
                                Where(*Meta(items[it->second]));
          if (!m->id.empty()) {
            ids.erase(m->id);
          }
          Refuse(items[i], RefusalReason::kDuplicateId, std::move(message));
        }
      }
    }
  }

  // Resolves correlation references; a correlation whose references do not all lead to
  // loaded rules is refused, transitively (refusals can cascade through chains).
  void ResolveCorrelations() {
    std::unordered_map<std::string, size_t> by_id;
    std::unordered_map<std::string, size_t> by_name;
    for (size_t i = 0; i < items.size(); ++i) {
      if (const RuleMeta* m = Meta(items[i])) {
        if (!m->id.empty()) {
          by_id.emplace(m->id, i);
        }
        if (!m->name.empty()) {
          by_name.emplace(m->name, i);
        }
      }
    }
    // Refused rules are remembered by id/name too, to say why a reference fails.
    std::unordered_map<std::string, RefusalReason> refused;
    for (const Item& item : items) {
      if (const auto* r = std::get_if<Refusal>(&item.v)) {
        if (!r->rule_id.empty()) {
          refused.emplace(r->rule_id, r->reason);
        }
        if (!item.name.empty()) {
          refused.emplace(item.name, r->reason);
        }
      }
    }
    enum class Mark : uint8_t { kNone, kVisiting, kDone };
    std::vector<Mark> marks(items.size(), Mark::kNone);
    std::vector<std::vector<size_t>> targets(items.size());
    // Iterative depth-first search: chains can be long and input is untrusted.
    for (size_t start = 0; start < items.size(); ++start) {
      if (!std::holds_alternative<CorrelationRule>(items[start].v) || marks[start] != Mark::kNone) {
        continue;
      }
      std::vector<std::pair<size_t, size_t>> stack;  // (item, next reference)
      stack.emplace_back(start, 0);
      marks[start] = Mark::kVisiting;
      while (!stack.empty()) {
        auto& [cur, next] = stack.back();
        auto* corr = std::get_if<CorrelationRule>(&items[cur].v);
        if (corr == nullptr || next >= corr->rule_names.size()) {
          marks[cur] = Mark::kDone;
          size_t done = cur;
          stack.pop_back();
          // A refused child refuses its parent.
          if (!stack.empty() && std::holds_alternative<Refusal>(items[done].v)) {
            size_t parent = stack.back().first;
            if (std::holds_alternative<CorrelationRule>(items[parent].v)) {
              const std::string& ref =
                  std::get<CorrelationRule>(items[parent].v).rule_names[stack.back().second - 1];
              Refuse(items[parent], RefusalReason::kUnresolvedReference,
                     "correlation refers to " + Quote(ref) + ", which was refused (" +
                         std::string(RefusalReasonName(std::get<Refusal>(items[done].v).reason)) +
                         ")");
            }
          }
          continue;
        }
        const std::string ref = corr->rule_names[next++];
        size_t target = SIZE_MAX;
        if (auto it = by_id.find(ref); it != by_id.end()) {
          target = it->second;
        } else if (auto nt = by_name.find(ref); nt != by_name.end()) {
          target = nt->second;
        }
        if (target == SIZE_MAX) {
          auto rf = refused.find(ref);
          std::string why =
              rf != refused.end()
                  ? ", which was refused (" + std::string(RefusalReasonName(rf->second)) + ")"
                  : ", which is not the id or name of a loaded rule";
          Refuse(items[cur], RefusalReason::kUnresolvedReference,
                 "correlation refers to " + Quote(ref) + why);
          continue;  // the item is now a Refusal: popped on the next turn
        }
        if (std::holds_alternative<Refusal>(items[target].v)) {
          Refuse(items[cur], RefusalReason::kUnresolvedReference,
                 "correlation refers to " + Quote(ref) + ", which was refused (" +
                     std::string(RefusalReasonName(std::get<Refusal>(items[target].v).reason)) +
                     ")");
          continue;
        }
        if (marks[target] == Mark::kVisiting) {
          Refuse(items[cur], RefusalReason::kUnresolvedReference,
                 "correlation chain through " + Quote(ref) + " refers back to itself");
          continue;
        }
        targets[cur].push_back(target);
        if (marks[target] == Mark::kNone &&
            std::holds_alternative<CorrelationRule>(items[target].v)) {
          marks[target] = Mark::kVisiting;
          stack.emplace_back(target, 0);
        }
      }
    }
    resolved_targets = std::move(targets);
  }

  // A filter's log-source keys must all be set, equal (ignoring case), in the rule's.
  static bool Contains(const LogSource& filter, const LogSource& rule) {
    auto same = [](const std::string& f, const std::string& r) {
      return f.empty() || EqualsIgnoreCase(f, r);
    };
    return same(filter.product, rule.product) && same(filter.category, rule.category) &&
           same(filter.service, rule.service);
  }

  // Adds `f`'s selections to `rule` (renamed `_filt<n>_<name>`, so `them` and patterns in
  // the rule's condition do not reach them) and ANDs its condition with the rule's.
  static void ApplyFilter(const Filter& f, size_t n, Rule* rule) {
    Detection& d = rule->detection;
    const auto offset = static_cast<uint32_t>(d.selections.size());
    const std::string prefix = "_filt" + std::to_string(n) + "_";
    for (Selection sel : f.detection.selections) {
      sel.name = prefix + sel.name;
      d.selections.push_back(std::move(sel));
    }
    ConditionNode filter_condition = f.detection.condition;
    std::vector<ConditionNode*> stack{&filter_condition};
    while (!stack.empty()) {
      ConditionNode* node = stack.back();
      stack.pop_back();
      if (node->op == ConditionOp::kSelection) {
        node->selection += offset;
        node->name = prefix + node->name;
      }
      for (ConditionNode& child : node->children) {
        stack.push_back(&child);
      }
    }
    ConditionNode both;
    both.op = ConditionOp::kAnd;
    both.column = 1;
    both.children.push_back(std::move(d.condition));
    both.children.push_back(std::move(filter_condition));
    d.condition = std::move(both);
    for (const std::string& text : f.detection.condition_text) {
      d.condition_text.push_back("filter '" + f.title + "': " + text);
    }
  }

  // Applies every loaded filter to the rules it names; a name that reaches no rule is a
  // warning on the filter (a typo would otherwise silently leave the rule unfiltered).
  void ApplyFilters(LoadResult* result) {
    std::vector<uint8_t> filtered(items.size(), 0);
    size_t n = 0;
    for (Item& item : items) {
      const Filter* f = std::get_if<Filter>(&item.v);
      if (f == nullptr) {
        continue;
      }
      ++result->filters;
      std::vector<uint8_t> named(f->rules.size(), 0);
      for (size_t i = 0; i < items.size(); ++i) {
        auto* rule = std::get_if<Rule>(&items[i].v);
        if (rule == nullptr) {
          continue;
        }
        bool listed = f->any;
        for (size_t k = 0; k < f->rules.size(); ++k) {
          if (f->rules[k] == rule->meta.id ||
              (!rule->meta.name.empty() && f->rules[k] == rule->meta.name)) {
            listed = true;
            if (Contains(f->logsource, rule->logsource)) {
              named[k] = 1;
            }
          }
        }
        if (listed && Contains(f->logsource, rule->logsource)) {
          ApplyFilter(*f, n, rule);
          filtered[i] = 1;
        }
      }
      for (size_t k = 0; k < f->rules.size(); ++k) {
        if (named[k] == 0) {
          LoadWarning w;
          w.location = f->location;
          w.code = WarningCode::kFilterUnmatched;
          w.message = "filter " + Quote(f->title) + " names rule " + Quote(f->rules[k]) +
                      ", which is no loaded detection rule of a log source the filter's contains";
          item.warnings.push_back(std::move(w));
        }
      }
      ++n;
    }
    result->filtered_rules = static_cast<size_t>(std::count(filtered.begin(), filtered.end(), 1));
  }

  LoadResult Finish(size_t files) {
    RefuseDuplicates();
    ResolveCorrelations();
    LoadResult result;
    ApplyFilters(&result);
    auto set = std::make_shared<RuleSet>();
    std::vector<RuleRef> final_ref(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      if (std::holds_alternative<Rule>(items[i].v)) {
        final_ref[i] = {RuleRef::Kind::kRule, static_cast<uint32_t>(set->rules.size())};
        set->rules.push_back(std::move(std::get<Rule>(items[i].v)));
      } else if (std::holds_alternative<CorrelationRule>(items[i].v)) {
        final_ref[i] = {RuleRef::Kind::kCorrelation,
                        static_cast<uint32_t>(set->correlations.size())};
        set->correlations.push_back(std::move(std::get<CorrelationRule>(items[i].v)));
      }
    }
    for (size_t i = 0; i < items.size(); ++i) {
      if (auto* r = std::get_if<Refusal>(&items[i].v)) {
        result.refusals.push_back(std::move(*r));
        continue;
      }
      for (LoadWarning& w : items[i].warnings) {
        result.warnings.push_back(std::move(w));
      }
      if (final_ref[i].kind != RuleRef::Kind::kCorrelation || i >= resolved_targets.size()) {
        continue;
      }
      CorrelationRule& corr = set->correlations[final_ref[i].index];
      for (size_t t : resolved_targets[i]) {
        RuleRef ref = final_ref[t];
        corr.rules.push_back(ref);
        if (!corr.generate) {
          if (ref.kind == RuleRef::Kind::kRule) {
            set->rules[ref.index].standalone = false;
          } else {
            set->correlations[ref.index].standalone = false;
          }
        }
      }
    }
    result.rules = std::move(set);
    result.files = files;
    return result;
  }

  const LoadOptions& options;
  std::vector<Item> items;
  std::vector<std::vector<size_t>> resolved_targets;
};

Collector::Collector(const LoadOptions& options) : state_(std::make_unique<State>(options)) {}
Collector::~Collector() = default;

void Collector::AddFileRefusal(const std::string& file,
                               uint32_t line,
                               uint32_t column,
                               RefusalReason reason,
                               std::string message) {
  Refusal r;
  r.location = {file, line, column};
  r.reason = reason;
  r.message = std::move(message);
  state_->items.push_back(State::Item{std::move(r), {}, {}});
}

void Collector::AddFile(const std::string& file, const std::vector<RawDocument>& docs) {
  if (docs.empty()) {
    // Not a refusal: there was nothing to load.
    LoadWarning w;
    w.location = {file, 1, 1};
    w.code = WarningCode::kEmptyFile;
    w.message = "the file contains no YAML documents";
    State::Item item;
    item.warnings.push_back(std::move(w));
    state_->items.push_back(std::move(item));
    return;
  }
  // Sigma v1 collections: the documents only make rules once merged with `action: global`.
  for (const RawDocument& doc : docs) {
    if (!doc.root.IsMap()) {
      continue;
    }
    for (auto it = doc.root.begin(); it != doc.root.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == "action" && it->second.IsScalar()) {
        const std::string& action = it->second.Scalar();
        if (action == "global" || action == "reset" || action == "repeat") {
          Refusal r;
          Pos at = PosOf(it->first, doc.line_offset);
          r.location = {file, at.line, at.column};
          DocumentConverter peek(file, docs.front(), state_->options);
          peek.PeekIdentity();
          r.rule_id = peek.id();
          r.rule_title = peek.title();
          r.reason = RefusalReason::kV1Collection;
          r.message = "Sigma v1 rule collection ('action: " + action +
                      "') is not supported: write each rule as one self-contained document";
          // A collection that also aggregates is refused for the aggregation: that is the
          // part needing a rewrite into a correlation rule.
          for (const RawDocument& d : docs) {
            Pos pos;
            std::string message;
            if (FindV1Aggregation(d.root, d.line_offset, &pos, &message)) {
              r.location = {file, pos.line, pos.column};
              r.reason = RefusalReason::kV1Aggregation;
              r.message = std::move(message);
              r.message += " (the file is also a v1 rule collection, 'action: " + action + "')";
              break;
            }
          }
          state_->items.push_back(State::Item{std::move(r), {}, {}});
          return;
        }
      }
    }
  }
  for (const RawDocument& doc : docs) {
    DocumentConverter conv(file, doc, state_->options);
    State::Item item;
    bool ok = false;
    // Converts the document into a T with `method`, kept in the item when it succeeds.
    auto convert = [&]<typename T>(bool (DocumentConverter::*method)(T*)) {
      T value;
      ok = (conv.*method)(&value);
      if (ok) {
        item.v = std::move(value);
      }
    };
    try {
      conv.PeekIdentity();
      switch (conv.Classify()) {
        case DocumentConverter::DocKind::kRule:
          convert(&DocumentConverter::ConvertRule);
          break;
        case DocumentConverter::DocKind::kCorrelation:
          convert(&DocumentConverter::ConvertCorrelation);
          break;
        case DocumentConverter::DocKind::kFilter:
          convert(&DocumentConverter::ConvertFilter);
          break;
        case DocumentConverter::DocKind::kInvalid:
          break;
      }
    } catch (const std::exception& e) {
      // yaml-cpp accessors; should not happen with the checks above, but this is the
      // boundary of the stage.
      Refusal r;
      r.location = {file, doc.line, doc.column};
      r.rule_id = conv.id();
      r.rule_title = conv.title();
      r.reason = RefusalReason::kYamlSyntax;
      r.message = std::string("unexpected YAML structure: ") + e.what();
      state_->items.push_back(State::Item{std::move(r), {}, conv.name()});
      continue;
    }
    item.name = conv.name();
    if (ok) {
      item.warnings = std::move(conv.warnings());
    } else {
      Refusal r;
      r.location = {file, conv.problem().pos.line, conv.problem().pos.column};
      r.rule_id = conv.id();
      r.rule_title = conv.title();
      r.reason = conv.problem().reason;
      r.message = conv.problem().message;
      item.v = std::move(r);
    }
    state_->items.push_back(std::move(item));
  }
}

LoadResult Collector::Finish(size_t files) {
  return state_->Finish(files);
}

}  // namespace rampart::sigma::internal
