// Detections -> incidents: a detection joins the open incident of any of its entities (the
// first one found), and when its entities lead to several open incidents they merge into
// the oldest. Everything is keyed on event time, so replays give the same incidents.

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

#include <openssl/sha.h>

#include "core/ip.h"
#include "core/strings.h"
#include "incident/incident.h"

namespace rampart::incident {
namespace {

constexpr std::array<std::string_view, 5> kStatusNames = {"new", "acknowledged", "contained",
                                                          "resolved", "false_positive"};

constexpr std::array<std::string_view, 14> kTactics = {"reconnaissance",  "resource-development",
                                                       "initial-access",  "execution",
                                                       "persistence",     "privilege-escalation",
                                                       "defense-evasion", "credential-access",
                                                       "discovery",       "lateral-movement",
                                                       "collection",      "command-and-control",
                                                       "exfiltration",    "impact"};

// Weight of one detection by level (docs/incidents.md).
double LevelWeight(Severity s) {
  constexpr std::array<double, 5> kWeights = {1, 3, 6, 10, 15};
  return kWeights[static_cast<size_t>(s)];
}

// How much a kind of detection is to be believed on its own.
double KindConfidence(DetectionKind k) {
  switch (k) {
    case DetectionKind::kCorrelation:
      return 1.0;
    case DetectionKind::kIoc:
      return 0.9;
    case DetectionKind::kWeb:  // an anomaly score over the threshold: several signs agree
      return 0.85;
    case DetectionKind::kBehavior:  // numbers far from the entity's own normal
      return 0.85;
    case DetectionKind::kSigma:
      break;
  }
  return 0.8;
}

std::string Hex16(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

void AddUnique(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const std::string& s : from) {
    if (std::find(to.begin(), to.end(), s) == to.end()) {
      to.push_back(s);
    }
  }
}

void SortTactics(std::vector<std::string>& tactics) {
  std::stable_sort(tactics.begin(), tactics.end(), [](const std::string& a, const std::string& b) {
    return TacticOrder(a) < TacticOrder(b);
  });
}

bool EarlierDetection(const Detection& a, const Detection& b) {
  return a.event_time_ns < b.event_time_ns;
}

}  // namespace

std::string_view StatusName(IncidentStatus s) {
  return kStatusNames[static_cast<size_t>(s)];
}

std::optional<IncidentStatus> ParseStatus(std::string_view name) {
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    if (EqualsIgnoreCase(name, kStatusNames[i])) {
      return static_cast<IncidentStatus>(i);
    }
  }
  if (EqualsIgnoreCase(name, "ack")) {
    return IncidentStatus::kAcknowledged;
  }
  return std::nullopt;
}

bool IsAllowedTransition(IncidentStatus from, IncidentStatus to) {
  if (from == to) {
    return true;
  }
  if (IsClosed(from)) {
    return to == IncidentStatus::kNew;  // reopened
  }
  if (to == IncidentStatus::kNew) {
    return false;  // an open incident is not made new again
  }
  return static_cast<int>(to) > static_cast<int>(from) || IsClosed(to);
}

int TacticOrder(std::string_view tactic) {
  for (size_t i = 0; i < kTactics.size(); ++i) {
    if (EqualsIgnoreCase(tactic, kTactics[i])) {
      return static_cast<int>(i);
    }
  }
  return static_cast<int>(kTactics.size());
}

double RiskScore(const Incident& incident) {
  // Per rule: level weight x confidence x (1 + log2(count)), so repeats add less and less;
  // summed over rules, times the asset criticality, capped at 100.
  double raw = 0;
  for (const Incident::RuleCount& r : incident.rules) {
    const double n = static_cast<double>(std::max<uint64_t>(r.count, 1));
    raw += LevelWeight(r.level) * KindConfidence(r.kind) * (1.0 + std::log2(n));
  }
  return std::min(100.0, std::round(raw * incident.criticality * 10.0) / 10.0);
}

double RiskAt(const Incident& incident, int64_t now_ns, int64_t half_life_ns) {
  if (half_life_ns <= 0 || now_ns <= incident.last_seen_ns) {
    return incident.risk;
  }
  const double halves =
      static_cast<double>(now_ns - incident.last_seen_ns) / static_cast<double>(half_life_ns);
  return std::round(incident.risk * std::exp2(-halves) * 10.0) / 10.0;
}

