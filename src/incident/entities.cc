// Entity summaries over stored detections (see entities.h).

#include "incident/entities.h"

#include <algorithm>
#include <tuple>

#include "core/strings.h"
#include "core/time_util.h"

namespace rampart::incident {

std::vector<EntitySummary> SummarizeEntities(const std::vector<Detection>& detections,
                                             std::string_view type,
                                             size_t limit) {
  std::map<std::tuple<std::string, std::string, std::string>, EntitySummary> by_key;
  for (const Detection& d : detections) {
    for (const Entity& e : d.entities) {
      if (!type.empty() && e.type != type) {
        continue;
      }
      EntitySummary& s = by_key[{d.tenant, e.type, e.value}];
      if (s.detections == 0) {
        s.entity = e;
        s.tenant = d.tenant;
        s.first_ns = d.event_time_ns;
        s.last_ns = d.event_time_ns;
        s.max_level = d.level;
      }
      ++s.detections;
      s.max_level = std::max(s.max_level, d.level);
      s.first_ns = std::min(s.first_ns, d.event_time_ns);
      s.last_ns = std::max(s.last_ns, d.event_time_ns);
      ++s.rules[d.rule_title];
      ++s.kinds[std::string(DetectionKindName(d.kind))];
    }
  }
  std::vector<EntitySummary> out;
  out.reserve(by_key.size());
  for (auto& [key, s] : by_key) {
    out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(), [](const EntitySummary& a, const EntitySummary& b) {
    return std::tie(b.max_level, b.detections, b.last_ns) <
           std::tie(a.max_level, a.detections, a.last_ns);
  });
  if (out.size() > limit) {
    out.resize(limit);
  }
  return out;
}

namespace {
void AppendCounts(std::string& out, const std::map<std::string, uint64_t>& counts) {
  out += '{';
  bool first = true;
  for (const auto& [name, n] : counts) {
    out += first ? "" : ",";
    first = false;
    AppendJsonString(out, name);
    out += ':' + std::to_string(n);
  }
  out += '}';
}
}  // namespace

void AppendEntitySummaryJson(std::string& out, const EntitySummary& s) {
  out += "{\"type\":";
  AppendJsonString(out, s.entity.type);
  out += ",\"value\":";
  AppendJsonString(out, s.entity.value);
  out += ",\"tenant\":";
  AppendJsonString(out, s.tenant);
  out += ",\"detections\":" + std::to_string(s.detections);
  out += ",\"max_level\":";
  AppendJsonString(out, SeverityName(s.max_level));
  out += ",\"first\":";
  AppendJsonString(out, FormatIso8601(s.first_ns));
  out += ",\"last\":";
  AppendJsonString(out, FormatIso8601(s.last_ns));
  out += ",\"rules\":";
  AppendCounts(out, s.rules);
  out += ",\"kinds\":";
  AppendCounts(out, s.kinds);
  out += '}';
}

}  // namespace rampart::incident
