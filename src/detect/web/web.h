#pragma once
// Web and API attack detection over the Body Log: a rule pack of our own (rules/web/*.yml,
// format in docs/web_rules.md), SQL and HTML/JS tokenizers, protocol checks and anomaly
// scoring per request, plus the learned model of each endpoint (model.h).
//
// Stages, as for Sigma: WebRuleSet (rules as read, plain data) -> CompiledWebRules (for one
// paranoia level and set of exclusions: one Vectorscan database per request-part kind and
// decoding chain, so each part of a request is scanned once per chain, not once per rule)
// -> WebScanner (per thread: the request view, scratch, and the hits of one request).
//
// Matching runs on the request as logged (unmasked, in memory); what leaves as a Detection
// carries evidence that the caller masks with the storage policy (EvidenceMasker).
//
// Threads: WebRuleSet and CompiledWebRules are immutable and shared; a WebScanner is used by
// one thread. Nothing here throws.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/detection.h"
#include "core/event.h"
#include "core/status.h"
#include "detect/web/request.h"
#include "detect/web/transform.h"

namespace rampart::enrich {
class Masker;
}

namespace rampart::detect::web {

// The attack classes a rule may name (docs/web_rules.md).
bool IsKnownClass(std::string_view name);

// Built-in checks a rule may name with `check:` (protocol anomalies and request limits that
// are not patterns), in the order of their names in docs/web_rules.md.
enum class Check : uint8_t {
  kNone,
  kUnknownMethod,
  kBadProtocol,
  kMissingHost,
  kMissingUserAgent,
  kMissingAccept,
  kContentLengthInvalid,
  kBodyWithoutLength,
  kGetWithBody,
  kLengthAndChunked,
  kBadTransferEncoding,
  kManyRanges,
  kBadRange,
  kBadUrlEncoding,
  kNullByte,
  kControlCharacters,
  kUnusualContentType,
  kBadCharset,
  kRequestLimits,
  kDuplicateHeader,
  kBadBody,
};
// The check a rule names ("missing_host"), or nullopt for an unknown name.
std::optional<Check> ParseCheck(std::string_view name);

struct Target {
  PartKind kind = PartKind::kArgValue;
  ArgSource source = ArgSource::kNone;  // args only: kNone = any source
  bool body_only = false;               // body_args: any body source
  std::string name;                     // empty: every part of the kind
};

struct WebRule {
  std::string id;
  std::string title;
  std::string description;
  std::string class_name;  // sqli, xss, rce, ...
  Severity severity = Severity::kMedium;
  int score = 3;  // anomaly points; from the severity unless given
  int paranoia = 1;
  std::vector<std::string> techniques;  // "T1190"
  std::vector<Target> targets;
  TransformChain transforms;
  std::vector<std::string> patterns;     // Vectorscan regular expressions
  std::vector<std::string> words;        // literal substrings
  std::vector<std::string> exact_words;  // literal, case-sensitive (base64 forms of words)
  bool case_sensitive = false;
  std::string tokenizer;  // "sqli" | "xss" | ""
  std::string check;      // a built-in check's name, or ""
  Check check_id = Check::kNone;
  std::string file;
  int line = 0;
};

struct WebRuleSet {
  std::vector<WebRule> rules;
  std::vector<std::string> files;
};

// Reads one rule file's text: documents of one rule each, or a document with a `rules:` list.
// Each bad rule adds "file:line: reason" to `problems` and is left out; the others load.
void ParseWebRules(std::string_view text,
                   const std::string& file,
                   WebRuleSet* out,
                   std::vector<std::string>* problems);

// Loads files and directories (*.yml, *.yaml, recursively). Errors: a path that cannot be
// read or listed. Bad rules, duplicate ids and patterns Vectorscan refuses are `problems`.
Result<std::shared_ptr<const WebRuleSet>> LoadWebRules(const std::vector<std::string>& paths,
                                                       std::vector<std::string>* problems);

// Exclusions, like CRS's but in YAML: a hit is dropped when every given list matches it
// (rules: rule ids or class names; paths: request path globs with '*'; params: field-name
// globs such as "body.comment" or "url.query.*").
struct Exclusion {
  std::vector<std::string> rules;
  std::vector<std::string> paths;
  std::vector<std::string> params;
};

struct WebSettings {
  bool enabled = true;
  int paranoia = 2;   // rules of this level and below run
  int threshold = 5;  // anomaly points that make a detection
  std::vector<Exclusion> exclusions;
  RequestLimits limits;
  // A request that could not be seen whole (over a limit, unparseable body) is reported
  // with its flags even when nothing else is found.
  bool report_limits = true;
  // Where compiled databases are kept between runs (empty: compile every time). Not a rule
  // setting: two settings that differ only here compile the same databases.
  std::string cache_dir;
};

struct CompiledWebRulesImpl;

class CompiledWebRules {
 public:
  // Compiles the rules of `settings.paranoia` and below. Errors: Vectorscan failures for a
  // whole database (single refused patterns are dropped and listed in `problems`).
  static Result<std::shared_ptr<const CompiledWebRules>> Compile(
      std::shared_ptr<const WebRuleSet> rules,
      const WebSettings& settings,
      std::vector<std::string>* problems);
  ~CompiledWebRules();

