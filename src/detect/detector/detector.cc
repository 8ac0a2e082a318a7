#include "detect/detector/detector.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/field_dict.h"
#include "core/strings.h"

namespace rampart::detect {
namespace {

// "file:line:column", as `rules check` prints places in rule files.
std::string Place(const sigma::SourceLocation& at) {
  return at.file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

}  // namespace

void AddEntities(const EventBatch& batch, const Event& event, Detection* d) {
  for (const Field& f : batch.fields(event)) {
    if (f.value.empty() || f.value == "-") {
      continue;
    }
    std::string_view type = EntityTypeOfField(FieldDict::Name(f.id));
    if (type.empty()) {
      continue;
    }
    Entity e{std::string(type), std::string(f.value)};
    if (std::find(d->entities.begin(), d->entities.end(), e) == d->entities.end()) {
      d->entities.push_back(std::move(e));
    }
  }
}

Severity SeverityOf(sigma::RuleLevel level) {
  return level == sigma::RuleLevel::kUnset ? Severity::kMedium
                                           : static_cast<Severity>(static_cast<int>(level) - 1);
}

EventScanner::EventScanner(std::shared_ptr<const sigma::CompiledRules> rules,
                           const correlate::Engine* correlations)
    : rules_(std::move(rules)), correlations_(correlations), matcher_(rules_) {}

void EventScanner::Scan(const EventBatch& batch,
                        const Event& event,
                        uint64_t sequence,
                        const EventRef& ref,
                        const ioc::IocView* iocs,
                        std::vector<Detection>* detections,
                        std::vector<correlate::RuleHit>* correlation_hits) {
  hits_.clear();
  matcher_.Match(batch, event, &hits_);
  rule_matches_ += hits_.size();
  const sigma::RuleSet& set = rules_->rules();
  for (const sigma::RuleHit& hit : hits_) {
    const sigma::Rule& rule = set.rules[hit.rule_index];
    if (rule.standalone) {
      Detection d = rules_->MakeDetection(batch, event, hit, matcher_);
      d.event = ref;
      AddEntities(batch, event, &d);
      detections->push_back(std::move(d));
    }
    if (correlations_ != nullptr && correlations_->IsReferenced(hit.rule_index)) {
      correlate::RuleHit ch;
      ch.rule_index = hit.rule_index;
      ch.time_ns = event.timestamp_ns;
      ch.sequence = sequence;
      ch.tenant = std::string(event.tenant);
      ch.dataset = std::string(event.dataset);
      ch.event = ref;
      static const FieldId kRepeatCount = FieldDict::Intern("event.repeat_count");
      if (auto repeat = batch.Find(event, kRepeatCount)) {
        uint32_t n = 1;
        if (ParseInt(*repeat, &n) && n > 1) {
          ch.repeat = n;
        }
      }
      for (const std::string& field : correlations_->FieldsFor(hit.rule_index)) {
        std::optional<std::string_view> v = matcher_.FieldValue(batch, event, hit, field);
        ch.values.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
      }
      correlation_hits->push_back(std::move(ch));
    }
  }
  if (iocs != nullptr) {
    ioc_hits_.clear();
    iocs->Match(batch, event, &ioc_hits_);
    for (const ioc::IocHit& hit : ioc_hits_) {
      Detection d = ioc::MakeDetection(hit, event);
      d.event = ref;
      AddEntities(batch, event, &d);
      detections->push_back(std::move(d));
    }
  }
}

Result<LoadedRules> LoadDetectionRules(const std::vector<std::string>& paths,
                                       const std::string& logsources_path,
                                       const std::string& placeholders_path) {
  LoadedRules out;
  out.rules = std::make_shared<sigma::RuleSet>();
  sigma::LoadOptions load_options;
  sigma::CompileOptions options;
  RAMPART_RETURN_IF_ERROR(
      sigma::ReadRuleOptionFiles(logsources_path, placeholders_path, &load_options, &options));
  if (!paths.empty()) {
    RAMPART_ASSIGN_OR_RETURN(sigma::LoadResult loaded, sigma::LoadRules(paths, load_options));
    out.rules = loaded.rules;
    out.refused = loaded.refusals.size();
    for (const sigma::Refusal& r : loaded.refusals) {
      out.problems.push_back(Place(r.location) + ": refused (" +
                             std::string(sigma::RefusalReasonName(r.reason)) + "): " + r.message);
    }
  }
  sigma::CompileReport report;
  RAMPART_ASSIGN_OR_RETURN(out.compiled,
                           sigma::CompiledRules::Compile(out.rules, options, &report));
  out.not_compiled = report.skipped.size();
  out.by_convention = report.convention.size();
  for (const sigma::CompileIssue& issue : report.skipped) {
    out.problems.push_back(Place(issue.location) + ": not compiled: " + issue.message);
  }
  if (!out.rules->correlations.empty()) {
    RAMPART_ASSIGN_OR_RETURN(out.correlations, correlate::Engine::Create(out.rules));
  }
  return out;
}

Detection CorrelationDetection(const sigma::RuleSet& rules, const correlate::CorrelationHit& hit) {
  const sigma::CorrelationRule& c = rules.correlations[hit.correlation_index];
  Detection d;
  d.kind = DetectionKind::kCorrelation;
  d.rule_id = c.meta.id.empty() ? c.meta.name : c.meta.id;
  d.rule_title = c.meta.title;
  d.level = SeverityOf(c.meta.level);
  d.tactics = c.meta.attack.tactics;
  d.techniques = c.meta.attack.techniques;
  d.event_time_ns = hit.time_ns;
  d.tenant = hit.tenant;
  for (const auto& [field, value] : hit.group) {
    d.evidence.push_back(Evidence{field, value});
    std::string_view type = EntityTypeOfField(field);
    if (!type.empty() && !value.empty()) {
      d.entities.push_back(Entity{std::string(type), value});
    }
  }
  std::string metric = std::to_string(hit.metric);
  while (metric.find('.') != std::string::npos && (metric.back() == '0' || metric.back() == '.')) {
    const bool dot = metric.back() == '.';
    metric.pop_back();
    if (dot) {
      break;
    }
  }
  d.evidence.push_back(Evidence{std::string(sigma::CorrelationTypeName(c.type)), metric});
  for (size_t i = 0; i < hit.datasets.size(); ++i) {
    d.dataset += (i > 0 ? "," : "") + hit.datasets[i];
  }
  if (!hit.events.empty()) {
    d.event = hit.events.back();
  }
  d.related = hit.events;
  d.source = c.meta.location.file;
  return d;
}

}  // namespace rampart::detect
