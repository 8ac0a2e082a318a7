// The collector's detections: selections (maps, lists, keywords, values and modifiers),
// conditions (with Sigma v1 aggregations refused at their column) and placeholders.

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

bool DocumentConverter::ConvertSelections(const Entry& section,
                                          const std::vector<Entry>& entries,
                                          Detection* d) {
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

bool DocumentConverter::ConvertFilter(Filter* f) {
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

bool DocumentConverter::ReadConditions(const Entry& detection,
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

bool DocumentConverter::FailCondition(const std::string& text,
                                      const YAML::Node& node,
                                      const ConditionError& e) {
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

bool DocumentConverter::CheckV1(const std::vector<Entry>& det,
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

bool DocumentConverter::ConvertConditions(
    const std::vector<std::pair<std::string, YAML::Node>>& conditions, Detection* d) {
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

bool DocumentConverter::ConvertSelection(const Entry& e, Selection* sel) {
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
  return Fail(RefusalReason::kInvalidDetection, pos, "selection " + Quote(sel->name) + " is empty");
}

bool DocumentConverter::ConvertList(const Selection& sel,
                                    const YAML::Node& list,
                                    int depth,
                                    Selection* out) {
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

bool DocumentConverter::ConvertMap(const Selection& sel,
                                   const YAML::Node& map,
                                   Pos pos,
                                   Conjunction* out) {
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

bool DocumentConverter::ConvertItem(const Selection& sel, const Entry& e, FieldCondition* fc) {
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
      return Fail(RefusalReason::kInvalidDetection, pos,
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

bool DocumentConverter::ValidateModifiers(const Selection& sel,
                                          std::string_view key,
                                          FieldCondition* fc) {
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

bool DocumentConverter::CheckPlaceholders(Rule* rule) {
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

}  // namespace rampart::sigma::internal