double Criticality(const std::vector<AssetCriticality>& assets,
                   const std::vector<Entity>& entities) {
  double best = 1.0;
  bool matched = false;
  for (const AssetCriticality& a : assets) {
    const size_t colon = a.match.find(':');
    if (colon == std::string::npos) {
      continue;
    }
    const std::string_view type = std::string_view(a.match).substr(0, colon);
    const std::string_view value = std::string_view(a.match).substr(colon + 1);
    for (const Entity& e : entities) {
      if (e.type != type) {
        continue;
      }
      bool hit = false;
      if (type == "ip") {
        IpPrefix prefix;
        IpAddress address;
        hit = ParseIpPrefix(value, &prefix) && ParseIpAddress(e.value, &address) &&
              PrefixContains(prefix, address);
      } else {
        hit = EqualsIgnoreCase(value, e.value);
      }
      if (hit && (!matched || a.criticality > best)) {
        best = a.criticality;
        matched = true;
      }
    }
  }
  return best;
}

void Grouper::Seed(std::vector<Incident> open) {
  for (Incident& inc : open) {
    if (IsClosed(inc.status) || !inc.merged_into.empty()) {
      continue;
    }
    for (const Entity& e : inc.entities) {
      by_entity_.emplace(KeyOf(inc.tenant, e), inc.id);
    }
    const std::string id = inc.id;
    incidents_.insert_or_assign(id, std::move(inc));
  }
}

std::string Grouper::KeyOf(const std::string& tenant, const Entity& e) const {
  std::string key = tenant;
  key += '\x1f';
  key += e.type;
  key += '\x1f';
  key += e.value;
  return key;
}

Grouper::Change Grouper::Add(const Detection& d) {
  Change change;
  // Entity-less detections group per rule.
  std::vector<Entity> keys = d.entities;
  if (keys.empty()) {
    keys.push_back(Entity{"rule", d.rule_id});
  }
  // The open incidents this detection's entities lead to, still inside their window.
  std::vector<Incident*> found;
  for (const Entity& e : keys) {
    auto it = by_entity_.find(KeyOf(d.tenant, e));
    if (it == by_entity_.end()) {
      continue;
    }
    auto inc = incidents_.find(it->second);
    if (inc == incidents_.end()) {
      continue;
    }
    Incident& candidate = inc->second;
    const bool in_gap = d.event_time_ns <= candidate.last_seen_ns + options_.gap_ns;
    const bool in_span = d.event_time_ns < candidate.first_seen_ns + options_.max_span_ns;
    if (!in_gap || !in_span || IsClosed(candidate.status)) {
      by_entity_.erase(it);  // that incident no longer takes this entity's detections
      continue;
    }
    if (std::find(found.begin(), found.end(), &candidate) == found.end()) {
      found.push_back(&candidate);
    }
  }
  Incident* target = nullptr;
  if (found.empty()) {
    Detection keyed = d;
    keyed.entities = keys;
    target = Create(keyed);
    change.created = true;
  } else {
    // The oldest incident absorbs the others (ties: the smaller id, for determinism).
    std::sort(found.begin(), found.end(), [](const Incident* a, const Incident* b) {
      return std::tie(a->first_seen_ns, a->id) < std::tie(b->first_seen_ns, b->id);
    });
    target = found.front();
    for (size_t i = 1; i < found.size(); ++i) {
      change.absorbed.push_back(found[i]->id);
      Absorb(*target, *found[i]);
    }
  }
  Join(*target, d);
  for (const Entity& e : keys) {
    if (std::find(target->entities.begin(), target->entities.end(), e) == target->entities.end()) {
      target->entities.push_back(e);
    }
    by_entity_[KeyOf(d.tenant, e)] = target->id;
  }
  target->criticality = Criticality(options_.assets, target->entities);
  target->risk = RiskScore(*target);
  changed_.push_back(target->id);
  change.incident = target;
  return change;
}

Incident* Grouper::Create(const Detection& d) {
  std::string seed = d.tenant;
  seed += '\x1f';
  seed += d.entities.front().type;
  seed += '\x1f';
  seed += d.entities.front().value;
  seed += '\x1f';
  seed += std::to_string(d.event_time_ns);
  seed += '\x1f';
  seed += d.rule_id;
  Incident inc;
  inc.id = "inc-" + Hex16(seed);
  inc.tenant = d.tenant;
  inc.first_seen_ns = d.event_time_ns;
  inc.last_seen_ns = d.event_time_ns;
  const std::string id = inc.id;
  return &incidents_.insert_or_assign(id, std::move(inc)).first->second;
}

