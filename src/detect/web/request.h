#pragma once
// The request view: one HTTP request taken apart once, so every web rule, tokenizer and the
// endpoint model read the same parts. Built from an event of the Body Log (everything: query,
// headers, cookies, form/JSON/multipart/XML bodies) or of an access log (method, URI, user
// agent, referer).
//
// Values are views as the request carried them (query and form values still %-encoded, JSON
// strings unescaped); decoding is the rules' business (transform.h). Every view points into
// the event's batch or into the RequestView's own storage and stays valid until the next
// Build() or the batch is cleared.
//
// Limits: parts, body bytes and nesting depth are bounded; a request over a limit keeps what
// fits and says so in flags() (the detector reports it), it is never silently skipped.
//
// Threads: one RequestView per thread; Build() reuses its memory (no allocation per request
// once warm, apart from rare growth).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/event.h"

namespace rampart::detect::web {

enum class PartKind : uint8_t {
  kMethod,       // "GET"
  kUri,          // the request target as sent (path and query, %-encoded)
  kPath,         // the path, %-encoded
  kQueryString,  // everything after '?', %-encoded
  kArgName,      // a parameter name (query, form, JSON key path, multipart part, XML name)
  kArgValue,     // a parameter value
  kHeaderName,   // lower case, '-' separated ("user-agent")
  kHeaderValue,
  kCookieName,
  kCookieValue,
  kBody,      // the raw request body (up to the body limit); empty for a JSON or form body
              // parsed whole (its parameters hold it all)
  kFilename,  // a multipart file name
  kPrompt,    // text sent to an LLM API (messages[].content, prompt, input, tool arguments)
  kProtocol,  // "HTTP/1.1"
};
inline constexpr size_t kPartKindCount = 14;
std::string_view PartKindName(PartKind k);

// Where a parameter came from.
enum class ArgSource : uint8_t { kNone, kQuery, kForm, kJson, kMultipart, kXml };

struct Part {
  PartKind kind = PartKind::kArgValue;
  ArgSource source = ArgSource::kNone;
  std::string_view name;  // parameter/header/cookie name; empty for whole-request parts
  std::string_view value;
};

struct RequestLimits {
  size_t max_parts = 1024;
  size_t max_body_bytes = size_t{1} << 20;  // bodies are parsed and scanned up to here
  int max_depth = 32;                       // JSON/XML nesting
  size_t max_name_bytes = 256;              // longer JSON key paths are cut (and flagged)
};

// Why a request could not be seen whole; the detector reports these.
enum RequestFlag : uint32_t {
  kFlagTooManyParts = 1u << 0,
  kFlagBodyOverLimit = 1u << 1,
  kFlagTooDeep = 1u << 2,
  kFlagBadJson = 1u << 3,
  kFlagBadMultipart = 1u << 4,
  kFlagBadXml = 1u << 5,
  kFlagNameTooLong = 1u << 6,
  kFlagLoggedTruncated = 1u << 7,  // the log line itself was cut (nginx body buffer, parser)
};
// "too_many_parts,body_over_limit": the flags as names, for evidence.
std::string RequestFlagNames(uint32_t flags);

class RequestView {
 public:
  explicit RequestView(RequestLimits limits = {});
  ~RequestView();
  RequestView(const RequestView&) = delete;
  RequestView& operator=(const RequestView&) = delete;

  // Takes apart the HTTP request of `event`. Returns false when the event carries no HTTP
  // request (no method and no URI).
  bool Build(const EventBatch& batch, const Event& event);

  std::span<const Part> parts() const { return parts_; }
  uint32_t flags() const { return flags_; }

  std::string_view method() const { return method_; }
  std::string_view uri() const { return uri_; }
  std::string_view path() const { return path_; }  // %-encoded
  std::string_view query() const { return query_; }
  std::string_view protocol() const { return protocol_; }
  std::string_view host() const { return host_; }
  std::string_view content_type() const { return content_type_; }
  std::string_view body() const { return body_; }
  int status() const { return status_; }  // 0: not logged
  bool from_body_log() const { return from_body_log_; }
  // The value of a header by lower-case name ("content-length"), first occurrence.
  std::string_view Header(std::string_view lower_name) const;
  bool HasHeader(std::string_view lower_name) const;

 private:
  void AddPart(PartKind kind, ArgSource source, std::string_view name, std::string_view value);
  void AddHeader(std::string_view lower_name, std::string_view value);
  void ParseQuery(std::string_view query, ArgSource source);
  void ParseCookies(std::string_view cookie);
  // Returns whether the body is wholly represented by the parameters it was parsed into.
  bool ParseBody();
  void ParseJson(std::string_view body);
  void ParseMultipart(std::string_view body);
  void ParseXml(std::string_view body);
  std::string_view Keep(std::string_view s) { return arena_.Copy(s); }

  RequestLimits limits_;
  Arena arena_;
  std::vector<Part> parts_;
  uint32_t flags_ = 0;
  std::string_view method_, uri_, path_, query_, protocol_, host_, content_type_, body_;
  int status_ = 0;
  bool from_body_log_ = false;
  struct JsonState;
  std::unique_ptr<JsonState> json_;
  // FieldId -> header name ("http_x_foo" -> "x-foo"), learnt as fields are met.
  std::vector<std::string_view> header_of_field_;
  std::deque<std::string> header_names_;
  std::vector<uint8_t> field_known_;
};

// The event field a part is reported under: "url.query.id", "body.user.name",
// "http.request.headers.user_agent", "cookie.sid", "url.path", "http.request.body.content"...
void AppendPartFieldName(std::string& out, const Part& part);

}  // namespace rampart::detect::web
