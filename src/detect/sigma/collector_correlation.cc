// The collector's correlation rules (Sigma v2): type, referenced rules, group-by,
// timespan, condition, aliases and generate. References are resolved across documents
// in collector_resolve.cc.

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

bool DocumentConverter::ConvertCorrelation(CorrelationRule* corr) {
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

bool DocumentConverter::ReadCorrelationType(const std::vector<Entry>& c,
                                            Pos section,
                                            CorrelationRule* corr) {
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

bool DocumentConverter::ReadCorrelationRules(const std::vector<Entry>& c,
                                             Pos section,
                                             CorrelationRule* corr) {
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

bool DocumentConverter::ReadGroupBy(const std::vector<Entry>& c, CorrelationRule* corr) {
  const Entry* e = Find(c, "group-by");
  if (e == nullptr) {
    return true;
  }
  return StringList(*e, true, RefusalReason::kInvalidCorrelation,
                    "'group-by' must be a field name or a list of field names", &corr->group_by);
}

bool DocumentConverter::ReadTimespan(const std::vector<Entry>& c,
                                     Pos section,
                                     CorrelationRule* corr) {
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
  if (unit == std::end(kUnits) || !ParseInt(std::string_view(s).substr(0, s.size() - 1), &count) ||
      count <= 0 || !IsDigit(s.front())) {
    return invalid();
  }
  corr->timespan_text = s;
  corr->timespan_seconds = count * unit->second;  // count < 10^11: no overflow
  return true;
}

bool DocumentConverter::ReadCorrelationCondition(const std::vector<Entry>& c,
                                                 Pos section,
                                                 CorrelationRule* corr) {
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
  if (!Entries(e->value, "the correlation condition", RefusalReason::kInvalidCorrelation, &items)) {
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

bool DocumentConverter::ReadAliases(const std::vector<Entry>& c, CorrelationRule* corr) {
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
        return Fail(
            RefusalReason::kInvalidCorrelation, At(f.key_node),
            "alias " + Quote(a.key) + " names rule " + Quote(f.key) + ", which is not in 'rules'");
      }
      alias.fields.emplace_back(f.key, f.value.Scalar());
    }
    corr->aliases.push_back(std::move(alias));
  }
  return true;
}

bool DocumentConverter::ReadGenerate(const std::vector<Entry>& c, CorrelationRule* corr) {
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

}  // namespace rampart::sigma::internal