  // The same databases with other settings of the same paranoia level (a tenant's threshold,
  // exclusions, limits): no second compile. Errors: a different paranoia level.
  static Result<std::shared_ptr<const CompiledWebRules>> WithSettings(
      const std::shared_ptr<const CompiledWebRules>& base, const WebSettings& settings);

  const WebSettings& settings() const { return settings_; }
  size_t rule_count() const;  // rules active at this paranoia level
  const CompiledWebRulesImpl& impl() const { return *impl_; }

 private:
  CompiledWebRules() = default;
  std::shared_ptr<const CompiledWebRulesImpl> impl_;  // shared by every setting of a level
  WebSettings settings_;
};

// One rule that fired on one part of a request.
struct WebHit {
  uint32_t rule = 0;       // index into the rule set
  uint32_t part = 0;       // index into the view's parts
  std::string field;       // "url.query.id"
  std::string fragment;    // decoded text around the match (unmasked until EvidenceMasker)
  std::string decoded_by;  // decoding steps that changed the value ("url_decode,lowercase")
  std::string note;        // tokenizer fingerprint, check detail, model explanation
};

class WebScanner {
 public:
  explicit WebScanner(std::shared_ptr<const CompiledWebRules> rules);
  ~WebScanner();
  WebScanner(const WebScanner&) = delete;
  WebScanner& operator=(const WebScanner&) = delete;

  // Takes apart and scans the request of `event`. Returns false when the event is no HTTP
  // request. hits() and score() describe the result until the next call.
  bool Scan(const EventBatch& batch, const Event& event);

  const RequestView& view() const { return view_; }
  const std::vector<WebHit>& hits() const { return hits_; }
  int score() const { return score_; }
  // The points of the strongest single hit (0: none). A low-severity sign alone (a scripted
  // client's user agent) does not make a request an attack.
  int max_hit_score() const;
  bool over_threshold() const;
  const CompiledWebRules& rules() const { return *rules_; }

  // The detection for the last scanned request when its score reached the threshold (or it
  // broke a limit), with evidence still unmasked: false otherwise. `extra` hits (e.g. from the
  // endpoint model) are added to the evidence.
  bool MakeDetection(const Event& event, const EventRef& ref, Detection* out) const;

 private:
  // Records a rule's first hit in this request, unless an exclusion drops it (later hits of
  // the same rule add no score). `part_index` -1: the request as a whole.
  void AddHit(uint32_t rule_index,
              int part_index,
              std::string fragment,
              std::string decoded_by,
              std::string note);

  std::shared_ptr<const CompiledWebRules> rules_;
  RequestView view_;
  struct Scratch;
  std::unique_ptr<Scratch> scratch_;
  std::vector<WebHit> hits_;
  int score_ = 0;
};

// Masks detection evidence with the storage policy: a fragment of a field the policy masks,
// hashes or drops is replaced whole; other fragments go through the Masker together with a
// copy of the event's fields, so a secret from any field of the event is removed from them
// as it is from the stored event.
void MaskEvidence(enrich::Masker& masker,
                  const EventBatch& batch,
                  const Event& event,
                  Detection* detection);

}  // namespace rampart::detect::web
