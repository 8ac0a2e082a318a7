// The correlation engine: planning (Create), per-group window state (Add, Expire) and the
// metrics of each correlation type. See correlate.h for the contract and
// docs/correlation.md for the semantics.
//
// State layout: one hash map per correlation from the group key (tenant and lower-cased
// group-by values, length-prefixed) to a Group, whose hits (Entry) are kept sorted by
// (time, sequence, referenced-rule position). A list orders all groups by last update for
// eviction. Each group carries the metric of its current window (internal/window.h),
// updated as the window slides, so an in-order hit costs the same whatever the window
// holds; an out-of-order hit rebuilds it from the group's hits.

#include "detect/correlate/correlate.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <limits>
#include <list>
#include <string_view>
#include <system_error>
#include <unordered_map>

#include "core/strings.h"
#include "detect/correlate/internal/window.h"

namespace rampart::correlate {
namespace {

using sigma::CorrelationRule;
using sigma::CorrelationType;
using sigma::RuleRef;

constexpr int64_t kNanosPerSecond = 1'000'000'000;
// Slot of a chained input's condition value when the inner correlation has no group field
// of that name: the inner metric.
constexpr uint32_t kMetricSlot = std::numeric_limits<uint32_t>::max();

using internal::Entry;
using internal::EntryKey;
using internal::Evidence;
using internal::EvidenceItem;
using internal::FirstOfEvent;
using internal::WindowState;

// How one referenced input (rule or inner correlation) of a correlation supplies values.
struct Input {
  uint32_t correlation = 0;  // the consumer
  uint32_t position = 0;     // index in the consumer's `rules`
  // Per group-by field of the consumer: the index into RuleHit::values (rules) or into the
  // inner correlation's group values (chains).
  std::vector<uint32_t> group_slots;
  std::optional<uint32_t> value_slot;  // condition.field; kMetricSlot: the inner metric
};

struct CorrelationPlan {
  const CorrelationRule* rule = nullptr;
  int64_t span_ns = 0;
};

struct GroupId {
  uint32_t correlation = 0;
  std::string key;
};

struct Group {
  explicit Group(const CorrelationRule& c) : window(c.type, c.rules.size(), c.percentile) {}

