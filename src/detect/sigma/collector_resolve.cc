// The collector's cross-document resolution, once every file is read: duplicate ids and
// names, correlation references (refusals cascade through chains) and filters.

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

void Collector::State::Refuse(Item& item, RefusalReason reason, std::string message) {
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

const RuleMeta* Collector::State::Meta(const Item& item) {
  if (const auto* r = std::get_if<Rule>(&item.v)) {
    return &r->meta;
  }
  if (const auto* c = std::get_if<CorrelationRule>(&item.v)) {
    return &c->meta;
  }
  return nullptr;
}

std::string Collector::State::Where(const RuleMeta& m) {
  return m.location.file + ":" + std::to_string(m.location.line);
}

void Collector::State::RefuseDuplicates() {
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

void Collector::State::ResolveCorrelations() {
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
        std::string why = rf != refused.end() ? ", which was refused (" +
                                                    std::string(RefusalReasonName(rf->second)) + ")"
                                              : ", which is not the id or name of a loaded rule";
        Refuse(items[cur], RefusalReason::kUnresolvedReference,
               "correlation refers to " + Quote(ref) + why);
        continue;  // the item is now a Refusal: popped on the next turn
      }
      if (std::holds_alternative<Refusal>(items[target].v)) {
        Refuse(items[cur], RefusalReason::kUnresolvedReference,
               "correlation refers to " + Quote(ref) + ", which was refused (" +
                   std::string(RefusalReasonName(std::get<Refusal>(items[target].v).reason)) + ")");
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

bool Collector::State::Contains(const LogSource& filter, const LogSource& rule) {
  auto same = [](const std::string& f, const std::string& r) {
    return f.empty() || EqualsIgnoreCase(f, r);
  };
  return same(filter.product, rule.product) && same(filter.category, rule.category) &&
         same(filter.service, rule.service);
}

void Collector::State::ApplyFilter(const Filter& f, size_t n, Rule* rule) {
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

void Collector::State::ApplyFilters(LoadResult* result) {
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

LoadResult Collector::State::Finish(size_t files) {
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
      final_ref[i] = {RuleRef::Kind::kCorrelation, static_cast<uint32_t>(set->correlations.size())};
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

}  // namespace rampart::sigma::internal
