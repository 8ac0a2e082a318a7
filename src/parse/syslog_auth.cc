// Syslog message extractors for sshd, PAM, sudo and su (see syslog_auth.h).
// Usernames logged by sshd are attacker-chosen and may contain spaces or " from
// ", so the peer address is always taken from the last " from " (sshd appends
// it last).

#include "parse/internal/syslog_auth.h"

#include <string_view>

#include "core/ip.h"
#include "core/strings.h"

namespace rampart::parse::internal {

bool ConsumePrefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) {
    return false;
  }
  s.remove_prefix(prefix.size());
  return true;
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

// IPv4 dotted quad or IPv6 (an optional "%zone" suffix is allowed and kept).
bool IsIpAddress(std::string_view s) {
  IpAddress ip;
  return ParseIpAddress(s.substr(0, s.find('%')), &ip);
}

bool IsAuthProgram(std::string_view p) {
  return p == "sshd" || p == "sshd-session" || p == "sudo" || p == "su" || p == "login";
}

namespace {

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

// The leading run of digits of `s`.
std::string_view LeadingDigits(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && IsDigit(s[n])) {
    ++n;
  }
  return s.substr(0, n);
}

bool IsSshd(std::string_view p) {
  return p == "sshd" || p == "sshd-session";
}

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

// "[authenticating user <u> |invalid user <u> |user <u> ]<addr>[ port <p>]"
// with any " [preauth]" already removed.
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

// "Accepted|Failed <method> for [invalid user ]<user> from <addr> port <p>
// <proto>[: key]"
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

// "Received disconnect from <addr>[ port <p>]:<code>: <text>". A client that gives up
// because its credentials were refused says so ("3: ...: Auth fail", "14: No supported
// authentication methods available"): an authentication failure, as fail2ban counts it.
void SshReceivedDisconnect(std::string_view s, Extraction& out) {
  const bool refused = ContainsIgnoreCase(s, ": Auth fail") ||
                       ContainsIgnoreCase(s, ": 14: No supported authentication methods") ||
                       ContainsIgnoreCase(s, ": 14: No authentication methods");
  if (refused) {
    out.Classify(kAuthentication, "ssh_auth_refused_disconnect", kFailure);
  } else {
    out.Classify(kSession, "ssh_disconnect", kUnknown);
  }
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
      // "Address <ip> maps to <host>, but this does not map back to the address -
      // ..."
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
      // Older sshd: "Disconnecting: Too many authentication failures for <user>
      // [preauth]"
      if (ConsumePrefix(s, "Disconnecting: Too many authentication failures")) {
        ConsumeSuffix(s, " [preauth]");
        out.Classify(kAuthentication, "ssh_max_attempts", kFailure);
        if (ConsumePrefix(s, " for ")) {
          ConsumePrefix(s, "invalid user ");
          out.User(s);
        }
        return true;
      }
      // Newer sshd: "Disconnecting authenticating user <u> <addr> port <p>: Too
      // many authentication failures [preauth]"
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
      // "reverse mapping checking getaddrinfo for <host> [<ip>] failed - POSSIBLE
      // ..."
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

// "pam_unix(sshd:auth): <body>" and other pam_* modules that log the same
// bodies.
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

// sshd: "PAM 5 more authentication failures; logname= uid=0 ... rhost=<h>
// user=<u>"
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

// "<user> : [<reason> ; ]TTY=pts/0 ; PWD=/home/u ; USER=root ; COMMAND=/bin/ls
// -l"
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
  // shadow-utils: "Successful su for <target> by <user>" / "FAILED su for
  // <target> by <user>"
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
  // util-linux: "(to <target>) <user> on <tty>" / "FAILED SU (to <target>) <user> on <tty>"
  const bool failed = ConsumePrefix(s, "FAILED SU (to ");
  if (failed || ConsumePrefix(s, "(to ")) {
    size_t close = s.find(") ");
    if (close == std::string_view::npos) {
      return false;
    }
    out.Classify(kAuthentication, "su", failed ? kFailure : kSuccess);
    out.TargetUser(s.substr(0, close));
    out.User(FirstToken(s.substr(close + 2)));
    return true;
  }
  // shadow-utils, older: "+ pts/0 alice:root" (success) / "- pts/0 alice:root"
  // (failure)
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

}  // namespace

void ExtractAuthFields(std::string_view program,
                       bool pam_tag,
                       std::string_view message,
                       Extraction& out) {
  if (message.empty()) {
    return;
  }
  if (pam_tag) {
    ExtractPamBody(message, out);
  } else if (StartsWith(message, "pam_")) {
    ExtractPamModule(message, out);
  } else if (StartsWith(message, "PAM ")) {
    ExtractPamMore(message.substr(4), out);
  } else if (IsSshd(program)) {
    ExtractSshd(message, out);
  } else if (program == "sudo") {
    ExtractSudo(message, out);
  } else if (program == "su") {
    ExtractSu(message, out);
  }
}

}  // namespace rampart::parse::internal
