// nginx/Apache access logs: common and combined log format with optional trailing
// fields, e.g.
//   203.0.113.9 - alice [10/Oct/2000:13:55:36 -0700] "GET /a?b=1 HTTP/1.1" 200 2326
//       "http://ref/" "Mozilla/5.0" 0.005 0.004 "198.51.100.7"
// Trailing bare numbers are $request_time then $upstream_response_time; a trailing quoted
// list of addresses is $http_x_forwarded_for. Quoted strings may contain \" (Apache) or
// \x22 (nginx) escapes; both are kept as logged.

#include <string_view>

#include "core/strings.h"
#include "core/time_util.h"
#include "parse/internal/event_time.h"
#include "parse/internal/parsers.h"

namespace rampart::parse::internal {
namespace {

constexpr std::string_view kDataset = "nginx.access";

// Cursor over one line. Every method leaves `pos` after what it consumed.
struct Scanner {
  std::string_view s;
  size_t pos = 0;

  bool AtEnd() const { return pos >= s.size(); }
  void SkipSpaces() {
    while (pos < s.size() && s[pos] == ' ') {
      ++pos;
    }
  }
  // A run of non-space bytes.
  std::string_view Token() {
    size_t start = pos;
    while (pos < s.size() && s[pos] != ' ') {
      ++pos;
    }
    return s.substr(start, pos - start);
  }
  // "..." with backslash escapes skipped over (kept verbatim in the result).
  bool Quoted(std::string_view* out) {
    if (pos >= s.size() || s[pos] != '"') {
      return false;
    }
    size_t start = ++pos;
    while (pos < s.size()) {
      char c = s[pos];
      if (c == '\\' && pos + 1 < s.size()) {
        pos += 2;
        continue;
      }
      if (c == '"') {
        *out = s.substr(start, pos - start);
        ++pos;
        return true;
      }
      ++pos;
    }
    return false;
  }
  bool Bracketed(std::string_view* out) {
    if (pos >= s.size() || s[pos] != '[') {
      return false;
    }
    size_t end = s.find(']', pos);
    if (end == std::string_view::npos) {
      return false;
    }
    *out = s.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    return true;
  }
};

bool IsDash(std::string_view v) {
  return v.empty() || v == "-";
}

bool IsNumber(std::string_view v) {
  if (v.empty()) {
    return false;
  }
  bool digit = false;
  for (char c : v) {
    if (IsDigit(c)) {
      digit = true;
    } else if (c != '.') {
      return false;
    }
  }
  return digit;
}

// "1.2.3.4, 2001:db8::1" — a list of addresses as in X-Forwarded-For.
bool LooksLikeAddressList(std::string_view v) {
  if (v.empty()) {
    return false;
  }
  for (char c : v) {
    if (!(IsDigit(c) || c == '.' || c == ':' || c == ',' || c == ' ' || (c >= 'a' && c <= 'f') ||
          (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return v.find_first_of(".:") != std::string_view::npos;
}

class AccessLogParser final : public Parser {
 public:
  Status Parse(std::string_view record, const ParseContext& ctx, EventBatch& batch) override {
    while (!record.empty() && (record.back() == '\r' || record.back() == '\n')) {
      record.remove_suffix(1);
    }
    Event& ev = batch.BeginEvent();
    ev.raw = batch.Copy(record);
    ev.tenant = ctx.tenant;
    ev.dataset = kDataset;
    Status st = ParseFields(ev.raw, ctx.reference_time_ns, batch);
    if (!st.ok()) {
      batch.AbortEvent();
      return st;
    }
    batch.CommitEvent();
    return Status::Ok();
  }

 private:
  static Status ParseFields(std::string_view line, int64_t reference_ns, EventBatch& batch) {
    Scanner sc{line};
    std::string_view client = sc.Token();
    if (client.empty()) {
      return InvalidArgument("access log: empty line");
    }
    sc.SkipSpaces();
    std::string_view ident = sc.Token();
    sc.SkipSpaces();
    std::string_view user = sc.Token();
    sc.SkipSpaces();
    std::string_view time_text;
    if (ident.empty() || user.empty() || !sc.Bracketed(&time_text)) {
      return InvalidArgument("access log: missing [time] after client, ident and user");
    }
    // A bracketed time that is no valid event time still leaves a sound line: it is kept
    // with the receive time and flagged below.
    int64_t ts = 0;
    const bool time_valid = ParseClfTime(time_text, &ts) && IsPlausibleEventTime(ts);
    sc.SkipSpaces();
    std::string_view request;
    if (!sc.Quoted(&request)) {
      return InvalidArgument("access log: missing quoted request line");
    }
    sc.SkipSpaces();
    std::string_view status = sc.Token();
    int status_code = 0;
    if (!ParseInt(status, &status_code) || status_code < 0 || status_code > 999) {
      return InvalidArgument("access log: bad status code");
    }
    sc.SkipSpaces();
    std::string_view bytes = sc.Token();
    if (!IsDash(bytes) && !IsNumber(bytes)) {
      return InvalidArgument("access log: bad response size");
    }

    if (time_valid) {
      batch.pending().timestamp_ns = ts;
    } else {
      MarkTimeInvalid(batch, batch.pending(), time_text, reference_ns);
    }
    batch.AddField(field::kSourceIp, client);
    if (!IsDash(user)) {
      batch.AddField(field::kUserName, user);
    }
    AddRequest(request, batch);
    batch.AddField(field::kHttpResponseStatusCode, status);
    if (!IsDash(bytes)) {
      batch.AddField(field::kHttpResponseBodyBytes, bytes);
    }

    // Combined format: "referer" "user agent"; then optional trailing fields.
    sc.SkipSpaces();
    std::string_view value;
    if (sc.Quoted(&value)) {
      if (!IsDash(value)) {
        batch.AddField(field::kHttpRequestReferrer, value);
      }
      sc.SkipSpaces();
      if (sc.Quoted(&value)) {
        if (!IsDash(value)) {
          batch.AddField(field::kUserAgentOriginal, value);
        }
      } else if (!sc.AtEnd()) {
        return InvalidArgument("access log: missing quoted user agent after referer");
      }
    }
    return ParseTrailing(sc, batch);
  }

  static Status ParseTrailing(Scanner& sc, EventBatch& batch) {
    int numbers = 0;
    while (true) {
      sc.SkipSpaces();
      if (sc.AtEnd()) {
        return Status::Ok();
      }
      std::string_view value;
      if (sc.s[sc.pos] == '"') {
        if (!sc.Quoted(&value)) {
          return InvalidArgument("access log: unterminated quoted trailing field");
        }
        if (LooksLikeAddressList(value)) {
          batch.AddField(field::kHttpRequestXForwardedFor, value);
          size_t comma = value.find(',');
          batch.AddField(field::kClientIp, Trim(value.substr(0, comma)));
        }
        continue;
      }
      value = sc.Token();
      if (IsNumber(value) || value == "-") {
        // $request_time, then $upstream_response_time
        if (numbers == 0 && value != "-") {
          batch.AddField(field::kHttpRequestTime, value);
        } else if (numbers == 1 && value != "-") {
          batch.AddField(field::kHttpUpstreamTime, value);
        }
        ++numbers;
      }
    }
  }

  static void AddRequest(std::string_view request, EventBatch& batch) {
    if (IsDash(request)) {
      return;
    }
    size_t sp1 = request.find(' ');
    size_t sp2 = request.rfind(' ');
    if (sp1 == std::string_view::npos || sp1 == sp2 ||
        !StartsWith(request.substr(sp2 + 1), "HTTP/")) {
      // Junk such as a TLS handshake sent to a plain port: keep it, it is evidence.
      batch.AddField(field::kUrlOriginal, request);
      return;
    }
    std::string_view method = request.substr(0, sp1);
    std::string_view target = request.substr(sp1 + 1, sp2 - sp1 - 1);
    batch.AddField(field::kHttpRequestMethod, method);
    batch.AddField(field::kUrlOriginal, target);
    size_t q = target.find('?');
    batch.AddField(field::kUrlPath, target.substr(0, q));
    if (q != std::string_view::npos) {
      batch.AddField(field::kUrlQuery, target.substr(q + 1));
    }
    batch.AddField(field::kHttpVersion, request.substr(sp2 + 6));
  }
};

}  // namespace

std::unique_ptr<Parser> MakeAccessLogParser() {
  return std::make_unique<AccessLogParser>();
}

bool LooksLikeAccessLog(std::string_view record) {
  // client ident user [dd/Mon/yyyy:... ] "..."
  size_t open = record.find(" [");
  if (open > 300) {  // also catches npos
    return false;
  }
  size_t close = record.find("] \"", open);
  if (close == std::string_view::npos) {
    return false;
  }
  int64_t ts = 0;
  return ParseClfTime(record.substr(open + 2, close - open - 2), &ts);
}

}  // namespace rampart::parse::internal
