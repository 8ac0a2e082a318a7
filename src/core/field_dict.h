#pragma once
// Interned field names. Every field name (ECS canonical names such as "source.ip", and
// source-specific names such as Windows EventData "CommandLine") maps once to a small
// integer FieldId; hot paths compare ids, never strings.
//
// Well-known ECS fields have fixed ids (namespace `field`). Other names are interned on
// first use. Thread-safety: Intern() may be called from any thread; Name() is lock-free
// and safe concurrently with Intern(). Ids are never reused or freed in a process.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rampart {

using FieldId = uint32_t;

namespace field {
// Keep in the same order as kWellKnownFieldNames in field_dict.cc.
enum WellKnown : FieldId {
  kTimestamp = 0,             // @timestamp (ISO-8601, as received or normalised)
  kEventDataset,              // event.dataset
  kEventCategory,             // event.category
  kEventAction,               // event.action
  kEventOutcome,              // event.outcome
  kEventCode,                 // event.code (e.g. Windows EventID)
  kEventProvider,             // event.provider
  kEventDuration,             // event.duration (ns)
  kSourceIp,                  // source.ip
  kSourcePort,                // source.port
  kDestinationIp,             // destination.ip
  kDestinationPort,           // destination.port
  kClientIp,                  // client.ip (e.g. first X-Forwarded-For hop)
  kUserName,                  // user.name
  kHostName,                  // host.name
  kLogSyslogFacility,         // log.syslog.facility.code
  kLogSyslogSeverity,         // log.syslog.severity.code
  kLogSyslogPriority,         // log.syslog.priority
  kLogSyslogAppname,          // log.syslog.appname
  kLogSyslogMsgid,            // log.syslog.msgid
  kLogSyslogVersion,          // log.syslog.version
  kProcessName,               // process.name
  kProcessPid,                // process.pid
  kProcessExecutable,         // process.executable
  kProcessCommandLine,        // process.command_line
  kMessage,                   // message
  kUrlOriginal,               // url.original
  kUrlPath,                   // url.path
  kUrlQuery,                  // url.query
  kUrlDomain,                 // url.domain (Host header)
  kHttpRequestMethod,         // http.request.method
  kHttpVersion,               // http.version
  kHttpRequestReferrer,       // http.request.referrer
  kHttpRequestBytes,          // http.request.bytes
  kHttpRequestBodyContent,    // http.request.body.content
  kHttpRequestContentType,    // http.request.mime_type
  kHttpRequestAuthorization,  // http.request.headers.authorization
  kHttpRequestCookie,         // http.request.headers.cookie
  kHttpRequestApiKey,         // http.request.headers.x_api_key
  kHttpRequestXForwardedFor,  // http.request.headers.x_forwarded_for
  kHttpResponseStatusCode,    // http.response.status_code
  kHttpResponseBodyBytes,     // http.response.body.bytes
  kHttpRequestTime,           // http.request.time (seconds, nginx $request_time)
  kHttpUpstreamTime,          // http.upstream.time (seconds, nginx $upstream_response_time)
  kUserAgentOriginal,         // user_agent.original
  kWinEventId,                // EventID
  kWinChannel,                // Channel
  kWinProviderName,           // Provider_Name
  kWinComputer,               // Computer
  // event.time_invalid: the record's own timestamp text (at most 64 bytes) when it was no
  // valid time and @timestamp is the receive time instead (docs/formats/README.md).
  kEventTimeInvalid,
  kWellKnownCount,
};
}  // namespace field

// How many new names one tenant may add to the process-wide dictionary, so that a hostile
// tenant inventing field names cannot use up the dictionary for the others. Names that any
// source interned before are free. Beyond the limit, new names become "_overflow" and are
// counted here. Thread-safe.
class FieldNameBudget {
 public:
  explicit FieldNameBudget(size_t limit) : limit_(limit) {}
  size_t limit() const { return limit_; }
  size_t used() const { return used_.load(std::memory_order_relaxed); }
  uint64_t overflowed() const { return overflowed_.load(std::memory_order_relaxed); }

  // While a Scope lives, FieldDict::Intern on this thread charges `budget` (null: none).
  class Scope {
   public:
    explicit Scope(FieldNameBudget* budget);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    FieldNameBudget* previous_;
  };

 private:
  friend class FieldDict;
  const size_t limit_;
  std::atomic<size_t> used_{0};
  std::atomic<uint64_t> overflowed_{0};
};

class FieldDict {
 public:
  // Returns the id for `name`, interning it on first use.
  static FieldId Intern(std::string_view name);
  // Returns the id if `name` was interned already.
  static std::optional<FieldId> Find(std::string_view name);
  // Name of an interned id. `id` must come from this process's dictionary.
  static std::string_view Name(FieldId id);
  static size_t size();
};

}  // namespace rampart
