#pragma once
// Private to src/parse: the syslog message extractors for sshd, PAM, sudo and
// su, which fill the ECS fields authentication detections key on (syslog.cc
// parses the header and calls them). Extractors never fail: a message they do
// not recognise is kept as `message` only.

#include <string_view>

#include "core/event.h"
#include "core/field_dict.h"

namespace rampart::parse::internal {

// Text helpers shared with the header parser.
bool ConsumePrefix(std::string_view& s, std::string_view prefix);
// The run of bytes up to the first space (or the end).
std::string_view FirstToken(std::string_view s);
bool AllDigits(std::string_view s);
// IPv4 dotted quad or IPv6 (an optional "%zone" suffix is allowed and kept).
bool IsIpAddress(std::string_view s);
// Programs whose lines are authentication records (dataset linux.auth).
bool IsAuthProgram(std::string_view p);

// Field ids outside the well-known set, interned once per parser instance.
struct ExtraFields {
  FieldId user_target_name = FieldDict::Intern("user.target.name");
  FieldId ssh_method = FieldDict::Intern("system.auth.ssh.method");
  FieldId source_domain = FieldDict::Intern("source.domain");
  FieldId working_directory = FieldDict::Intern("process.working_directory");
  FieldId sd_overflow = FieldDict::Intern("syslog.sd._overflow");
  // "message repeated N times": the occurrences one event stands for (N > 1).
  FieldId repeat_count = FieldDict::Intern("event.repeat_count");
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

// Adds the fields of the message of a syslog line from `program` to the pending
// event; `pam_tag`: the old "prog(pam_unix)[pid]:" tag, whose message is a PAM
// body.
void ExtractAuthFields(std::string_view program,
                       bool pam_tag,
                       std::string_view message,
                       Extraction& out);

}  // namespace rampart::parse::internal