void Grouper::Join(Incident& inc, const Detection& d) {
  ++inc.detection_count;
  inc.first_seen_ns = std::min(inc.first_seen_ns, d.event_time_ns);
  inc.last_seen_ns = std::max(inc.last_seen_ns, d.event_time_ns);
  if (inc.title.empty() || d.level > inc.max_level) {
    inc.title = d.rule_title;
  }
  inc.max_level = std::max(inc.max_level, d.level);
  AddUnique(inc.tactics, d.tactics);
  SortTactics(inc.tactics);
  AddUnique(inc.techniques, d.techniques);
  auto rule = std::find_if(inc.rules.begin(), inc.rules.end(), [&](const Incident::RuleCount& r) {
    return r.rule_id == d.rule_id && r.kind == d.kind;
  });
  if (rule == inc.rules.end()) {
    inc.rules.push_back(Incident::RuleCount{d.rule_id, d.kind, d.level, 0});
    rule = inc.rules.end() - 1;
  }
  ++rule->count;
  if (inc.timeline.size() < kMaxTimeline) {
    // Late detections take their place in event time.
    auto at = std::upper_bound(inc.timeline.begin(), inc.timeline.end(), d, EarlierDetection);
    inc.timeline.insert(at, d);
  }
}

void Grouper::Absorb(Incident& into, Incident& from) {
  for (const Detection& d : from.timeline) {
    if (into.timeline.size() >= kMaxTimeline) {
      break;
    }
    auto at = std::upper_bound(into.timeline.begin(), into.timeline.end(), d, EarlierDetection);
    into.timeline.insert(at, d);
  }
  for (const Incident::RuleCount& r : from.rules) {
    auto it = std::find_if(into.rules.begin(), into.rules.end(), [&](const Incident::RuleCount& x) {
      return x.rule_id == r.rule_id && x.kind == r.kind;
    });
    if (it == into.rules.end()) {
      into.rules.push_back(r);
    } else {
      it->count += r.count;
    }
  }
  into.detection_count += from.detection_count;
  into.first_seen_ns = std::min(into.first_seen_ns, from.first_seen_ns);
  into.last_seen_ns = std::max(into.last_seen_ns, from.last_seen_ns);
  if (from.max_level > into.max_level) {
    into.max_level = from.max_level;
    into.title = from.title;
  }
  AddUnique(into.tactics, from.tactics);
  SortTactics(into.tactics);
  AddUnique(into.techniques, from.techniques);
  for (const Entity& e : from.entities) {
    if (std::find(into.entities.begin(), into.entities.end(), e) == into.entities.end()) {
      into.entities.push_back(e);
    }
    by_entity_[KeyOf(from.tenant, e)] = into.id;
  }
  from.merged_into = into.id;
  const std::string id = from.id;
  absorbed_.insert_or_assign(id, std::move(from));
  incidents_.erase(id);
}

std::vector<Incident> Grouper::TakeChanged() {
  std::sort(changed_.begin(), changed_.end());
  changed_.erase(std::unique(changed_.begin(), changed_.end()), changed_.end());
  std::vector<Incident> out;
  for (auto& [id, inc] : absorbed_) {
    out.push_back(std::move(inc));
  }
  absorbed_.clear();
  for (const std::string& id : changed_) {
    auto it = incidents_.find(id);
    if (it != incidents_.end()) {
      out.push_back(it->second);
    }
  }
  changed_.clear();
  return out;
}

void Grouper::Forget(const std::string& tenant, int64_t watermark_ns) {
  for (auto it = incidents_.begin(); it != incidents_.end();) {
    const Incident& inc = it->second;
    if (inc.tenant == tenant && (inc.last_seen_ns + options_.gap_ns < watermark_ns ||
                                 inc.first_seen_ns + options_.max_span_ns <= watermark_ns)) {
      for (const Entity& e : inc.entities) {
        auto key = by_entity_.find(KeyOf(inc.tenant, e));
        if (key != by_entity_.end() && key->second == inc.id) {
          by_entity_.erase(key);
        }
      }
      it = incidents_.erase(it);
    } else {
      ++it;
    }
  }
}

void Grouper::Close(const std::string& id) {
  auto it = incidents_.find(id);
  if (it != incidents_.end()) {
    it->second.status = IncidentStatus::kResolved;
  }
}

const Incident* Grouper::Find(const std::string& id) const {
  auto it = incidents_.find(id);
  return it == incidents_.end() ? nullptr : &it->second;
}

}  // namespace rampart::incident
