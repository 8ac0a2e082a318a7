#pragma once
// What the stored detections say about each entity (`rampart entities top`, GET
// /v1/entities): how many detections name it, how severe, which rules, first and last time.
// The behaviour engine's live numbers for one entity come from detect/behavior (Describe).
//
// Threads: plain functions over values.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/detection.h"

namespace rampart::incident {

struct EntitySummary {
  Entity entity;
  std::string tenant;
  uint64_t detections = 0;
  Severity max_level = Severity::kInformational;
  int64_t first_ns = 0;
  int64_t last_ns = 0;
  std::map<std::string, uint64_t> rules;  // rule title -> detections
  std::map<std::string, uint64_t> kinds;  // "behavior" -> detections
};

// The entities `detections` name (of `type`, or all types when empty), most severe first,
// then most detections, then most recent; at most `limit`.
std::vector<EntitySummary> SummarizeEntities(const std::vector<Detection>& detections,
                                             std::string_view type,
                                             size_t limit);

// {"type","value","tenant","detections","max_level","first","last","rules":{..},"kinds":{..}}
void AppendEntitySummaryJson(std::string& out, const EntitySummary& s);

}  // namespace rampart::incident
