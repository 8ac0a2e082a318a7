#pragma once
// The detection record: what every detector (Sigma rules, Sigma correlations, IOC lists,
// later baselines) reports, what the store keeps and what `rampart detections`/`hunt` print.
// A detection is rare next to events, so it owns its strings (std::string), unlike Event.
//
// Threads: plain values; no shared state.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rampart {

// Sigma levels, ordered so that comparisons work (level >= kHigh).
enum class Severity : uint8_t { kInformational, kLow, kMedium, kHigh, kCritical };
std::string_view SeverityName(Severity s);  // "informational", "low", ... "critical"
// Accepts the names above (any case) and "info"; nullopt otherwise.
std::optional<Severity> ParseSeverity(std::string_view name);

enum class DetectionKind : uint8_t {
  kSigma,        // a Sigma detection rule matched one event
  kCorrelation,  // a Sigma correlation rule fired over several events
  kIoc,          // an indicator of compromise was seen in an event
  kWeb,          // a web/API attack in one request (rule pack, tokenizers, endpoint model)
  kBehavior,     // an entity's behaviour over time (counts, distinct counts, baselines)
};
// "sigma", "correlation", "ioc", "web", "behavior"
std::string_view DetectionKindName(DetectionKind k);
std::optional<DetectionKind> ParseDetectionKind(std::string_view name);

// One piece of evidence: the event field (as named in the event, e.g. "CommandLine",
// "source.ip") and its value in that event.
struct Evidence {
  std::string field;
  std::string value;
  // Web detections: which rule found it, its class, the decoding steps that revealed it
  // ("url_decode,html_entities") and a note (tokenizer fingerprint, model explanation).
  // Empty for other kinds and left out of the JSON then.
  std::string rule;
  std::string category;
  std::string decoded_by;
  std::string note;
};

// Who or what a detection is about: the keys incidents group by and response decisions
// target. `type` is one of "ip" (source.ip), "user" (user.name), "host" (host.name),
// "api_key" (the X-Api-Key header), "token" (the Authorization header) and "session" (a
// session cookie); secrets arrive pseudonymised ("hmac:..."), as stored.
struct Entity {
  std::string type;
  std::string value;
  bool operator==(const Entity&) const = default;
};

// The entity type an event field names ("source.ip" -> "ip", "cookie.sessionid" ->
// "session"), or empty when the field is not an entity key.
std::string_view EntityTypeOfField(std::string_view field_name);
// The event field an entity type is keyed by ("ip" -> "source.ip"), or empty for types
// without a single field (sessions live in cookies of several names).
std::string_view FieldOfEntityType(std::string_view type);
// Whether a cookie with this name holds a session id (the decision API reads the same).
bool IsSessionCookieName(std::string_view name);

// Where the event that triggered a detection is. Stored events: `location` is the day file
// (relative to the data directory, "tenants/default/events-2026-11-26.db") and `rowid` the
// row of the events table (line and first_byte 0). Hunted files: `location` is the input
// path, `line` the record's 1-based line number and `first_byte` the offset of its first
// byte, where a user jumps to; `offset` is the byte offset just past the record and its end
// of line (where the next record starts), kept for the readers of earlier output (rowid 0).
// Offsets count decompressed bytes for .gz inputs.
struct EventRef {
  std::string location;
  int64_t rowid = 0;
  uint64_t offset = 0;
  uint64_t line = 0;  // 0: not known (stored events)
  uint64_t first_byte = 0;
};

struct Detection {
  DetectionKind kind = DetectionKind::kSigma;
  std::string rule_id;     // Sigma id (or name when the rule has no id); IOC: the indicator
  std::string rule_title;  // Sigma title; IOC: "IOC <type> <indicator>"
  Severity level = Severity::kMedium;
  std::vector<std::string> tactics;     // ATT&CK short names ("credential-access")
  std::vector<std::string> techniques;  // "T1110", "T1110.003"
  std::vector<Evidence> evidence;       // the matched fields and their values
  std::vector<Entity> entities;         // from the event (correlations: the group-by keys)
  int64_t event_time_ns = 0;            // time of the (last) event that triggered it
  std::string dataset;
  std::string tenant;
  EventRef event;  // the triggering event (correlations: the last one)
  // Correlations: the contributing events, oldest first (bounded; see the engine).
  std::vector<EventRef> related;
  // What produced it: the rule file for Sigma, the list file/name for IOCs.
  std::string source;
  // Web detections: the attack class of the strongest hit ("sqli"), the request's anomaly
  // score and the threshold it reached. In the JSON as "web": {...} when category is set.
  std::string category;
  int score = 0;
  int threshold = 0;
  // Behaviour detections: one sentence with every number behind the verdict ("key hmac:3f..
  // made 1,240 requests in 5m; its baseline for this hour is 95 +- 20; ..."). In the JSON as
  // "explanation" when set.
  std::string explanation;
};

// One JSON object on one line (no trailing newline): {"time": ISO-8601, "kind", "rule":
// {"id","title","level"}, "attack": {"tactics","techniques"}, "evidence": [{"field","value"}],
// "entities": [{"type","value"}], "dataset", "tenant", "event":
// {"location","rowid","offset","line","first_byte"}, "related": [...], "source"}. Also used as the
// stored form (the store keeps the JSON of each detection).
std::string DetectionToJson(const Detection& d);
// The same, appended to `out` (a buffer reused for many detections allocates once).
void AppendDetectionJson(std::string& out, const Detection& d);
// {"type","value"}: an entity as detections and incidents show it.
void AppendEntityJson(std::string& out, const Entity& e);
// {"location","rowid","offset","line","first_byte"}: an EventRef as detections hold it.
void AppendEventRefJson(std::string& out, const EventRef& ref);

}  // namespace rampart
