// Syslog lines (RFC 3164 and RFC 5424) → Event, with message extractors for sshd, PAM,
// sudo and su that fill the ECS fields authentication detections key on.
//
// Accepted grammar (one record = one line without its newline):
//
//   record   = rfc5424 / rfc3164
//   rfc5424  = PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP
//              STRUCTURED-DATA [SP MSG]       ; each header field may be "-" (nil)
//   rfc3164  = [PRI] TIME SP [HOSTNAME SP] [TAG SP] MSG
//   PRI      = "<" 1*3DIGIT ">"               ; value 0..191
//   TIME     = BSD-TIME / ISO-TIME
//   BSD-TIME = Mmm SP DD SP hh:mm:ss [.frac]  ; DD space-padded or not; year from
//                                             ; ParseContext::reference_time_ns
//   ISO-TIME = RFC 3339 (rsyslog high-precision format)
//   TAG      = prog ["[" pid "]"] ":"         ; prog may be "sshd(pam_unix)" (old PAM form)
//
// The 3164 hostname is optional: when the first token after the time is already a tag
// ("sshd[1]:"), there is no hostname. A 5424 nil timestamp ("-") takes the reference time.
// A 5424 TIMESTAMP, or a 3164 first token shaped like a date ("dddd-"), that is no valid
// event time also takes the reference time and is flagged in event.time_invalid
// (docs/formats/timestamps.md); any other first token is no syslog header.
// Structured data params become fields "syslog.sd.<SD-ID>.<PARAM-NAME>" with \" \\ \]
// unescaped. A UTF-8 BOM at the start of a 5424 MSG is dropped.
//
// Extractors never fail: a message they do not recognise is kept as `message` only.
// Usernames logged by sshd are attacker-chosen and may contain spaces or " from ", so the
// peer address is always taken from the last " from " (sshd appends it last).

#include <arpa/inet.h>

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

namespace rampart::parse::internal {
namespace {

constexpr std::string_view kDatasetAuth = "linux.auth";
constexpr std::string_view kDatasetSyslog = "linux.syslog";

constexpr int kFacilityAuth = 4;
constexpr int kFacilityAuthpriv = 10;

// SD-ID and PARAM-NAME are at most 32 printable characters (RFC 5424 §6.3).
constexpr size_t kMaxSdNameLength = 32;
// Distinct structured-data field names one parser instance will intern; beyond this a
// hostile sender could grow the process-wide field dictionary without bound, so further
// params are kept as "<id>.<param>=<value>" in one overflow field.
constexpr size_t kMaxSdFieldNames = 1024;

// Decimal text of 0..191 with static storage, for PRI, facility and severity values.
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

bool ConsumePrefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) {
    return false;
  }
  s.remove_prefix(prefix.size());
  return true;
}

bool ConsumeSuffix(std::string_view& s, std::string_view suffix) {
  if (s.size() < suffix.size() || s.substr(s.size() - suffix.size()) != suffix) {
    return false;
  }
  s.remove_suffix(suffix.size());
  return true;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The run of bytes up to the first space (or the end).
std::string_view FirstToken(std::string_view s) {
  return s.substr(0, s.find(' '));
}

bool AllDigits(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!IsDigit(c)) {
      return false;
    }
  }
  return true;
}

// The leading run of digits of `s`.
std::string_view LeadingDigits(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && IsDigit(s[n])) {
    ++n;
  }
  return s.substr(0, n);
}

// IPv4 dotted quad or IPv6 (an optional "%zone" suffix is allowed and kept).
bool IsIpAddress(std::string_view s) {
  s = s.substr(0, s.find('%'));
  if (s.size() < 2 || s.size() > 45) {
    return false;
  }
  char buf[46];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  unsigned char addr[16];
  int family = s.find(':') == std::string_view::npos ? AF_INET : AF_INET6;
  return inet_pton(family, buf, addr) == 1;
}

// ---------------------------------------------------------------------------------------
// Header

