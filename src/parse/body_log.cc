// Body Log: one JSON object per line, written by nginx with `log_format bodylog
// escape=json` (docs/formats/body_log.md) → one Event in dataset nginx.body.
//
// The canonical keys map to ECS fields (see kKeyNames); "-" and "" are nginx's empty
// values and are skipped; numbers may arrive as JSON numbers or strings. Unknown keys
// are kept under their own (flattened) names. The request body is then decoded into
// `body.<key>` fields (form-urlencoded or JSON, chosen by content_type or by sniffing),
// and the Cookie header into `cookie.<name>` fields, so detectors can address single
// parameters. A body that fails to decode is not an error: the event keeps
// http.request.body.content.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "core/status.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "parse/internal/event_time.h"
#include "parse/internal/json_util.h"
#include "parse/internal/parsers.h"
#include "parse/parse.h"

namespace rampart::parse::internal {
namespace {

constexpr std::string_view kFormatName = "body log";
constexpr std::string_view kDataset = "nginx.body";

enum class Key : uint8_t {
  kNone = 0,
  kTime,
  kRemoteAddr,
  kRemotePort,
  kRemoteUser,
  kXForwardedFor,
  kHost,
  kMethod,
  kUri,
  kProtocol,
  kStatus,
  kBodyBytesSent,
  kRequestLength,
  kRequestTime,
  kUserAgent,
  kReferer,
  kContentType,
  kAuthorization,
  kCookie,
  kXApiKey,
  kRequestBody,
  kUpstreamResponseTime,  // optional extra, see docs/formats/body_log.md
  kCount,
};

struct KeyName {
  std::string_view name;
  Key key;
};

constexpr std::array<KeyName, 21> kKeyNames = {{
    {"time", Key::kTime},
    {"remote_addr", Key::kRemoteAddr},
    {"remote_port", Key::kRemotePort},
    {"remote_user", Key::kRemoteUser},
    {"x_forwarded_for", Key::kXForwardedFor},
    {"host", Key::kHost},
    {"method", Key::kMethod},
    {"uri", Key::kUri},
    {"protocol", Key::kProtocol},
    {"status", Key::kStatus},
    {"body_bytes_sent", Key::kBodyBytesSent},
    {"request_length", Key::kRequestLength},
    {"request_time", Key::kRequestTime},
    {"user_agent", Key::kUserAgent},
    {"referer", Key::kReferer},
    {"content_type", Key::kContentType},
    {"authorization", Key::kAuthorization},
    {"cookie", Key::kCookie},
    {"x_api_key", Key::kXApiKey},
    {"request_body", Key::kRequestBody},
    {"upstream_response_time", Key::kUpstreamResponseTime},
}};

uint8_t TagBodyLogKey(std::string_view name) {
  for (const KeyName& k : kKeyNames) {
    if (k.name == name) {
      return static_cast<uint8_t>(k.key);
    }
  }
  return static_cast<uint8_t>(Key::kNone);
}

// Keys whose value is stored unchanged under one ECS field (the others are split or
// converted in AddMappedFields).
constexpr std::array<std::pair<Key, FieldId>, 17> kDirect = {{
    {Key::kRemoteAddr, field::kSourceIp},
    {Key::kRemotePort, field::kSourcePort},
    {Key::kRemoteUser, field::kUserName},  // HTTP authentication, as in the access log
    {Key::kXForwardedFor, field::kHttpRequestXForwardedFor},
    {Key::kHost, field::kUrlDomain},
    {Key::kMethod, field::kHttpRequestMethod},
    {Key::kUri, field::kUrlOriginal},
    {Key::kStatus, field::kHttpResponseStatusCode},
    {Key::kBodyBytesSent, field::kHttpResponseBodyBytes},
    {Key::kRequestLength, field::kHttpRequestBytes},
    {Key::kRequestTime, field::kHttpRequestTime},
    {Key::kUserAgent, field::kUserAgentOriginal},
    {Key::kReferer, field::kHttpRequestReferrer},
    {Key::kContentType, field::kHttpRequestContentType},
    {Key::kAuthorization, field::kHttpRequestAuthorization},
    {Key::kCookie, field::kHttpRequestCookie},
    {Key::kXApiKey, field::kHttpRequestApiKey},
}};

// Same rules as rampart::UrlDecode (invalid escapes kept literally, '+' → ' ') but writes
// into caller memory of at least in.size() bytes, so decoding needs no heap allocation.
size_t FormDecode(std::string_view in, char* out) {
  size_t n = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[n++] = static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out[n++] = c == '+' ? ' ' : c;
  }
  return n;
}

bool NeedsFormDecode(std::string_view s) {
  return s.find_first_of("%+") != std::string_view::npos;
}

// Decodes a form value that is a slice of the arena-resident body: a view when nothing
// needs decoding, else decoded into new arena bytes.
std::string_view FormDecodeToArena(EventBatch& batch, std::string_view s) {
  if (!NeedsFormDecode(s)) {
    return s;
  }
  char* out = batch.arena().Allocate(s.size());
  return {out, FormDecode(s, out)};
}

bool IsFormKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' || c == '-' ||
         c == '.' || c == '~' || c == '%' || c == '+' || c == '[' || c == ']' || c == '*' ||
         c == ':';
}

