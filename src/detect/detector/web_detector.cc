#include "detect/detector/web_detector.h"

#include <algorithm>

#include "detect/detector/detector.h"
#include "enrich/enrich.h"

namespace rampart::detect {
namespace {

// Anomaly points of a model finding: a value of the wrong kind or with characters never seen
// is a stronger sign than a parameter never seen.
int FindingScore(web::FindingKind kind) {
  switch (kind) {
    case web::FindingKind::kClassMismatch:
    case web::FindingKind::kUnexpectedCharacters:
      return 4;
    case web::FindingKind::kLengthOutlier:
    case web::FindingKind::kTooManyValues:
      return 4;
    case web::FindingKind::kUnknownParameter:
    case web::FindingKind::kUnexpectedMethod:
    case web::FindingKind::kUnexpectedContentType:
      break;
  }
  return 3;
}

Evidence FindingEvidence(const web::ModelFinding& f) {
  Evidence e;
  e.field = f.field;
  e.value = f.value.size() > 120 ? f.value.substr(0, 120) : f.value;
  e.rule = "web-model:" + std::string(web::FindingKindName(f.kind));
  e.category = "anomaly";
  e.note = f.why;
  return e;
}

}  // namespace

WebBatchDetector::WebBatchDetector(std::shared_ptr<const web::CompiledWebRules> rules,
                                   enrich::Masker* masker,
                                   ModelFor models)
    : scanner_(std::move(rules)), masker_(masker), models_(std::move(models)) {}

void WebBatchDetector::ScanUnmasked(const EventBatch& batch, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    const Event& event = batch[i];
    if (!scanner_.Scan(batch, event)) {
      continue;
    }
    ++stats_.requests;
    if (scanner_.view().flags() != 0) {
      ++stats_.over_limits;
    }
    Detection d;
    const bool signature = scanner_.MakeDetection(event, EventRef{}, &d);
    findings_.clear();
    web::EndpointModel* model = models_ ? models_(event.tenant) : nullptr;
    if (model != nullptr) {
      // A hit of medium severity or more keeps the request out of learning, even below the
      // threshold; low signs alone (a scripted client) do not, or API endpoints called by
      // scripts would never be learnt.
      constexpr int kAttackSignScore = 3;
      model->Observe(scanner_.view(), scanner_.max_hit_score() >= kAttackSignScore, &findings_);
      stats_.model_findings += findings_.size();
    }
    if (!signature && findings_.empty()) {
      continue;
    }
    if (!signature) {
      // The model alone: the request broke what its endpoint has always looked like.
      const web::ModelFinding& first = findings_.front();
      d = Detection{};
      d.kind = DetectionKind::kWeb;
      d.rule_id = "web-model:" + std::string(web::FindingKindName(first.kind));
      d.rule_title = "Request unlike its endpoint's learned traffic";
      if (findings_.size() > 1) {
        d.rule_title += " (" + std::to_string(findings_.size()) + " findings)";
      }
      d.level = Severity::kMedium;
      d.category = "anomaly";
      d.threshold = scanner_.rules().settings().threshold;
      d.tactics = {"initial-access"};
      d.techniques = {"T1190"};
      d.event_time_ns = event.timestamp_ns;
      d.dataset = std::string(event.dataset);
      d.tenant = std::string(event.tenant);
      d.source = "endpoint model";
      d.score = scanner_.score();
    }
    for (const web::ModelFinding& f : findings_) {
      d.evidence.push_back(FindingEvidence(f));
      d.score += FindingScore(f.kind);
    }
    if (masker_ != nullptr) {
      web::MaskEvidence(*masker_, batch, event, &d);
    }
    ++stats_.detections;
    pending_.emplace_back(i, std::move(d));
  }
}

void WebBatchDetector::Take(size_t index,
                            const EventBatch& masked,
                            const EventRef& ref,
                            std::vector<Detection>* out) {
  auto it =
      std::lower_bound(pending_.begin(), pending_.end(), index,
                       [](const std::pair<size_t, Detection>& p, size_t i) { return p.first < i; });
  for (; it != pending_.end() && it->first == index; ++it) {
    Detection& d = it->second;
    d.event = ref;
    AddEntities(masked, masked[index], &d);
    out->push_back(std::move(d));
  }
}

}  // namespace rampart::detect
