// Syslog lines (RFC 3164 and RFC 5424) → Event, with message extractors for
// sshd, PAM, sudo and su that fill the ECS fields authentication detections key
// on (in syslog_auth.cc).
//
// Accepted grammar (one record = one line without its newline):
//
//   record   = rfc5424 / rfc3164
//   rfc5424  = PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP
//   MSGID SP
//              STRUCTURED-DATA [SP MSG]       ; each header field may be "-"
//              (nil)
//   rfc3164  = [PRI] TIME SP [HOSTNAME SP] [TAG SP] MSG
//   PRI      = "<" 1*3DIGIT ">"               ; value 0..191
//   TIME     = BSD-TIME / ISO-TIME
//   BSD-TIME = Mmm SP DD SP hh:mm:ss [.frac]  ; DD space-padded or not; year
//   from
//                                             ; ParseContext::reference_time_ns
//   ISO-TIME = RFC 3339 (rsyslog high-precision format)
//   TAG      = prog ["[" pid "]"] ":"         ; prog may be "sshd(pam_unix)"
//   (old PAM form)
//
// The 3164 hostname is optional: when the first token after the time is already
// a tag
// ("sshd[1]:"), there is no hostname. A 5424 nil timestamp ("-") takes the
// reference time. A 5424 TIMESTAMP, or a 3164 first token shaped like a date
// ("dddd-"), that is no valid event time also takes the reference time and is
// flagged in event.time_invalid (docs/formats/timestamps.md); any other first
// token is no syslog header. Structured data params become fields
// "syslog.sd.<SD-ID>.<PARAM-NAME>" with \" \\ \] unescaped. A UTF-8 BOM at the
// start of a 5424 MSG is dropped.
//
// Extractors never fail: a message they do not recognise is kept as `message`
// only.

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/strings.h"
#include "core/time_util.h"
#include "parse/internal/event_time.h"
#include "parse/internal/parsers.h"
#include "parse/internal/syslog_auth.h"