// "k=v&k2=v2": every non-empty segment starts with a plausible key followed by '='.
bool LooksLikeForm(std::string_view body) {
  bool any = false;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string_view::npos) {
      end = body.size();
    }
    std::string_view segment = body.substr(start, end - start);
    if (!segment.empty()) {
      const size_t eq = segment.find('=');
      if (eq == 0 || eq == std::string_view::npos) {
        return false;
      }
      for (char c : segment.substr(0, eq)) {
        if (!IsFormKeyChar(c)) {
          return false;
        }
      }
      any = true;
    }
    start = end + 1;
  }
  return any;
}

enum class BodyKind { kNone, kForm, kJson };

BodyKind ClassifyBody(std::string_view content_type, std::string_view body) {
  if (ContainsIgnoreCase(content_type, "x-www-form-urlencoded")) {
    return BodyKind::kForm;
  }
  if (ContainsIgnoreCase(content_type, "json")) {
    return BodyKind::kJson;
  }
  if (ContainsIgnoreCase(content_type, "multipart/")) {
    return BodyKind::kNone;  // not decoded, see docs/formats/body_log.md
  }
  std::string_view t = Trim(body);
  if (!t.empty() && (t.front() == '{' || t.front() == '[')) {
    return BodyKind::kJson;
  }
  return LooksLikeForm(body) ? BodyKind::kForm : BodyKind::kNone;
}

// nginx writes "-" (escape=default) or "" (escape=json) for an empty variable.
bool IsEmptyValue(std::string_view v) {
  return v.empty() || v == "-";
}

class BodyLogParser final : public Parser {
 public:
  BodyLogParser() : names_(&TagBodyLogKey) {}

  Status Parse(std::string_view record, const ParseContext& ctx, EventBatch& batch) override;

 private:
  using Values = std::array<std::string_view, static_cast<size_t>(Key::kCount)>;

  Status ParseInto(std::string_view record,
                   const ParseContext& ctx,
                   EventBatch& batch,
                   Event& event);
  static void AddMappedFields(EventBatch& batch, const Values& values);
  void AddCookieFields(EventBatch& batch, std::string_view cookie, FieldBudget& budget);
  void AddFormFields(EventBatch& batch, std::string_view body, FieldBudget& budget);
  void AddJsonBodyFields(EventBatch& batch, std::string_view body, FieldBudget& budget);
  // Adds `value` under the name in path_ (a prefix plus a key), within the budget.
  void AddNamed(EventBatch& batch, std::string_view value, FieldBudget& budget);

  JsonReader reader_;
  FieldNameCache names_;
  std::string path_;
};

