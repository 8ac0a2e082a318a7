#pragma once
// The learned positive model per endpoint: what a WAF's signatures do not have. For every
// endpoint (host, method, path template) it learns what each parameter normally looks like
// (value class, length, characters) from clean traffic, then reports requests that leave
// that shape, each finding with an explanation an analyst can check ("`id` was numeric in
// 10,412 of 10,412 requests; got `1' OR '1'='1`").
//
// Endpoints: the path is cut at '/', and segments that are ids become placeholders: all
// digits {num}, UUIDs {uuid}, YYYY-MM-DD {date}, e-mail addresses {email}, hex of 8+ digits
// with a decimal digit {hex}, opaque tokens of 16+ [A-Za-z0-9_-] mixing letters and digits
// {token}, coded ids of [A-Za-z0-9_-] with a letter and 4+ digits ("SKU-25714") {id}
// (classified %-decoded; literal segments are kept as sent). A templated segment is a
// parameter too, named "path.<i>" (i counts segments from 0). A path whose id segment is not
// an id ("/products/1' OR 1=1") is checked against the detecting endpoint with
// placeholders there ("/products/{num}").
//
// Parameters: the request view's kArgValue parts from the query, form, JSON (key paths such
// as "items.sku"), multipart and XML, keyed by source and name; ids inside names
// ("prefs.1234.color", "items[0][sku]") are templated the same way. Values are %-decoded
// (query and form) before they are classified. Per parameter: requests and values seen,
// value class counts, length min/max/mean/variance (Welford), most values in one request,
// and a 64-bit mask of character classes (digits, lower, upper, space, each ASCII
// punctuation character, tab/CR/LF, other control characters, non-ASCII).
//
// Modes: an endpoint learns until it has learned `learn_requests` clean requests, then also
// detects; it keeps learning from clean requests, one request at a time. A request is
// learned only when it is clean: no signature hit (the caller says), a 2xx/3xx status (an
// unknown status is not clean), and no finding of this model — attacks seen while the model
// learns or detects do not teach it (anti-poisoning). One exception keeps something rare
// that learning missed from being flagged for ever: a request whose only findings are
// unknown parameters, an unexpected method or an unexpected body type teaches the model
// those on probation; they are still reported until seen in `min_observations` requests.
// (So an attacker can teach a new name by sending it that often, each time reported.)
//
// Findings (detect mode only; at most one per value, at most `max_findings` per request):
//   unknown_parameter        a name the endpoint never had in `learn_requests`+ requests
//                            (not for endpoints whose parameter table overflowed: their
//                            names are open-ended)
//   class_mismatch           the parameter's non-empty values were >= 99% one class family
//                            (UUID, e-mail, date, numeric, boolean, hex, identifier/token,
//                            in that order) over >= `min_observations` values, and this one
//                            is not of it (empty values are never flagged)
//   unexpected_characters    a character class the parameter never had in >=
//                            min_observations values: any for typed parameters (numbers,
//                            UUIDs, dates, hex: "4.5" where only integers were seen),
//                            punctuation/space/control/non-ASCII for identifiers, and for
//                            free text only dangerous ones (' " ; | ` $ < > { } \ control)
//   length_outlier           longer than 2 * max + 16 and than mean + 6 sigma; for numbers
//                            3+ digits more than ever (x1000); for hex codes and coded ids
//                            that always had one length, another length
//                            (both after 2 * min_observations values)
//   too_many_values          a parameter repeated (a JSON array) more than 2 * max + 8 times
//   unexpected_method        a method the path template never had while other methods of
//                            it are learned ("DELETE /orders/{num}")
//   unexpected_content_type  a body type (none, JSON, form, multipart, XML, text/*,
//                            unlabelled, other) the endpoint never had
//
// Bounds: at most `max_endpoints` endpoints, `max_params` parameters per endpoint and about
// `max_bytes` in all. A new endpoint beyond them is not learned, never silently: Observe()
// says kUnmodelled and stats().unmodelled counts it (parameters: stats().params_dropped).
// Endpoints are created only by clean requests, so a scanner's 404s do not fill the table.
// Measured: about 1 KB per endpoint of 6-10 parameters.
//
// Save()/Load() file format (text, one record a line, fields separated by one space;
// strings are written as '=' followed by the bytes with space, '%', control and non-ASCII
// bytes %XX-escaped, so the empty string is "="):
//   rampart-endpoint-model 1
//   endpoint <learned> <params_dropped> =<host> =<method> =<template> <param count>
//            <requests by body type x8: none json form multipart xml text unlabelled other>
//   param <source> <requests> <values> <probation 0|1> <len_min> <len_max> <max per request>
//         <len mean> <len M2> <char mask hex> <class counts x11> =<name>
//         (class order: empty int decimal hex uuid email date bool token word text)
//   ...
//   end <endpoint count> <FNV-1a 64 of every byte before this line, 16 hex digits>
// (records are one line each; wrapped here). Endpoints are written sorted by key, so a
// model saves to the same bytes. A file that does not parse, fails its checksum or breaks
// an invariant is rejected whole (kCorruption); endpoints and parameters beyond the loading
// settings' bounds are left out.
//
// Threads: not thread-safe. One model per tenant, used by one thread. Observe() reuses its
// scratch buffers: it allocates only when the model grows (new endpoint, new parameter) or
// when findings are made.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "detect/web/request.h"