namespace rampart::parse::internal {
namespace {

constexpr std::string_view kDatasetAuth = "linux.auth";
constexpr std::string_view kDatasetSyslog = "linux.syslog";

constexpr int kFacilityAuth = 4;
constexpr int kFacilityAuthpriv = 10;

// SD-ID and PARAM-NAME are at most 32 printable characters (RFC 5424 §6.3).
constexpr size_t kMaxSdNameLength = 32;
// Distinct structured-data field names one parser instance will intern; beyond
// this a hostile sender could grow the process-wide field dictionary without
// bound, so further params are kept as "<id>.<param>=<value>" in one overflow
// field.
constexpr size_t kMaxSdFieldNames = 1024;

// Decimal text of 0..191 with static storage, for PRI, facility and severity
// values.
struct SmallNumbers {
  char text[192][4] = {};
  uint8_t length[192] = {};
  constexpr SmallNumbers() {
    for (int n = 0; n < 192; ++n) {
      char digits[3] = {};
      int len = 0;
      int v = n;
      do {
        digits[len++] = static_cast<char>('0' + v % 10);
        v /= 10;
      } while (v > 0);
      for (int i = 0; i < len; ++i) {
        text[n][i] = digits[len - 1 - i];
      }
      length[n] = static_cast<uint8_t>(len);
    }
  }
};
constexpr SmallNumbers kSmallNumbers;

std::string_view SmallNumber(int n) {
  return {kSmallNumbers.text[n], kSmallNumbers.length[n]};
}

// ---------------------------------------------------------------------------------------
// Header

struct Header {
  int pri = -1;  // -1 when the record has no <PRI>
  bool rfc5424 = false;
  bool bsd_time = false;  // 3164 with "Mmm dd hh:mm:ss"
  int64_t timestamp_ns = 0;
  // A timestamp field that holds no valid event time (timestamp_ns is then the
  // reference): the record is kept and flagged with this text
  // (parse/internal/event_time.h).
  std::string_view time_invalid;
  std::string_view version;  // 5424 only
  std::string_view host;
  std::string_view app;      // program name as logged ("sshd", "sshd(pam_unix)")
  std::string_view program;  // app without a "(module)" suffix: decides the extractor
  bool pam_tag = false;      // old "prog(pam_unix)[pid]:" tag: the message is a PAM body
  std::string_view pid;
  std::string_view msgid;  // 5424 only
  std::string_view rest;   // 3164: the message; 5424: STRUCTURED-DATA [SP MSG]
};

// "<PRI>" at the start of `s`; advances `pos`. Returns false when '<' starts a
// bad PRI.
bool ParsePri(std::string_view s, size_t* pos, int* pri) {
  size_t p = 1;
  int v = 0;
  while (p < s.size() && p <= 4 && IsDigit(s[p])) {
    v = v * 10 + (s[p] - '0');
    ++p;
  }
  if (p == 1 || p > 4 || p >= s.size() || s[p] != '>' || v > 191) {
    return false;
  }
  *pri = v;
  *pos = p + 1;
  return true;
}

// "Mmm dd hh:mm:ss[.frac]" at the start of `s`. Accepts an unpadded day ("Dec
// 1") by normalising into a stack buffer, since ParseBsdTime wants the padded
// form.
bool ParseBsdPrefix(std::string_view s, int64_t reference_ns, size_t* consumed, int64_t* ns) {
  if (s.size() < 14 || s[3] != ' ') {
    return false;
  }
  char buf[64];
  std::memcpy(buf, s.data(), 4);
  size_t p = 4;
  if (s[4] == ' ' && IsDigit(s[5])) {
    buf[4] = ' ';
    buf[5] = s[5];
    p = 6;
  } else if (IsDigit(s[4]) && IsDigit(s[5])) {
    buf[4] = s[4];
    buf[5] = s[5];
    p = 6;
  } else if (IsDigit(s[4]) && s[5] == ' ') {
    buf[4] = ' ';
    buf[5] = s[4];
    p = 5;
  } else {
    return false;
  }
  // " hh:mm:ss"
  if (p + 9 > s.size() || s[p] != ' ' || s[p + 3] != ':' || s[p + 6] != ':') {
    return false;
  }
  size_t end = p + 9;
  if (end < s.size() && s[end] == '.') {
    ++end;
    while (end < s.size() && IsDigit(s[end])) {
      ++end;
    }
  }
  size_t time_len = end - p;  // " hh:mm:ss[.frac]"
  if (6 + time_len > sizeof(buf)) {
    return false;
  }
  std::memcpy(buf + 6, s.data() + p, time_len);
  if (!ParseBsdTime(std::string_view(buf, 6 + time_len), reference_ns, ns)) {
    return false;
  }
  *consumed = end;
  return true;
}

// An RFC 3339 time a log record may carry (years kMinEventYear..kMaxEventYear).
bool ParseIsoTime(std::string_view s, int64_t* ns) {
  return ParseIso8601(s, ns) && IsPlausibleEventTime(*ns);
}

// A 3164 header token meant as an ISO date ("2025-13-45T99:99:99Z"): four
// digits and '-'. Only such a token is flagged when invalid; anything else is
// no syslog header.
bool LooksLikeIsoDate(std::string_view token) {
  return token.size() >= 5 && IsDigit(token[0]) && IsDigit(token[1]) && IsDigit(token[2]) &&
         IsDigit(token[3]) && token[4] == '-';
}

// "prog:", "prog[pid]:", "prog(module)[pid]:".
bool IsTag(std::string_view token) {
  return token.size() >= 2 && token.back() == ':';
}

void SplitTag(std::string_view token, Header* h) {
  std::string_view tag = token.substr(0, token.size() - 1);
  if (!tag.empty() && tag.back() == ']') {
    size_t open = tag.find('[');
    if (open != std::string_view::npos) {
      h->pid = tag.substr(open + 1, tag.size() - open - 2);
      tag = tag.substr(0, open);
    }
  }
  h->app = tag;
  h->program = tag;
  if (!tag.empty() && tag.back() == ')') {
    size_t open = tag.find('(');
    if (open != std::string_view::npos) {
      h->program = tag.substr(0, open);
      h->pam_tag = StartsWith(tag.substr(open + 1), "pam_");
    }
  }
}

// Next space-terminated 5424 header field; false when missing or empty.
bool NextHeaderField(std::string_view s, size_t* pos, std::string_view* out) {
  size_t sp = s.find(' ', *pos);
  if (sp == std::string_view::npos || sp == *pos) {
    return false;
  }
  *out = s.substr(*pos, sp - *pos);
  *pos = sp + 1;
  return true;
}

const char* ParseRfc5424Header(std::string_view s, size_t pos, int64_t reference_ns, Header* h) {
  h->rfc5424 = true;
  std::string_view ts;
  if (!NextHeaderField(s, &pos, &h->version) || !NextHeaderField(s, &pos, &ts) ||
      !NextHeaderField(s, &pos, &h->host) || !NextHeaderField(s, &pos, &h->app) ||
      !NextHeaderField(s, &pos, &h->pid) || !NextHeaderField(s, &pos, &h->msgid) ||
      pos >= s.size()) {
    return "syslog: truncated RFC 5424 header";
  }
  if (ts == "-") {
    h->timestamp_ns = reference_ns;  // nil: the sender did not know the time
  } else if (!ParseIsoTime(ts, &h->timestamp_ns)) {
    // The field is delimited, so the rest of the header is still sound: keep
    // the record.
    h->timestamp_ns = reference_ns;
    h->time_invalid = ts;
  }
  if (h->host == "-") {
    h->host = {};
  }
  if (h->app == "-") {
    h->app = {};
  }
  h->program = h->app;
  if (h->pid == "-") {
    h->pid = {};
  }
  if (h->msgid == "-") {
    h->msgid = {};
  }
  h->rest = s.substr(pos);
  return nullptr;
}

// Parses everything before the message (5424: before STRUCTURED-DATA). Returns
// the error reason, or nullptr on success. All views point into `s`.
const char* ParseHeader(std::string_view s, int64_t reference_ns, Header* h) {
  static constexpr const char* kBadTime =
      "syslog: invalid timestamp (want Mmm dd hh:mm:ss or RFC 3339)";
  if (s.empty()) {
    return "syslog: empty record";
  }
  size_t pos = 0;
  if (s[0] == '<') {
    if (!ParsePri(s, &pos, &h->pri)) {
      return "syslog: invalid <PRI>";
    }
    // RFC 5424: VERSION (1-3 digits, no leading zero) then SP. A 3164 ISO time
    // also starts with digits but continues with '-'.
    size_t v = pos;
    while (v < s.size() && v - pos < 3 && IsDigit(s[v])) {
      ++v;
    }
    if (v > pos && v < s.size() && s[v] == ' ' && s[pos] != '0') {
      return ParseRfc5424Header(s, pos, reference_ns, h);
    }
  }

  std::string_view t = s.substr(pos);
  size_t consumed = 0;
  if (t.empty()) {
    return "syslog: missing timestamp";
  }
  if (IsDigit(t[0])) {
    std::string_view token = FirstToken(t);
    if (!ParseIsoTime(token, &h->timestamp_ns)) {
      if (!LooksLikeIsoDate(token)) {
        return kBadTime;
      }
      h->timestamp_ns = reference_ns;
      h->time_invalid = token;
    }
    consumed = token.size();
  } else if (ParseBsdPrefix(t, reference_ns, &consumed, &h->timestamp_ns)) {
    h->bsd_time = true;
  } else {
    return kBadTime;
  }
  t.remove_prefix(consumed);
  if (!t.empty() && t[0] != ' ') {
    return kBadTime;
  }
  while (!t.empty() && t[0] == ' ') {
    t.remove_prefix(1);
  }
  if (t.empty()) {
    return "syslog: nothing after timestamp";
  }

  std::string_view token = FirstToken(t);
  if (!IsTag(token)) {
    h->host = token;
    t.remove_prefix(token.size());
    if (!t.empty()) {
      t.remove_prefix(1);
    }
    token = FirstToken(t);
  }
  if (IsTag(token)) {
    SplitTag(token, h);
    t.remove_prefix(token.size());
    if (!t.empty()) {
      t.remove_prefix(1);
    }
  }
  h->rest = t;
  return nullptr;
}

// ---------------------------------------------------------------------------------------
// Parser

struct StringViewHash {
  using is_transparent = void;  // NOLINT(readability-identifier-naming): std name
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class SyslogParser final : public Parser {
 public:
  Status Parse(std::string_view record, const ParseContext& ctx, EventBatch& batch) override {
    while (!record.empty() &&
           (record.back() == '\r' || record.back() == '\n' || record.back() == '\0')) {
      record.remove_suffix(1);
    }
    if (record.empty()) {
      return InvalidArgument("syslog: empty record");
    }
    Event& ev = batch.BeginEvent();
    ev.raw = batch.Copy(record);
    ev.tenant = ctx.tenant;
    Header h;
    if (const char* error = ParseHeader(ev.raw, ctx.reference_time_ns, &h)) {
      batch.AbortEvent();
      return InvalidArgument(error);
    }
    ev.timestamp_ns = h.timestamp_ns;
    if (!h.time_invalid.empty()) {
      internal::MarkTimeInvalid(batch, ev, h.time_invalid, ctx.reference_time_ns);
    }

    int facility = -1;
    if (h.pri >= 0) {
      facility = h.pri / 8;
      batch.AddField(field::kLogSyslogPriority, SmallNumber(h.pri));
      batch.AddField(field::kLogSyslogFacility, SmallNumber(facility));
      batch.AddField(field::kLogSyslogSeverity, SmallNumber(h.pri % 8));
    }
    if (h.rfc5424) {
      batch.AddField(field::kLogSyslogVersion, h.version);
    }
    batch.AddNonEmpty(field::kHostName, h.host);
    batch.AddNonEmpty(field::kProcessName, h.program);
    if (h.rfc5424) {
      batch.AddNonEmpty(field::kLogSyslogAppname, h.app);
    }
    batch.AddNonEmpty(field::kProcessPid, h.pid);
    batch.AddNonEmpty(field::kLogSyslogMsgid, h.msgid);

    std::string_view message = h.rest;
    if (h.rfc5424) {
      if (!ParseStructuredData(h.rest, batch, &message)) {
        batch.AbortEvent();
        return InvalidArgument("syslog: malformed structured data");
      }
      ConsumePrefix(message, "\xEF\xBB\xBF");
    }
    // rsyslog folds repeats into "message repeated N times: [ MSG ]": MSG is the message,
    // and the count goes with it so counters count N occurrences.
    std::string_view repeat_count;
    if (UnwrapRepeated(&message, &repeat_count)) {
      batch.AddField(ids_.repeat_count, repeat_count);
    }
    batch.AddNonEmpty(field::kMessage, message);

    Extraction out(batch, ids_);
    ExtractAuthFields(h.program, h.pam_tag, message, out);
    ev.dataset = out.matched() || IsAuthProgram(h.program) || facility == kFacilityAuth ||
                         facility == kFacilityAuthpriv
                     ? kDatasetAuth
                     : kDatasetSyslog;
    batch.CommitEvent();
    return Status::Ok();
  }

 private:
  // "message repeated 5 times: [ Failed password ...]" -> message "Failed password ...",
  // count "5". Anything else is left alone.
  static bool UnwrapRepeated(std::string_view* message, std::string_view* count) {
    std::string_view m = *message;
    constexpr std::string_view kPrefix = "message repeated ";
    if (!StartsWith(m, kPrefix)) {
      return false;
    }
    m.remove_prefix(kPrefix.size());
    size_t digits = 0;
    while (digits < m.size() && digits < 9 && IsDigit(m[digits])) {
      ++digits;
    }
    if (digits == 0 || m.substr(digits, 9) != " times: [" || m.back() != ']') {
      return false;
    }
    *count = m.substr(0, digits);
    m = m.substr(digits + 9, m.size() - digits - 10);
    while (!m.empty() && m.front() == ' ') {
      m.remove_prefix(1);
    }
    *message = m;
    return true;
  }

  static bool IsSdNameChar(char c) {
    return c > ' ' && c < 127 && c != '=' && c != ']' && c != '"';
  }

  // STRUCTURED-DATA = "-" / 1*("[" SD-ID *(SP PARAM-NAME "=" DQUOTE value
  // DQUOTE) "]"), then optional SP MSG. Emits one field per param; sets
  // *message to MSG.
  bool ParseStructuredData(std::string_view s, EventBatch& batch, std::string_view* message) {
    size_t pos = 0;
    const size_t n = s.size();
    if (s[0] == '-') {
      pos = 1;
    } else if (s[0] != '[') {
      return false;
    }
    while (pos < n && s[pos] == '[' && s[0] == '[') {
      ++pos;
      size_t start = pos;
      while (pos < n && IsSdNameChar(s[pos])) {
        ++pos;
      }
      std::string_view id = s.substr(start, pos - start);
      if (id.empty() || id.size() > kMaxSdNameLength) {
        return false;
      }
      while (true) {
        if (pos >= n) {
          return false;
        }
        if (s[pos] == ']') {
          ++pos;
          break;
        }
        if (s[pos] != ' ') {
          return false;
        }
        while (pos < n && s[pos] == ' ') {
          ++pos;
        }
        if (pos < n && s[pos] == ']') {
          continue;
        }
        start = pos;
        while (pos < n && IsSdNameChar(s[pos])) {
          ++pos;
        }
        std::string_view name = s.substr(start, pos - start);
        if (name.empty() || name.size() > kMaxSdNameLength || pos + 1 >= n || s[pos] != '=' ||
            s[pos + 1] != '"') {
          return false;
        }
        pos += 2;
        start = pos;
        bool escaped = false;
        while (pos < n && s[pos] != '"') {
          if (s[pos] == '\\' && pos + 1 < n) {
            escaped = true;
            ++pos;
          }
          ++pos;
        }
        if (pos >= n) {
          return false;
        }
        std::string_view value = s.substr(start, pos - start);
        ++pos;
        if (escaped) {
          value = Unescape(value, batch);
        }
        AddSdParam(id, name, value, batch);
      }
    }
    if (pos == n) {
      *message = {};
      return true;
    }
    if (s[pos] != ' ') {
      return false;
    }
    *message = s.substr(pos + 1);
    return true;
  }

  // PARAM-VALUE escapes: \" \\ \] lose their backslash; any other backslash is
  // kept.
  static std::string_view Unescape(std::string_view v, EventBatch& batch) {
    char* out = batch.arena().Allocate(v.size());
    size_t len = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\' && i + 1 < v.size() &&
          (v[i + 1] == '"' || v[i + 1] == '\\' || v[i + 1] == ']')) {
        ++i;
      }
      out[len++] = v[i];
    }
    return {out, len};
  }