Status BodyLogParser::Parse(std::string_view record, const ParseContext& ctx, EventBatch& batch) {
  return batch.AppendEvent([&](Event& event) { return ParseInto(record, ctx, batch, event); });
}

Status BodyLogParser::ParseInto(std::string_view record,
                                const ParseContext& ctx,
                                EventBatch& batch,
                                Event& event) {
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  RAMPART_RETURN_IF_ERROR(reader_.OpenRecord(kFormatName, record, ctx, batch, event, doc, object));

  Values values{};
  bool any_known_key = false;
  FieldBudget budget;
  auto emit = [&](std::string_view path, std::string_view text) {
    const FieldNameCache::Entry entry = names_.Get(path);
    if (entry.tag != 0) {
      any_known_key = true;
      std::string_view& slot = values[entry.tag];
      if (slot.empty() && !IsEmptyValue(text)) {
        slot = text;
      }
      return;
    }
    if (!IsEmptyValue(text) && budget.Take()) {
      batch.AddField(entry.id, text);
    }
  };
  path_.clear();
  names_.StartRecord();
  if (auto error = WalkJsonObject(reader_, object, path_, 1, batch, budget, emit)) {
    return JsonError(kFormatName, error);
  }
  if (HasTrailingContent(doc)) {
    return JsonError(kFormatName, simdjson::TRAILING_CONTENT);
  }
  if (!any_known_key) {
    return InvalidArgument("body log: no Body Log keys (remote_addr, uri, request_body, ...)");
  }

  AddMappedFields(batch, values);
  auto value = [&values](Key k) {
    return values[static_cast<size_t>(k)];
  };
  if (!value(Key::kCookie).empty()) {
    AddCookieFields(batch, value(Key::kCookie), budget);
  }
  const std::string_view body = value(Key::kRequestBody);
  if (!body.empty()) {
    switch (ClassifyBody(value(Key::kContentType), body)) {
      case BodyKind::kForm:
        AddFormFields(batch, body, budget);
        break;
      case BodyKind::kJson:
        AddJsonBodyFields(batch, body, budget);
        break;
      case BodyKind::kNone:
        break;
    }
  }
  AddTruncatedField(batch, budget);

  event.timestamp_ns = ctx.reference_time_ns;  // no time: received now
  const std::string_view time_text = value(Key::kTime);
  int64_t ns = 0;
  if (!time_text.empty()) {
    if (ParseFlexibleTime(time_text, &ns) && IsPlausibleEventTime(ns)) {
      event.timestamp_ns = ns;
    } else {
      internal::MarkTimeInvalid(batch, event, time_text, ctx.reference_time_ns);
    }
  }
  event.dataset = kDataset;
  return Status::Ok();
}

void BodyLogParser::AddMappedFields(EventBatch& batch, const Values& values) {
  auto value = [&values](Key k) {
    return values[static_cast<size_t>(k)];
  };
  for (const auto& [key, id] : kDirect) {
    batch.AddNonEmpty(id, value(key));
  }
  // client.ip: the first X-Forwarded-For hop is the original client (as far as the
  // proxies in front can be trusted).
  const std::string_view xff = value(Key::kXForwardedFor);
  if (!xff.empty()) {
    const std::string_view first = Trim(xff.substr(0, xff.find(',')));
    if (!IsEmptyValue(first) && !EqualsIgnoreCase(first, "unknown")) {
      batch.AddField(field::kClientIp, first);
    }
  }
  const std::string_view uri = value(Key::kUri);
  if (!uri.empty()) {
    const size_t q = uri.find('?');
    batch.AddNonEmpty(field::kUrlPath, uri.substr(0, q));
    if (q != std::string_view::npos) {
      batch.AddNonEmpty(field::kUrlQuery, uri.substr(q + 1));
    }
  }
  std::string_view protocol = value(Key::kProtocol);
  if (StartsWith(protocol, "HTTP/")) {
    protocol.remove_prefix(5);
  }
  batch.AddNonEmpty(field::kHttpVersion, protocol);
  batch.AddNonEmpty(field::kHttpRequestBodyContent, value(Key::kRequestBody));
  batch.AddNonEmpty(field::kHttpUpstreamTime, value(Key::kUpstreamResponseTime));
}