  std::string tenant;
  std::vector<std::string> display;  // first spelling seen, per group-by field
  std::deque<Entry> entries;         // sorted by EntryKey
  int64_t newest_ns = std::numeric_limits<int64_t>::min();
  // After a firing: the completing hit. Hits at or before it are ignored.
  bool fired = false;
  EntryKey fired_key;
  // The metric of entries[window_start, window_end), valid when window_valid.
  WindowState window;
  size_t window_start = 0;
  size_t window_end = 0;
  bool window_valid = false;
  std::list<GroupId>::iterator lru;
};

// A correlation that fired.
struct Fired {
  uint32_t correlation = 0;
  int64_t time_ns = 0;
  uint64_t sequence = 0;
  std::string tenant;
  std::vector<std::string> group_values;
  double metric = 0;
  std::shared_ptr<const Evidence> evidence;
};

// A hit on its way into a correlation: a rule hit or a chained firing.
struct Incoming {
  int64_t time_ns = 0;
  uint64_t sequence = 0;
  const std::string* tenant = nullptr;
  // Rule hits:
  const std::vector<std::optional<std::string>>* rule_values = nullptr;
  const EventRef* event = nullptr;
  const std::string* dataset = nullptr;
  uint32_t repeat = 1;
  // Chained firings:
  const std::vector<std::string>* chain_values = nullptr;
  double chain_metric = 0;
  std::shared_ptr<const Evidence> chained;
};

// Decimal number (optional sign, fraction, exponent), surrounding blanks allowed; finite
// only, since an infinite value would make every sum or mean meaningless.
std::optional<double> ParseNumber(std::string_view s) {
  s = Trim(s);
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') {
      return std::nullopt;
    }
  }
  if (s.empty()) {
    return std::nullopt;
  }
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::string FormatNumber(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

void AppendKeyPart(std::string* key, std::string_view part) {
  key->append(std::to_string(part.size()));
  key->push_back(':');
  for (char c : part) {
    key->push_back(AsciiLower(c));
  }
}

bool Holds(const std::vector<sigma::CorrelationThreshold>& condition, double metric) {
  for (const sigma::CorrelationThreshold& t : condition) {
    bool ok = false;
    switch (t.op) {
      case sigma::CompareOp::kGt:
        ok = metric > t.value;
        break;
      case sigma::CompareOp::kGte:
        ok = metric >= t.value;
        break;
      case sigma::CompareOp::kLt:
        ok = metric < t.value;
        break;
      case sigma::CompareOp::kLte:
        ok = metric <= t.value;
        break;
      case sigma::CompareOp::kEq:
        ok = metric == t.value;
        break;
      case sigma::CompareOp::kNeq:
        ok = metric != t.value;
        break;
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string Describe(const sigma::RuleMeta& meta) {
  std::string out = "'" + meta.title + "'";
  const std::string& id = meta.id.empty() ? meta.name : meta.id;
  if (!id.empty()) {
    out += " (" + id + ")";
  }
  return out;
}

}  // namespace

struct Engine::Impl {
  std::shared_ptr<const sigma::RuleSet> rules;
  Options options;
  std::vector<CorrelationPlan> plans;            // per correlation
  std::vector<std::vector<Input>> rule_inputs;   // per rule: the correlations it feeds
  std::vector<std::vector<Input>> chain_inputs;  // per correlation: the ones it feeds
  std::vector<std::vector<std::string>> fields;  // per rule: FieldsFor
  std::vector<bool> referenced;                  // per rule
  std::vector<std::unordered_map<std::string, Group>> groups;  // per correlation
  std::list<GroupId> lru;                                      // least recently updated first
  size_t group_count = 0;
  Stats stats;

  Status BuildPlans();
  void Dispatch(const std::vector<Input>& inputs,
                const Incoming& in,
                std::vector<CorrelationHit>* out);
  void Feed(const Input& input, const Incoming& in, std::vector<Fired>* fired);
  void Evaluate(uint32_t correlation, Group* g, size_t index, std::vector<Fired>* fired);
  void PopFront(Group* g);
  Fired MakeFired(uint32_t correlation,
                  const Group& g,
                  size_t start,
                  size_t end,
                  double metric,
                  const std::vector<size_t>* run) const;
  void EraseGroup(uint32_t correlation, std::unordered_map<std::string, Group>::iterator it);
};

// ---------------------------------------------------------------------------------------
// Planning

namespace {

// The field that group-by (or condition) field `name` of `c` comes from for the input at
// `position`: the alias's field for that rule, or `name` itself.
const std::string& ResolveAlias(const sigma::RuleSet& set,
                                const CorrelationRule& c,
                                const std::string& name,
                                size_t position) {
  const RuleRef& ref = c.rules[position];
  const sigma::RuleMeta& target = ref.kind == RuleRef::Kind::kRule
                                      ? set.rules[ref.index].meta
                                      : set.correlations[ref.index].meta;
  for (const sigma::CorrelationAlias& alias : c.aliases) {
    if (alias.alias != name) {
      continue;
    }
    for (const auto& [rule_name, field] : alias.fields) {
      bool same = (position < c.rule_names.size() && c.rule_names[position] == rule_name) ||
                  (!target.id.empty() && target.id == rule_name) ||
                  (!target.name.empty() && target.name == rule_name);
      if (same) {
        return field;
      }
    }
  }
  return name;
}

uint32_t SlotFor(std::vector<std::string>* fields, const std::string& name) {
  auto it = std::find(fields->begin(), fields->end(), name);
  if (it == fields->end()) {
    fields->push_back(name);
    return static_cast<uint32_t>(fields->size() - 1);
  }
  return static_cast<uint32_t>(it - fields->begin());
}

// 0 = unvisited, 1 = on the current path, 2 = done.
bool HasCycle(const sigma::RuleSet& set, size_t c, std::vector<uint8_t>* mark, size_t* at) {
  (*mark)[c] = 1;
  for (const RuleRef& ref : set.correlations[c].rules) {
    if (ref.kind != RuleRef::Kind::kCorrelation) {
      continue;
    }
    if ((*mark)[ref.index] == 1) {
      *at = ref.index;
      return true;
    }
    if ((*mark)[ref.index] == 0 && HasCycle(set, ref.index, mark, at)) {
      return true;
    }
  }
  (*mark)[c] = 2;
  return false;
}

}  // namespace

Status Engine::Impl::BuildPlans() {
  const sigma::RuleSet& set = *rules;
  const size_t n_rules = set.rules.size();
  const size_t n_corr = set.correlations.size();
  plans.resize(n_corr);
  rule_inputs.resize(n_rules);
  chain_inputs.resize(n_corr);
  fields.resize(n_rules);
  referenced.assign(n_rules, false);
  groups.resize(n_corr);

  for (size_t ci = 0; ci < n_corr; ++ci) {
    const CorrelationRule& c = set.correlations[ci];
    const std::string what = "correlation " + Describe(c.meta);
    if (c.rules.empty()) {
      return InvalidArgument(what + " references no rule");
    }
    for (const RuleRef& ref : c.rules) {
      size_t limit = ref.kind == RuleRef::Kind::kRule ? n_rules : n_corr;
      if (ref.index >= limit) {
        return InvalidArgument(what + " references " +
                               (ref.kind == RuleRef::Kind::kRule ? "rule" : "correlation") + " #" +
                               std::to_string(ref.index) + ", which is not loaded");
      }
    }
    if (c.timespan_seconds <= 0 ||
        c.timespan_seconds > std::numeric_limits<int64_t>::max() / kNanosPerSecond) {
      return InvalidArgument(what + " has an invalid timespan '" + c.timespan_text + "'");
    }
    if (c.condition.empty()) {
      return InvalidArgument(what + " has no condition threshold");
    }
    if (sigma::CorrelationNeedsField(c.type) && c.condition_fields.size() != 1) {
      return InvalidArgument(what + " of type " + std::string(sigma::CorrelationTypeName(c.type)) +
                             " needs exactly one condition.field, not " +
                             std::to_string(c.condition_fields.size()));
    }
    plans[ci].rule = &c;
    plans[ci].span_ns = c.timespan_seconds * kNanosPerSecond;
  }

  std::vector<uint8_t> mark(n_corr, 0);
  for (size_t ci = 0; ci < n_corr; ++ci) {
    size_t at = 0;
    if (mark[ci] == 0 && HasCycle(set, ci, &mark, &at)) {
      return InvalidArgument("correlation chain through " + Describe(set.correlations[at].meta) +
                             " refers back to itself");
    }
  }

  for (size_t ci = 0; ci < n_corr; ++ci) {
    const CorrelationRule& c = set.correlations[ci];
    for (size_t p = 0; p < c.rules.size(); ++p) {
      const RuleRef& ref = c.rules[p];
      Input input;
      input.correlation = static_cast<uint32_t>(ci);
      input.position = static_cast<uint32_t>(p);
      if (ref.kind == RuleRef::Kind::kRule) {
        std::vector<std::string>* f = &fields[ref.index];
        for (const std::string& g : c.group_by) {
          input.group_slots.push_back(SlotFor(f, ResolveAlias(set, c, g, p)));
        }
        if (sigma::CorrelationNeedsField(c.type)) {
          input.value_slot = SlotFor(f, ResolveAlias(set, c, c.condition_fields[0], p));
        }
        referenced[ref.index] = true;
        rule_inputs[ref.index].push_back(std::move(input));
        continue;
      }
      // A chained correlation passes on only its group values (and its metric).
      const CorrelationRule& inner = set.correlations[ref.index];
      auto find_group = [&](const std::string& name) -> std::optional<uint32_t> {
        auto it = std::find(inner.group_by.begin(), inner.group_by.end(), name);
        if (it == inner.group_by.end()) {
          return std::nullopt;
        }
        return static_cast<uint32_t>(it - inner.group_by.begin());
      };
      for (const std::string& g : c.group_by) {
        const std::string& field = ResolveAlias(set, c, g, p);
        std::optional<uint32_t> slot = find_group(field);
        if (!slot) {
          std::string message = "correlation " + Describe(c.meta);
          message += " groups by '" + g + "', but the correlation ";
          message += Describe(inner.meta);
          message += " it chains does not group by '" + field;
          message +=
              "' (a chained correlation passes on only its group-by values; add the field to "
              "its group-by or map it with an alias)";
          return InvalidArgument(message);
        }
        input.group_slots.push_back(*slot);
      }
      if (sigma::CorrelationNeedsField(c.type)) {
        std::optional<uint32_t> slot = find_group(ResolveAlias(set, c, c.condition_fields[0], p));
        input.value_slot = slot ? *slot : kMetricSlot;
      }
      chain_inputs[ref.index].push_back(std::move(input));
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Feeding hits

namespace {

std::optional<std::string_view> ValueAt(const Incoming& in, uint32_t slot, std::string* scratch) {
  if (in.rule_values != nullptr) {
    if (slot >= in.rule_values->size() || !(*in.rule_values)[slot].has_value() ||
        (*in.rule_values)[slot]->empty()) {
      return std::nullopt;
    }
    return std::string_view(*(*in.rule_values)[slot]);
  }
  if (slot == kMetricSlot) {
    *scratch = FormatNumber(in.chain_metric);
    return std::string_view(*scratch);
  }
  if (slot >= in.chain_values->size() || (*in.chain_values)[slot].empty()) {
    return std::nullopt;
  }
  return std::string_view((*in.chain_values)[slot]);
}

}  // namespace

void Engine::Impl::Dispatch(const std::vector<Input>& inputs,
                            const Incoming& in,
                            std::vector<CorrelationHit>* out) {
  for (const Input& input : inputs) {
    std::vector<Fired> fired;
    Feed(input, in, &fired);
    for (Fired& f : fired) {
      ++stats.fired;
      const CorrelationRule& c = rules->correlations[f.correlation];
      if (c.standalone && out != nullptr) {
        CorrelationHit hit;
        hit.correlation_index = f.correlation;
        hit.time_ns = f.time_ns;
        hit.tenant = f.tenant;
        for (size_t k = 0; k < c.group_by.size(); ++k) {
          hit.group.emplace_back(c.group_by[k], f.group_values[k]);
        }
        hit.metric = f.metric;
        hit.events.reserve(f.evidence->events.size());
        for (const EvidenceItem& item : f.evidence->events) {
          hit.events.push_back(item.event);
        }
        hit.datasets = f.evidence->datasets;
        out->push_back(std::move(hit));
      }
      const std::vector<Input>& next_inputs = chain_inputs[f.correlation];
      if (next_inputs.empty()) {
        continue;
      }
      Incoming next;
      next.time_ns = f.time_ns;
      next.sequence = f.sequence;
      next.tenant = &f.tenant;
      next.chain_values = &f.group_values;
      next.chain_metric = f.metric;
      next.chained = f.evidence;
      Dispatch(next_inputs, next, out);
    }
  }
}

void Engine::Impl::EraseGroup(uint32_t correlation,
                              std::unordered_map<std::string, Group>::iterator it) {
  lru.erase(it->second.lru);
  groups[correlation].erase(it);
  --group_count;
}

void Engine::Impl::Feed(const Input& input, const Incoming& in, std::vector<Fired>* fired) {
  const CorrelationPlan& plan = plans[input.correlation];
  const CorrelationRule& c = *plan.rule;

  std::string key;
  AppendKeyPart(&key, *in.tenant);
  std::string scratch;
  std::vector<std::string_view> display;
  display.reserve(input.group_slots.size());
  for (uint32_t slot : input.group_slots) {
    std::optional<std::string_view> v = ValueAt(in, slot, &scratch);
    if (!v) {
      ++stats.null_group;
      return;
    }
    AppendKeyPart(&key, *v);
    display.push_back(*v);
  }

  Entry e;
  e.key = EntryKey{in.time_ns, in.sequence, input.position};
  e.repeat = in.repeat;
  if (input.value_slot) {
    std::optional<std::string_view> v = ValueAt(in, *input.value_slot, &scratch);
    if (v) {
      if (c.type == CorrelationType::kValueCount) {
        e.value = ToLower(*v);
      } else if (in.rule_values == nullptr && *input.value_slot == kMetricSlot) {
        if (std::isfinite(in.chain_metric)) {
          e.number = in.chain_metric;
        }
      } else {
        e.number = ParseNumber(*v);
      }
    }
  }
  if (in.rule_values != nullptr) {
    e.event = *in.event;
    e.dataset = *in.dataset;
  } else {
    e.chained = in.chained;
  }

  std::unordered_map<std::string, Group>& map = groups[input.correlation];
  auto it = map.find(key);
  if (it == map.end()) {
    if (group_count >= std::max<size_t>(1, options.max_groups)) {
      GroupId& victim = lru.front();
      auto& victim_map = groups[victim.correlation];
      EraseGroup(victim.correlation, victim_map.find(victim.key));
      ++stats.evicted_groups;
    }
    it = map.emplace(key, Group(c)).first;
    Group& g = it->second;
    g.tenant = *in.tenant;
    g.display.assign(display.begin(), display.end());
    g.lru = lru.insert(lru.end(), GroupId{input.correlation, std::move(key)});
    ++group_count;
  } else {
    lru.splice(lru.end(), lru, it->second.lru);
  }
  Group& g = it->second;

  // Too late: at or before the hit that completed the last firing (its window was
  // reported and cleared), or older than the group's newest hit by more than a window.
  if (g.fired && std::pair(e.key.time_ns, e.key.sequence) <=
                     std::pair(g.fired_key.time_ns, g.fired_key.sequence)) {
    ++stats.late_hits;
    return;
  }
  if (!g.entries.empty() && e.key.time_ns < g.newest_ns - plan.span_ns) {
    ++stats.late_hits;
    return;
  }

  auto pos = std::lower_bound(g.entries.begin(), g.entries.end(), e.key,
                              [](const Entry& a, const EntryKey& k) { return a.key < k; });
  if (pos != g.entries.end() && pos->key == e.key) {
    return;  // the same hit again
  }
  size_t index = static_cast<size_t>(pos - g.entries.begin());
  g.entries.insert(pos, std::move(e));
  if (index + 1 != g.entries.size()) {
    g.window_valid = false;  // out of order: the window is rebuilt
  }
  g.newest_ns = std::max(g.newest_ns, in.time_ns);

  // Keep what a window may still use: a late hit (up to one timespan older than the
  // newest) looks back one more timespan.
  size_t pruned = 0;
  const int64_t keep_from = g.newest_ns - 2 * std::min(plan.span_ns, g.newest_ns / 2);
  while (!g.entries.empty() && g.entries.front().key.time_ns < keep_from) {
    PopFront(&g);
    ++pruned;
  }
  while (g.entries.size() > std::max<size_t>(1, options.max_events_per_group)) {
    PopFront(&g);
    ++pruned;
    ++stats.dropped_events;
  }
  if (index < pruned) {
    return;  // the new hit itself was the oldest one dropped
  }
  Evaluate(input.correlation, &g, index - pruned, fired);
}

void Engine::Impl::PopFront(Group* g) {
  if (g->window_valid) {
    if (g->window_start > 0) {
      --g->window_start;
      --g->window_end;
    } else if (g->window_end > 0) {
      g->window.Remove(g->entries, 0);
      --g->window_end;
      // Another entry of the same event stays: it would count as a new event.
      if (g->entries.size() > 1 && !FirstOfEvent(g->entries, 1)) {
        g->window_valid = false;
      }
    }
  }
  g->entries.pop_front();
}

// ---------------------------------------------------------------------------------------
// Windows

void Engine::Impl::Evaluate(uint32_t correlation,
                            Group* g,
                            size_t index,
                            std::vector<Fired>* fired) {
  const CorrelationPlan& plan = plans[correlation];
  std::deque<Entry>& entries = g->entries;
  WindowState& window = g->window;
  const int64_t t = entries[index].key.time_ns;

  // In order, the window covers the hits before the new one and slides by one hit.
  // Otherwise rebuild it as it was just before the new hit.
  if (!g->window_valid || g->window_end != index) {
    window.Reset();
    g->window_start = static_cast<size_t>(
        std::lower_bound(entries.begin(), entries.begin() + static_cast<ptrdiff_t>(index),
                         t - plan.span_ns,
                         [](const Entry& a, int64_t v) { return a.key.time_ns < v; }) -
        entries.begin());
    for (size_t k = g->window_start; k < index; ++k) {
      window.Add(entries, k);
    }
    g->window_end = index;
  }

  // The new hit belongs to the windows ending at it and at the later hits up to one
  // timespan after it (in order input: only its own). After a firing the remaining later
  // hits (out of order input only) lost part of their windows: evaluate them all again.
  const int64_t bound = t > std::numeric_limits<int64_t>::max() - plan.span_ns
                            ? std::numeric_limits<int64_t>::max()
                            : t + plan.span_ns;
  bool all = false;
  size_t end = index;
  while (end < entries.size()) {
    if (!all && entries[end].key.time_ns > bound) {
      break;
    }
    window.Add(entries, end);
    g->window_end = end + 1;
    const int64_t from = entries[end].key.time_ns - plan.span_ns;
    while (entries[g->window_start].key.time_ns < from) {
      window.Remove(entries, g->window_start);
      ++g->window_start;
    }
    std::optional<double> metric = window.Metric(entries[g->window_start].key);
    if (!metric || !Holds(plan.rule->condition, *metric)) {
      ++end;
      continue;
    }
    // The other rules' hits of the completing event belong to this firing too.
    size_t last = end;
    while (last + 1 < entries.size() && !FirstOfEvent(entries, last + 1)) {
      ++last;
    }
    std::vector<size_t> run;
    if (plan.rule->type == CorrelationType::kTemporalOrdered) {
      for (const EntryKey& k : window.BestRun(entries[g->window_start].key)) {
        auto at = std::lower_bound(entries.begin(), entries.end(), k,
                                   [](const Entry& a, const EntryKey& v) { return a.key < v; });
        if (at != entries.end() && at->key == k) {
          run.push_back(static_cast<size_t>(at - entries.begin()));
        }
      }
    }
    fired->push_back(
        MakeFired(correlation, *g, g->window_start, end, *metric, run.empty() ? nullptr : &run));
    g->fired = true;
    g->fired_key = entries[end].key;
    entries.erase(entries.begin(), entries.begin() + static_cast<ptrdiff_t>(last + 1));
    window.Reset();
    g->window_start = 0;
    g->window_end = 0;
    all = true;
    end = 0;
  }
  g->window_valid = g->window_end == entries.size();
}

Fired Engine::Impl::MakeFired(uint32_t correlation,
                              const Group& g,
                              size_t start,
                              size_t end,
                              double metric,
                              const std::vector<size_t>* run) const {
  Fired f;
  f.correlation = correlation;
  f.time_ns = g.entries[end].key.time_ns;
  f.sequence = g.entries[end].key.sequence;
  f.tenant = g.tenant;
  f.group_values = g.display;
  f.metric = metric;

  auto evidence = std::make_shared<Evidence>();
  std::vector<EvidenceItem>& items = evidence->events;
  std::vector<std::string>& datasets = evidence->datasets;
  auto add = [&](size_t k) {
    const Entry& e = g.entries[k];
    if (e.chained) {
      items.insert(items.end(), e.chained->events.begin(), e.chained->events.end());
      datasets.insert(datasets.end(), e.chained->datasets.begin(), e.chained->datasets.end());
    } else {
      items.push_back(EvidenceItem{e.key.time_ns, e.key.sequence, e.event, e.dataset});
      datasets.push_back(e.dataset);
    }
  };
  if (run != nullptr) {
    for (size_t k : *run) {
      add(k);
    }
  } else {
    for (size_t k = start; k <= end; ++k) {
      add(k);
    }
  }
  std::stable_sort(items.begin(), items.end(), [](const EvidenceItem& a, const EvidenceItem& b) {
    return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.sequence < b.sequence;
  });
  items.erase(std::unique(items.begin(), items.end(),
                          [](const EvidenceItem& a, const EvidenceItem& b) {
                            return a.time_ns == b.time_ns && a.sequence == b.sequence;
                          }),
              items.end());
  if (items.size() > options.max_evidence_events) {
    items.erase(items.begin(), items.end() - static_cast<ptrdiff_t>(options.max_evidence_events));
  }
  std::sort(datasets.begin(), datasets.end());
  datasets.erase(std::unique(datasets.begin(), datasets.end()), datasets.end());
  if (!datasets.empty() && datasets.front().empty()) {
    datasets.erase(datasets.begin());
  }
  f.evidence = std::move(evidence);
  return f;
}

// ---------------------------------------------------------------------------------------
// Engine

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::Create(std::shared_ptr<const sigma::RuleSet> rules,
                                               const Options& options) {
  if (rules == nullptr) {
    return InvalidArgument("correlation engine: no rule set");
  }
  auto impl = std::make_unique<Impl>();
  impl->rules = std::move(rules);
  impl->options = options;
  RAMPART_RETURN_IF_ERROR(impl->BuildPlans());
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

bool Engine::IsReferenced(uint32_t rule_index) const {
  return rule_index < impl_->referenced.size() && impl_->referenced[rule_index];
}

const std::vector<std::string>& Engine::FieldsFor(uint32_t rule_index) const {
  static const std::vector<std::string> kNone;
  return rule_index < impl_->fields.size() ? impl_->fields[rule_index] : kNone;
}

void Engine::Add(const RuleHit& hit, std::vector<CorrelationHit>* out) {
  if (!IsReferenced(hit.rule_index)) {
    return;
  }
  if (hit.time_ns <= 0) {
    ++impl_->stats.invalid_time;
    return;
  }
  Incoming in;
  in.time_ns = hit.time_ns;
  in.sequence = hit.sequence;
  in.tenant = &hit.tenant;
  in.rule_values = &hit.values;
  in.event = &hit.event;
  in.dataset = &hit.dataset;
  in.repeat = std::max<uint32_t>(1, hit.repeat);
  impl_->Dispatch(impl_->rule_inputs[hit.rule_index], in, out);
}

void Engine::Expire(int64_t watermark_ns) {
  ExpireTenant(watermark_ns, std::nullopt);
}

void Engine::Expire(std::string_view tenant, int64_t watermark_ns) {
  ExpireTenant(watermark_ns, tenant);
}

void Engine::ExpireTenant(int64_t watermark_ns, std::optional<std::string_view> tenant) {
  for (uint32_t ci = 0; ci < impl_->groups.size(); ++ci) {
    const int64_t span = impl_->plans[ci].span_ns;
    if (watermark_ns < std::numeric_limits<int64_t>::min() + span) {
      continue;
    }
    const int64_t horizon = watermark_ns - span;
    auto& map = impl_->groups[ci];
    for (auto it = map.begin(); it != map.end();) {
      Group& g = it->second;
      if (tenant && g.tenant != *tenant) {
        ++it;
        continue;
      }
      if (g.newest_ns < horizon) {
        auto next = std::next(it);
        impl_->EraseGroup(ci, it);
        it = next;
        continue;
      }
      while (!g.entries.empty() && g.entries.front().key.time_ns < horizon) {
        impl_->PopFront(&g);
      }
      ++it;
    }
  }
}

Engine::Stats Engine::stats() const {
  Stats s = impl_->stats;
  s.groups = impl_->group_count;
  return s;
}

}  // namespace rampart::correlate