  void AddSdParam(std::string_view id,
                  std::string_view name,
                  std::string_view value,
                  EventBatch& batch) {
    // Reuses the scratch string's capacity: no allocation once names are
    // cached.
    sd_name_.assign("syslog.sd.");
    sd_name_.append(id);
    sd_name_.push_back('.');
    sd_name_.append(name);
    auto it = sd_ids_.find(std::string_view(sd_name_));
    if (it != sd_ids_.end()) {
      batch.AddField(it->second, value);
      return;
    }
    if (sd_ids_.size() < kMaxSdFieldNames) {
      FieldId id_for_name = FieldDict::Intern(sd_name_);
      sd_ids_.emplace(sd_name_, id_for_name);
      batch.AddField(id_for_name, value);
      return;
    }
    // "<id>.<param>=<value>" without the "syslog.sd." prefix.
    std::string_view key = std::string_view(sd_name_).substr(10);
    char* buf = batch.arena().Allocate(key.size() + 1 + value.size());
    std::memcpy(buf, key.data(), key.size());
    buf[key.size()] = '=';
    if (!value.empty()) {
      std::memcpy(buf + key.size() + 1, value.data(), value.size());
    }
    batch.AddField(ids_.sd_overflow, std::string_view(buf, key.size() + 1 + value.size()));
  }

  ExtraFields ids_;
  std::string sd_name_;
  std::unordered_map<std::string, FieldId, StringViewHash, std::equal_to<>> sd_ids_;
};

}  // namespace

std::unique_ptr<Parser> MakeSyslogParser() {
  return std::make_unique<SyslogParser>();
}

bool LooksLikeSyslog(std::string_view record) {
  while (!record.empty() && (record.back() == '\r' || record.back() == '\n')) {
    record.remove_suffix(1);
  }
  Header h;
  // A flagged invalid time keeps a record of a known format; it does not
  // identify one.
  if (ParseHeader(record, 0, &h) != nullptr || !h.time_invalid.empty()) {
    return false;
  }
  // Without <PRI>, a leading ISO time alone is common to many application logs:
  // also require a syslog tag ("prog[pid]:").
  return h.pri >= 0 || h.bsd_time || !h.program.empty();
}

}  // namespace rampart::parse::internal