void BodyLogParser::AddNamed(EventBatch& batch, std::string_view value, FieldBudget& budget) {
  if (value.empty()) {
    return;
  }
  if (path_.size() > kMaxFieldNameLength) {
    ++budget.truncated;
    return;
  }
  const FieldNameCache::Entry entry = names_.Get(path_);
  if (budget.Take()) {
    batch.AddField(entry.id, value);
  }
}

void BodyLogParser::AddCookieFields(EventBatch& batch,
                                    std::string_view cookie,
                                    FieldBudget& budget) {
  constexpr std::string_view kPrefix = "cookie.";
  size_t start = 0;
  while (start < cookie.size()) {
    size_t end = cookie.find(';', start);
    if (end == std::string_view::npos) {
      end = cookie.size();
    }
    const std::string_view pair = cookie.substr(start, end - start);
    start = end + 1;
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    const std::string_view name = Trim(pair.substr(0, eq));
    if (name.empty()) {
      continue;
    }
    path_.assign(kPrefix).append(name);
    AddNamed(batch, Trim(pair.substr(eq + 1)), budget);
  }
}

void BodyLogParser::AddFormFields(EventBatch& batch, std::string_view body, FieldBudget& budget) {
  constexpr std::string_view kPrefix = "body.";
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string_view::npos) {
      end = body.size();
    }
    const std::string_view pair = body.substr(start, end - start);
    start = end + 1;
    const size_t eq = pair.find('=');
    const std::string_view raw_key = pair.substr(0, eq);
    if (raw_key.empty()) {
      continue;
    }
    path_.assign(kPrefix);
    path_.resize(kPrefix.size() + raw_key.size());
    path_.resize(kPrefix.size() + FormDecode(raw_key, path_.data() + kPrefix.size()));
    if (path_.size() == kPrefix.size()) {
      continue;
    }
    if (eq == std::string_view::npos) {
      continue;  // a bare key carries no value
    }
    AddNamed(batch, FormDecodeToArena(batch, pair.substr(eq + 1)), budget);
  }
}

void BodyLogParser::AddJsonBodyFields(EventBatch& batch,
                                      std::string_view body,
                                      FieldBudget& budget) {
  // The record's document is finished (all its values are in the arena), so the same
  // parser can read the body. `body` is arena memory: values become views into it.
  simdjson::ondemand::document doc;
  if (reader_.Start(body, body, doc) != simdjson::SUCCESS) {
    return;
  }
  auto emit = [&](std::string_view path, std::string_view text) {
    const FieldNameCache::Entry entry = names_.Get(path);
    if (budget.Take()) {
      batch.AddField(entry.id, text);
    }
  };
  simdjson::ondemand::json_type type;
  if (doc.type().get(type) != simdjson::SUCCESS) {
    return;
  }
  path_.assign("body");
  // A malformed body stops here; the fields read so far are kept (best effort).
  if (type == simdjson::ondemand::json_type::object) {
    simdjson::ondemand::object object;
    if (doc.get_object().get(object) == simdjson::SUCCESS) {
      (void)WalkJsonObject(reader_, object, path_, 1, batch, budget, emit);
    }
  } else if (type == simdjson::ondemand::json_type::array) {
    simdjson::ondemand::array array;
    if (doc.get_array().get(array) == simdjson::SUCCESS) {
      (void)WalkJsonArray(reader_, array, path_, 1, batch, budget, emit);
    }
  }
}

}  // namespace

std::unique_ptr<Parser> MakeBodyLogParser() {
  return std::make_unique<BodyLogParser>();
}

}  // namespace rampart::parse::internal