struct Header {
  int pri = -1;  // -1 when the record has no <PRI>
  bool rfc5424 = false;
  bool bsd_time = false;  // 3164 with "Mmm dd hh:mm:ss"
  int64_t timestamp_ns = 0;
  // A timestamp field that holds no valid event time (timestamp_ns is then the reference):
  // the record is kept and flagged with this text (parse/internal/event_time.h).
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

// "<PRI>" at the start of `s`; advances `pos`. Returns false when '<' starts a bad PRI.
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

// "Mmm dd hh:mm:ss[.frac]" at the start of `s`. Accepts an unpadded day ("Dec 1") by
// normalising into a stack buffer, since ParseBsdTime wants the padded form.
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

// A 3164 header token meant as an ISO date ("2025-13-45T99:99:99Z"): four digits and '-'.
// Only such a token is flagged when invalid; anything else is no syslog header.
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
    // The field is delimited, so the rest of the header is still sound: keep the record.
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

// Parses everything before the message (5424: before STRUCTURED-DATA). Returns the error
// reason, or nullptr on success. All views point into `s`.
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
    // RFC 5424: VERSION (1-3 digits, no leading zero) then SP. A 3164 ISO time also starts
    // with digits but continues with '-'.
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

bool IsAuthProgram(std::string_view p) {
  return p == "sshd" || p == "sshd-session" || p == "sudo" || p == "su" || p == "login";
}

bool IsSshd(std::string_view p) {
  return p == "sshd" || p == "sshd-session";
}

// ---------------------------------------------------------------------------------------
// Extractors

// Field ids outside the well-known set, interned once per parser instance.
struct ExtraFields {
  FieldId user_target_name = FieldDict::Intern("user.target.name");
  FieldId ssh_method = FieldDict::Intern("system.auth.ssh.method");
  FieldId source_domain = FieldDict::Intern("source.domain");
  FieldId working_directory = FieldDict::Intern("process.working_directory");
  FieldId sd_overflow = FieldDict::Intern("syslog.sd._overflow");
};

// Adds extractor results to the pending event.
class Extraction {
 public:
  Extraction(EventBatch& batch, const ExtraFields& ids) : batch_(batch), ids_(ids) {}

  bool matched() const { return matched_; }

  // `outcome` may be empty (not stated by the message).
  void Classify(std::string_view category, std::string_view action, std::string_view outcome) {
    batch_.AddField(field::kEventCategory, category);
    batch_.AddField(field::kEventAction, action);
    batch_.AddNonEmpty(field::kEventOutcome, outcome);
    matched_ = true;
  }
  void User(std::string_view user) { batch_.AddNonEmpty(field::kUserName, user); }
  void TargetUser(std::string_view user) { batch_.AddNonEmpty(ids_.user_target_name, user); }
  // An address that may be a host name (sshd with UseDNS, PAM rhost).
  void Peer(std::string_view address) {
    if (IsIpAddress(address)) {
      batch_.AddField(field::kSourceIp, address);
    } else {
      batch_.AddNonEmpty(ids_.source_domain, address);
    }
  }
  void Domain(std::string_view host) { batch_.AddNonEmpty(ids_.source_domain, host); }
  void Port(std::string_view port) {
    if (AllDigits(port) && port.size() <= 5) {
      batch_.AddField(field::kSourcePort, port);
    }
  }
  void SshMethod(std::string_view method) { batch_.AddNonEmpty(ids_.ssh_method, method); }
  void CommandLine(std::string_view cmd) { batch_.AddNonEmpty(field::kProcessCommandLine, cmd); }
  void WorkingDirectory(std::string_view d) { batch_.AddNonEmpty(ids_.working_directory, d); }

