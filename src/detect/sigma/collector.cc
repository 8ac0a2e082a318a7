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
#include "detect/sigma/internal/collector_parts.h"
#include "detect/sigma/internal/modifiers.h"

namespace rampart::sigma::internal {
namespace {

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

}  // namespace

void DocumentConverter::PeekIdentity() {
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

DocumentConverter::DocKind DocumentConverter::Classify() {
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

bool DocumentConverter::SectionEntries(const Entry& section, std::vector<Entry>* out) {
  const std::string where = "'" + section.key + "'";
  if (!section.value.IsMap()) {
    return Fail(RefusalReason::kInvalidField, At(section.key_node),
                where + " must be a mapping, not " + NodeKind(section.value));
  }
  return Entries(section.value, where, RefusalReason::kInvalidDetection, out);
}

bool DocumentConverter::ConvertRule(Rule* rule) {
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

bool DocumentConverter::Fail(RefusalReason reason, Pos pos, std::string message) {
  problem_.reason = reason;
  problem_.pos = pos.line != 0 ? pos : DocPos();
  problem_.message = std::move(message);
  return false;
}

void DocumentConverter::Warn(WarningCode code, Pos pos, std::string message) {
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

bool DocumentConverter::Spend(const YAML::Node& at) {
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

bool DocumentConverter::ConvertMeta(RuleMeta* meta) {
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
    if (!StringList(*tags, false, RefusalReason::kInvalidField, "'tags' must be a list of strings",
                    &meta->tags)) {
      return false;
    }
    ParseAttackTags(*tags, meta);
  }
  return LenientList("references", &meta->references) &&
         LenientList("falsepositives", &meta->falsepositives);
}

void DocumentConverter::ParseAttackTags(const Entry& tags, RuleMeta* meta) {
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

bool DocumentConverter::ConvertLogSource(LogSource* ls) {
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

bool DocumentConverter::CheckStatus(const RuleMeta& meta) {
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