namespace rampart::detect::web {

struct ModelSettings {
  uint32_t learn_requests = 200;        // clean requests before an endpoint detects
  size_t max_endpoints = 2000;          // per model (tenant)
  size_t max_params = 64;               // per endpoint
  size_t max_bytes = size_t{32} << 20;  // approximate, see MemoryUsage()
  uint32_t min_observations = 50;       // values of a parameter before its shape is trusted
  size_t max_findings = 16;             // per request
};

enum class FindingKind : uint8_t {
  kUnknownParameter,
  kClassMismatch,
  kLengthOutlier,
  kUnexpectedCharacters,
  kTooManyValues,          // a parameter repeated (an array) far more than ever
  kUnexpectedMethod,       // a method the path never had, while others are learned
  kUnexpectedContentType,  // a body type the endpoint never had
};
// "unknown_parameter", "class_mismatch", "length_outlier", "unexpected_characters".
std::string_view FindingKindName(FindingKind kind);

struct ModelFinding {
  FindingKind kind = FindingKind::kUnknownParameter;
  std::string field;  // AppendPartFieldName() of the part: "url.query.id", "body.items.sku"
  std::string value;  // the value as the request carried it (raw)
  std::string why;    // one sentence with the learned counts, values quoted and truncated
};

struct ModelStats {
  uint64_t learned = 0;         // requests learned
  uint64_t checked = 0;         // requests checked against an endpoint in detect mode
  uint64_t not_learnable = 0;   // signature hit, status not 2xx/3xx or unknown, findings
  uint64_t unmodelled = 0;      // clean requests to a new endpoint refused by the bounds
  uint64_t params_dropped = 0;  // new parameters refused by the per-endpoint bound
  uint64_t findings = 0;
};

// What Observe() did with a request.
enum class ObserveResult : uint8_t {
  kNoEndpoint,  // no HTTP request, or a new endpoint and the request was not clean
  kLearning,    // the endpoint is still learning (no findings are made)
  kDetecting,   // checked against the endpoint's model
  kUnmodelled,  // a clean request to a new endpoint the bounds refused
};

// The endpoint template of a path: "/api/v2/products/{num}". Exposed for tests and
// evidence.
std::string EndpointTemplate(std::string_view path);

class EndpointModel {
 public:
  explicit EndpointModel(ModelSettings settings = {});
  ~EndpointModel();
  EndpointModel(const EndpointModel&) = delete;
  EndpointModel& operator=(const EndpointModel&) = delete;

  // Checks the request against its endpoint (findings only once the endpoint detects; they
  // are appended to `findings`), then learns from it when it is clean. `signature_hit`: the
  // rule pack flagged the request.
  ObserveResult Observe(const RequestView& view,
                        bool signature_hit,
                        std::vector<ModelFinding>* findings);

  size_t endpoints() const { return endpoints_.size(); }
  // Approximate heap bytes held by the learned model (not the scratch buffers).
  size_t MemoryUsage() const { return bytes_; }
  const ModelStats& stats() const { return stats_; }
  const ModelSettings& settings() const { return settings_; }

  // Writes the model to `path` (a temporary file renamed over it). IoError on failure.
  Status Save(const std::string& path) const;
  // Reads a model written by Save(). NotFound/IoError when unreadable, Corruption when the
  // content is not a valid model.
  static Result<std::unique_ptr<EndpointModel>> Load(const std::string& path,
                                                     ModelSettings settings);

  struct Param;
  struct Endpoint;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const;
  };
  struct Value;  // one parameter value of the request being observed

  Endpoint* FindEndpoint();
  Endpoint* FindByShape(size_t prefix_len);
  Endpoint* AddEndpoint();
  void CollectValues(const RequestView& view);
  void Check(const Endpoint& endpoint, std::vector<ModelFinding>* findings, bool* probation_only);
  void CheckMethod(const Endpoint* endpoint,
                   size_t prefix_len,
                   std::vector<ModelFinding>* findings);
  void Learn(Endpoint& endpoint);
  void IndexShape(Endpoint* endpoint);

  ModelSettings settings_;
  ModelStats stats_;
  size_t bytes_ = 0;
  // Key: host '\x1f' method '\x1f' template.
  std::unordered_map<std::string, std::unique_ptr<Endpoint>, StringHash, std::equal_to<>>
      endpoints_;
  // Endpoints with placeholders by host '\x1f' method '\x1f' segment count: a path whose
  // id segment is not an id ("/products/1' OR 1=1") is checked against "/products/{num}".
  std::unordered_map<std::string, std::vector<Endpoint*>, StringHash, std::equal_to<>> shapes_;
  // Endpoints by host '\x1f' template, whatever their method.
  std::unordered_map<std::string, std::vector<Endpoint*>, StringHash, std::equal_to<>> routes_;

  // Scratch, reused across requests.
  std::string key_;
  std::string shape_key_;
  std::string route_key_;
  std::vector<uint32_t> counts_;  // values per parameter in the request being checked
  std::string decoded_;
  std::vector<Value> values_;
  std::vector<std::string> path_names_;  // "path.0", "path.1", ...
  std::string names_;                    // templated/decoded names of values_
  std::string value_bytes_;              // decoded values of values_
  std::string field_;
  std::vector<uint32_t> path_positions_;  // pieces of the path that are parameters
  std::vector<uint64_t> flagged_;         // unknown names reported for this request
  const RequestView* view_ = nullptr;
  uint32_t segments_ = 0;
};

}  // namespace rampart::detect::web