 private:
  EventBatch& batch_;
  const ExtraFields& ids_;
  bool matched_ = false;
};

constexpr std::string_view kAuthentication = "authentication";
constexpr std::string_view kSession = "session";
constexpr std::string_view kNetwork = "network";
constexpr std::string_view kIntrusionDetection = "intrusion_detection";
constexpr std::string_view kProcess = "process";
constexpr std::string_view kSuccess = "success";
constexpr std::string_view kFailure = "failure";
constexpr std::string_view kUnknown = "unknown";

// "<user> from <addr>[ port <p>][ ...]": the address follows the last " from ".
bool UserFromPeer(std::string_view s, Extraction& out) {
  size_t from = s.rfind(" from ");
  if (from == std::string_view::npos) {
    return false;
  }
  std::string_view tail = s.substr(from + 6);
  std::string_view addr = FirstToken(tail);
  if (addr.empty()) {
    return false;
  }
  out.User(s.substr(0, from));
  out.Peer(addr);
  tail.remove_prefix(addr.size());
  if (ConsumePrefix(tail, " port ")) {
    out.Port(LeadingDigits(tail));
  }
  return true;
}

// "[authenticating user <u> |invalid user <u> |user <u> ]<addr>[ port <p>]" with any
// " [preauth]" already removed.
void UserAndPeer(std::string_view s, Extraction& out) {
  bool has_user = ConsumePrefix(s, "authenticating user ") || ConsumePrefix(s, "invalid user ") ||
                  ConsumePrefix(s, "user ");
  size_t port = s.rfind(" port ");
  if (port != std::string_view::npos && AllDigits(s.substr(port + 6))) {
    out.Port(s.substr(port + 6));
    s = s.substr(0, port);
  }
  if (has_user) {
    size_t sp = s.rfind(' ');
    if (sp != std::string_view::npos) {
      out.User(s.substr(0, sp));
      s.remove_prefix(sp + 1);
    }
  }
  out.Peer(FirstToken(s));
}

// "Accepted|Failed <method> for [invalid user ]<user> from <addr> port <p> <proto>[: key]"
bool SshLogin(std::string_view s, bool success, Extraction& out) {
  std::string_view method = FirstToken(s);
  s.remove_prefix(method.size());
  if (method.empty() || !ConsumePrefix(s, " for ")) {
    return false;
  }
  ConsumePrefix(s, "invalid user ");
  if (s.find(" from ") == std::string_view::npos) {
    return false;
  }
  out.Classify(kAuthentication, "ssh_login", success ? kSuccess : kFailure);
  out.SshMethod(method);
  return UserFromPeer(s, out);
}

// "Received disconnect from <addr>[ port <p>]:<code>: <text>"
void SshReceivedDisconnect(std::string_view s, Extraction& out) {
  out.Classify(kSession, "ssh_disconnect", kUnknown);
  std::string_view addr = FirstToken(s);
  s.remove_prefix(addr.size());
  if (ConsumePrefix(s, " port ")) {
    out.Port(LeadingDigits(s));
  } else {
    ConsumeSuffix(addr, ":");  // "1.2.3.4: 11: Bye Bye" (older sshd, no port)
  }
  out.Peer(addr);
}

bool ExtractSshd(std::string_view m, Extraction& out) {
  ConsumePrefix(m, "error: ");
  if (m.empty()) {
    return false;
  }
  std::string_view s = m;
  switch (m[0]) {
    case 'A':
      if (ConsumePrefix(s, "Accepted ")) {
        return SshLogin(s, true, out);
      }
      // "Address <ip> maps to <host>, but this does not map back to the address - ..."
      if (ConsumePrefix(s, "Address ") && EndsWith(s, "POSSIBLE BREAK-IN ATTEMPT!")) {
        std::string_view addr = FirstToken(s);
        s.remove_prefix(addr.size());
        out.Classify(kIntrusionDetection, "ssh_break_in_attempt", {});
        out.Peer(addr);
        if (ConsumePrefix(s, " maps to ")) {
          out.Domain(s.substr(0, s.find(", ")));
        }
        return true;
      }
      return false;
    case 'F':
      if (ConsumePrefix(s, "Failed ")) {
        return SshLogin(s, false, out);
      }
      return false;
    case 'I':
      // "Invalid user <user> from <addr>[ port <p>]"
      if (ConsumePrefix(s, "Invalid user ")) {
        out.Classify(kAuthentication, "invalid_user", kFailure);
        if (!UserFromPeer(s, out)) {
          out.User(s);  // no peer logged
        }
        return true;
      }
      return false;
    case 'i':
      if (ConsumePrefix(s, "input_userauth_request: invalid user ")) {
        ConsumeSuffix(s, " [preauth]");
        out.Classify(kAuthentication, "invalid_user", kFailure);
        out.User(s);
        return true;
      }
      return false;
    case 'm':
      if (ConsumePrefix(s, "maximum authentication attempts exceeded for ")) {
        ConsumePrefix(s, "invalid user ");
        out.Classify(kAuthentication, "ssh_max_attempts", kFailure);
        UserFromPeer(s, out);
        return true;
      }
      return false;
    case 'C':
      if (ConsumePrefix(s, "Connection closed by ") || ConsumePrefix(s, "Connection reset by ")) {
        ConsumeSuffix(s, " [preauth]");
        out.Classify(kSession, "ssh_disconnect", kUnknown);
        UserAndPeer(s, out);
        return true;
      }
      return false;
    case 'D':
      if (ConsumePrefix(s, "Disconnected from ")) {
        ConsumeSuffix(s, " [preauth]");
        out.Classify(kSession, "ssh_disconnect", kUnknown);
        UserAndPeer(s, out);
        return true;
      }
      if (ConsumePrefix(s, "Did not receive identification string from ")) {
        out.Classify(kNetwork, "ssh_no_identification", {});
        UserAndPeer(s, out);
        return true;
      }
      // Older sshd: "Disconnecting: Too many authentication failures for <user> [preauth]"
      if (ConsumePrefix(s, "Disconnecting: Too many authentication failures")) {
        ConsumeSuffix(s, " [preauth]");
        out.Classify(kAuthentication, "ssh_max_attempts", kFailure);
        if (ConsumePrefix(s, " for ")) {
          ConsumePrefix(s, "invalid user ");
          out.User(s);
        }
        return true;
      }
      // Newer sshd: "Disconnecting authenticating user <u> <addr> port <p>: Too many
      // authentication failures [preauth]"
      if (ConsumePrefix(s, "Disconnecting ") &&
          (StartsWith(s, "authenticating user ") || StartsWith(s, "invalid user "))) {
        size_t colon = s.rfind(": ");
        if (colon == std::string_view::npos) {
          return false;
        }
        if (StartsWith(s.substr(colon + 2), "Too many authentication failures")) {
          out.Classify(kAuthentication, "ssh_max_attempts", kFailure);
        } else {
          out.Classify(kSession, "ssh_disconnect", kUnknown);
        }
        UserAndPeer(s.substr(0, colon), out);
        return true;
      }
      return false;
    case 'R':
      if (ConsumePrefix(s, "Received disconnect from ")) {
        SshReceivedDisconnect(s, out);
        return true;
      }
      return false;
    case 'r':
      // "reverse mapping checking getaddrinfo for <host> [<ip>] failed - POSSIBLE ..."
      if (ConsumePrefix(s, "reverse mapping checking getaddrinfo for ") &&
          EndsWith(s, "POSSIBLE BREAK-IN ATTEMPT!")) {
        size_t open = s.find(" [");
        size_t close = s.find(']', open);
        out.Classify(kIntrusionDetection, "ssh_break_in_attempt", {});
        if (open != std::string_view::npos && close != std::string_view::npos) {
          out.Peer(s.substr(open + 2, close - open - 2));
          out.Domain(s.substr(0, open));
        }
        return true;
      }
      return false;
    default:
      return false;
  }
}

// "logname= uid=0 euid=0 tty=ssh ruser= rhost=<host>  user=<u>"
void PamKeyValues(std::string_view s, Extraction& out) {
  while (!s.empty()) {
    std::string_view token = FirstToken(s);
    s.remove_prefix(token.size() < s.size() ? token.size() + 1 : s.size());
    if (ConsumePrefix(token, "rhost=")) {
      out.Peer(token);
    } else if (ConsumePrefix(token, "user=")) {
      out.User(token);
    }
  }
}

// "root", "root(uid=0)" → "root"
std::string_view PamSessionUser(std::string_view s) {
  std::string_view user = FirstToken(s);
  return user.substr(0, user.find('('));
}

// The part of a PAM module message after "pam_unix(<service>:<type>): ".
bool ExtractPamBody(std::string_view s, Extraction& out) {
  if (ConsumePrefix(s, "authentication failure;")) {
    out.Classify(kAuthentication, "pam_auth_failure", kFailure);
    PamKeyValues(s, out);
    return true;
  }
  if (StartsWith(s, "check pass; user unknown")) {
    out.Classify(kAuthentication, "pam_user_unknown", kFailure);
    return true;
  }
  if (ConsumePrefix(s, "session opened for user ")) {
    out.Classify(kSession, "session_opened", kSuccess);
    out.User(PamSessionUser(s));
    return true;
  }
  if (ConsumePrefix(s, "session closed for user ")) {
    out.Classify(kSession, "session_closed", kSuccess);
    out.User(PamSessionUser(s));
    return true;
  }
  return false;
}

// "pam_unix(sshd:auth): <body>" and other pam_* modules that log the same bodies.
bool ExtractPamModule(std::string_view m, Extraction& out) {
  size_t open = m.find('(');
  if (open == std::string_view::npos || m.substr(0, open).find(' ') != std::string_view::npos) {
    return false;
  }
  size_t close = m.find("): ", open);
  if (close == std::string_view::npos) {
    return false;
  }
  return ExtractPamBody(m.substr(close + 3), out);
}

// sshd: "PAM 5 more authentication failures; logname= uid=0 ... rhost=<h>  user=<u>"
bool ExtractPamMore(std::string_view s, Extraction& out) {
  std::string_view count = LeadingDigits(s);
  s.remove_prefix(count.size());
  if (count.empty() || !ConsumePrefix(s, " more authentication failure")) {
    return false;
  }
  out.Classify(kAuthentication, "pam_more_failures", kFailure);
  size_t semi = s.find(';');
  if (semi != std::string_view::npos) {
    PamKeyValues(s.substr(semi + 1), out);
  }
  return true;
}

// "<user> : [<reason> ; ]TTY=pts/0 ; PWD=/home/u ; USER=root ; COMMAND=/bin/ls -l"
bool ExtractSudo(std::string_view m, Extraction& out) {
  while (!m.empty() && m[0] == ' ') {
    m.remove_prefix(1);
  }
  size_t sep = m.find(" : ");
  if (sep == std::string_view::npos || sep == 0) {
    return false;
  }
  std::string_view user = m.substr(0, sep);
  if (user.find(' ') != std::string_view::npos) {
    return false;
  }
  std::string_view s = m.substr(sep + 3);
  std::string_view reason;
  std::string_view target;
  std::string_view pwd;
  std::string_view command;
  bool keyed = false;
  while (!s.empty()) {
    if (ConsumePrefix(s, "COMMAND=")) {
      command = s;  // the command itself may contain " ; "
      keyed = true;
      break;
    }
    size_t next = s.find(" ; ");
    std::string_view item = s.substr(0, next);
    s = next == std::string_view::npos ? std::string_view() : s.substr(next + 3);
    size_t eq = item.find('=');
    bool is_key = eq != std::string_view::npos && eq > 0;
    for (size_t i = 0; is_key && i < eq; ++i) {
      is_key = item[i] >= 'A' && item[i] <= 'Z';
    }
    if (!is_key) {
      if (reason.empty() && !keyed) {
        reason = item;
      }
      continue;
    }
    keyed = true;
    if (ConsumePrefix(item, "USER=")) {
      target = item;
    } else if (ConsumePrefix(item, "PWD=")) {
      pwd = item;
    }
  }
  if (!keyed) {
    return false;
  }
  if (reason.empty()) {
    out.Classify(kProcess, "sudo_command", kSuccess);
  } else if (reason.find("incorrect password attempt") != std::string_view::npos) {
    out.Classify(kAuthentication, "sudo_auth_failure", kFailure);
  } else {
    // "user NOT in sudoers", "command not allowed", "a password is required"
    out.Classify(kProcess, "sudo_denied", kFailure);
  }
  out.User(user);
  out.TargetUser(target);
  out.WorkingDirectory(pwd);
  out.CommandLine(command);
  return true;
}

bool ExtractSu(std::string_view s, Extraction& out) {
  // shadow-utils: "Successful su for <target> by <user>" / "FAILED su for <target> by <user>"
  bool success = ConsumePrefix(s, "Successful su for ");
  if (success || ConsumePrefix(s, "FAILED su for ")) {
    size_t by = s.rfind(" by ");
    if (by == std::string_view::npos) {
      return false;
    }
    out.Classify(kAuthentication, "su", success ? kSuccess : kFailure);
    out.User(s.substr(by + 4));
    out.TargetUser(s.substr(0, by));
    return true;
  }
  // util-linux: "(to <target>) <user> on <tty>"
  if (ConsumePrefix(s, "(to ")) {
    size_t close = s.find(") ");
    if (close == std::string_view::npos) {
      return false;
    }
    out.Classify(kAuthentication, "su", kSuccess);
    out.TargetUser(s.substr(0, close));
    out.User(FirstToken(s.substr(close + 2)));
    return true;
  }
  // shadow-utils, older: "+ pts/0 alice:root" (success) / "- pts/0 alice:root" (failure)
  if (s.size() > 2 && (s[0] == '+' || s[0] == '-') && s[1] == ' ') {
    success = s[0] == '+';
    s.remove_prefix(2);
    size_t sp = s.find(' ');
    if (sp == std::string_view::npos) {
      return false;
    }
    std::string_view pair = s.substr(sp + 1);
    size_t colon = pair.find(':');
    if (colon == std::string_view::npos || pair.find(' ') != std::string_view::npos) {
      return false;
    }
    out.Classify(kAuthentication, "su", success ? kSuccess : kFailure);
    out.User(pair.substr(0, colon));
    out.TargetUser(pair.substr(colon + 1));
    return true;
  }
  return false;
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
    batch.AddNonEmpty(field::kMessage, message);

    Extraction out(batch, ids_);
    Extract(h, message, out);
    ev.dataset = out.matched() || IsAuthProgram(h.program) || facility == kFacilityAuth ||
                         facility == kFacilityAuthpriv
                     ? kDatasetAuth
                     : kDatasetSyslog;
    batch.CommitEvent();
    return Status::Ok();
  }

 private:
  static void Extract(const Header& h, std::string_view message, Extraction& out) {
    if (message.empty()) {
      return;
    }
    if (h.pam_tag) {
      ExtractPamBody(message, out);
    } else if (StartsWith(message, "pam_")) {
      ExtractPamModule(message, out);
    } else if (StartsWith(message, "PAM ")) {
      ExtractPamMore(message.substr(4), out);
    } else if (IsSshd(h.program)) {
      ExtractSshd(message, out);
    } else if (h.program == "sudo") {
      ExtractSudo(message, out);
    } else if (h.program == "su") {
      ExtractSu(message, out);
    }
  }

  static bool IsSdNameChar(char c) {
    return c > ' ' && c < 127 && c != '=' && c != ']' && c != '"';
  }

  // STRUCTURED-DATA = "-" / 1*("[" SD-ID *(SP PARAM-NAME "=" DQUOTE value DQUOTE) "]"),
  // then optional SP MSG. Emits one field per param; sets *message to MSG.
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

  // PARAM-VALUE escapes: \" \\ \] lose their backslash; any other backslash is kept.
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
    // Reuses the scratch string's capacity: no allocation once names are cached.
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
  // A flagged invalid time keeps a record of a known format; it does not identify one.
  if (ParseHeader(record, 0, &h) != nullptr || !h.time_invalid.empty()) {
    return false;
  }
  // Without <PRI>, a leading ISO time alone is common to many application logs: also
  // require a syslog tag ("prog[pid]:").
  return h.pri >= 0 || h.bsd_time || !h.program.empty();
}

}  // namespace rampart::parse::internal
