// rampart audit verify [--data DIR] [--pubkey FILE]
// rampart audit export [--data DIR] [--out FILE] [--syslog HOST:PORT]
//                      [--webhook URL --webhook-secret-file FILE]
// rampart audit story ID [--data DIR] [--json]
// rampart audit log [--data DIR] [--tail N] [--json]
//
// The audit log of a data directory (docs/formats/audit.md). `verify` exits 0 when the
// log is intact and 1 when it is not (or cannot be read). `export` sends the signed heads
// somewhere the data directory's administrator cannot rewrite, which is what catches a
// rollback of the whole directory. `story` tells what happened to an incident or a
// decision, oldest first. These commands only read: the CLI acting as the local
// administrator (server::LocalAdministrator) writes to the log when it changes something.

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "respond/connectors.h"

namespace rampart::cli {
namespace {

struct AuditArgs {
  std::string data_dir = "data";
  std::string pubkey_file;
  std::string out_file;
  std::string syslog;
  std::string webhook;
  std::string webhook_secret_file;
  std::string id;
  bool json = false;
  size_t tail = 0;
};

int Fail(const Status& st) {
  std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
  return kExitError;
}

int RunVerify(const AuditArgs& args) {
  std::string key;
  if (!args.pubkey_file.empty()) {
    FILE* f = std::fopen(args.pubkey_file.c_str(), "rb");
    if (f == nullptr) {
      std::fprintf(stderr, "error: %s: cannot read the public key\n", args.pubkey_file.c_str());
      return kExitError;
    }
    char buf[256];
    const size_t n = std::fread(buf, 1, sizeof(buf), f);
    std::fclose(f);
    key = std::string(Trim(std::string_view(buf, n)));
  }
  auto report = audit::Verify(args.data_dir, key);
  if (!report.ok()) {
    return Fail(report.status());
  }
  if (!report->ok) {
    if (report->first_bad_line == 0) {
      std::printf("audit log TAMPERED: %s\n", report->problem.c_str());
    } else {
      std::printf("audit log TAMPERED: first bad record seq %llu (line %llu): %s\n",
                  static_cast<unsigned long long>(report->first_bad_seq),
                  static_cast<unsigned long long>(report->first_bad_line), report->problem.c_str());
    }
    return kExitError;
  }
  std::printf("audit log intact: %s records, %s checkpoints, head seq %llu\n",
              Grouped(report->records).c_str(), Grouped(report->checkpoints).c_str(),
              static_cast<unsigned long long>(report->head_seq));
  if (report->authenticated_seq < report->last_seq) {
    std::printf(
        "note: records %llu..%llu were appended after the last signed head; they are "
        "chained but not yet signed\n",
        static_cast<unsigned long long>(report->authenticated_seq + 1),
        static_cast<unsigned long long>(report->last_seq));
  }
  return kExitOk;
}

std::string HeadJson(const audit::SignedHead& h) {
  std::string out = "{\"seq\":" + std::to_string(h.seq) + ",\"hash\":";
  AppendJsonString(out, h.hash_hex);
  out += ",\"signature\":";
  AppendJsonString(out, h.signature_hex);
  out += ",\"public_key\":";
  AppendJsonString(out, h.public_key_hex);
  out += ",\"time\":";
  AppendJsonString(out, FormatIso8601(h.time_ns));
  out += ",\"source\":";
  AppendJsonString(out, h.from_head_file ? "head" : "checkpoint");
  out += '}';
  return out;
}

// RFC 5424 over UDP: facility 13 (log audit), severity 6 (informational).
Status SendSyslog(const std::string& target, const std::vector<std::string>& lines) {
  const size_t colon = target.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgument("--syslog wants HOST:PORT");
  }
  std::string host = target.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), target.substr(colon + 1).c_str(), &hints, &res) != 0 ||
      res == nullptr) {
    return InvalidArgument("--syslog: cannot resolve " + target);
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
  const int fd = ::socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return IoError("--syslog: cannot open a socket");
  }
  char hostname[256] = "-";
  if (::gethostname(hostname, sizeof(hostname) - 1) != 0 || hostname[0] == '\0') {
    hostname[0] = '-';
    hostname[1] = '\0';
  }
  Status st;
  for (const std::string& line : lines) {
    // RFC 5424 allows at most six fraction digits.
    const int64_t now_us = WallNowNs() / 1000 * 1000;
    const std::string msg = "<110>1 " + FormatIso8601(now_us) + " " + hostname + " rampart " +
                            std::to_string(::getpid()) + " audit-head - " + line;
    if (::sendto(fd, msg.data(), msg.size(), 0, res->ai_addr, res->ai_addrlen) < 0) {
      st = IoError("--syslog: send to " + target + " failed");
      break;
    }
  }
  ::close(fd);
  return st;
}

int RunExport(const AuditArgs& args) {
  auto heads = audit::ReadSignedHeads(args.data_dir);
  if (!heads.ok()) {
    return Fail(heads.status());
  }
  std::vector<std::string> lines;
  for (const audit::SignedHead& h : *heads) {
    lines.push_back(HeadJson(h));
  }
  if (!args.syslog.empty()) {
    Status st = SendSyslog(args.syslog, lines);
    if (!st.ok()) {
      return Fail(st);
    }
  }
  if (!args.webhook.empty()) {
    // The same signed POST as the webhook connector (docs/response.md): one per head.
    respond::WebhookConfig hook;
    hook.name = "audit-export";
    hook.url = args.webhook;
    auto secret = ReadWholeFile(args.webhook_secret_file, "webhook secret");
    if (args.webhook_secret_file.empty() || !secret.ok()) {
      return Fail(InvalidArgument("--webhook needs --webhook-secret-file FILE (the HMAC key)"));
    }
    hook.secret = std::string(Trim(*secret));
    for (const std::string& l : lines) {
      if (Status st = respond::PostSignedJson(hook, "audit.head", l, WallNowNs()); !st.ok()) {
        return Fail(
            Status(st.code(), "--webhook " + args.webhook + ": " + std::string(st.message())));
      }
    }
  }
  if (!args.out_file.empty()) {
    FILE* f = std::fopen(args.out_file.c_str(), "ab");
    if (f == nullptr) {
      std::fprintf(stderr, "error: %s: cannot open for appending\n", args.out_file.c_str());
      return kExitError;
    }
    for (const std::string& l : lines) {
      std::fprintf(f, "%s\n", l.c_str());
    }
    if (std::fclose(f) != 0) {
      std::fprintf(stderr, "error: %s: write failed\n", args.out_file.c_str());
      return kExitError;
    }
  }
  if (args.syslog.empty() && args.out_file.empty() && args.webhook.empty()) {
    for (const std::string& l : lines) {
      std::printf("%s\n", l.c_str());
    }
  }
  std::fprintf(stderr, "exported %zu signed heads\n", lines.size());
  return kExitOk;
}

// time  seq  actor  action  object [related]  reason  {details}
void PrintRecord(const audit::Record& r, bool json) {
  if (json) {
    std::printf("%s\n", audit::RecordJson(r).c_str());
    return;
  }
  std::string line = FormatIso8601(r.time_ns) + "  #" + std::to_string(r.seq) + "  " + r.actor +
                     "  " + r.action + "  " + r.object;
  if (!r.related.empty()) {
    line += " [";
    for (size_t i = 0; i < r.related.size(); ++i) {
      line += (i > 0 ? ", " : "") + r.related[i];
    }
    line += "]";
  }
  if (!r.tenant.empty()) {
    line += "  tenant " + r.tenant;
  }
  if (!r.reason.empty()) {
    line += "  \"" + r.reason + "\"";
  }
  if (r.details_json != "{}") {
    constexpr size_t kMaxDetails = 240;
    line +=
        "  " + (r.details_json.size() > kMaxDetails ? r.details_json.substr(0, kMaxDetails) + "..."
                                                    : r.details_json);
  }
  std::printf("%s\n", line.c_str());
}

int RunStory(const AuditArgs& args) {
  auto records = audit::ReadRecords(args.data_dir);
  if (!records.ok()) {
    return Fail(records.status());
  }
  const std::vector<audit::Record> story = audit::SelectStory(*records, args.id);
  for (const audit::Record& r : story) {
    PrintRecord(r, args.json);
  }
  if (story.empty()) {
    std::fprintf(stderr, "no audit record names %s\n", args.id.c_str());
  }
  return kExitOk;
}

int RunLog(const AuditArgs& args) {
  auto records = audit::ReadRecords(args.data_dir);
  if (!records.ok()) {
    return Fail(records.status());
  }
  const size_t from =
      args.tail > 0 && args.tail < records->size() ? records->size() - args.tail : 0;
  for (size_t i = from; i < records->size(); ++i) {
    PrintRecord((*records)[i], args.json);
  }
  return kExitOk;
}

}  // namespace

Runner AddAuditCommand(CLI::App& app) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* cmd = app.add_subcommand("audit", "Verify, export and read the audit log");
  cmd->require_subcommand(1);
  CLI::App* verify = cmd->add_subcommand("verify", "Check the hash chain and the signatures");
  verify->add_option("--pubkey", args->pubkey_file,
                     "File with the hex public key (default: audit/signing.pub)");
  CLI::App* exp = cmd->add_subcommand("export", "Emit the signed heads as JSON lines");
  exp->add_option("--out", args->out_file, "Append to this file instead of stdout");
  exp->add_option("--syslog", args->syslog, "Send as RFC 5424 syslog over UDP to HOST:PORT");
  exp->add_option("--webhook", args->webhook,
                  "POST each head, signed with HMAC-SHA256 like the webhook connector, to URL");
  exp->add_option("--webhook-secret-file", args->webhook_secret_file, "The HMAC key for --webhook");
  CLI::App* story = cmd->add_subcommand("story", "What happened to an incident or decision");
  story->add_option("id", args->id, "Incident (inc-...) or decision (dec-...) id")->required();
  CLI::App* log = cmd->add_subcommand("log", "Print the records, oldest first");
  log->add_option("--tail", args->tail, "Only the last N records");
  for (CLI::App* sub : {story, log}) {
    sub->add_flag("--json", args->json, "One JSON object per line");
  }
  for (CLI::App* sub : {verify, exp, story, log}) {
    sub->add_option("--data,-d", args->data_dir, "Data directory (default: data)");
  }
  return [args, verify, exp, story] {
    if (verify->parsed()) {
      return RunVerify(*args);
    }
    if (exp->parsed()) {
      return RunExport(*args);
    }
    if (story->parsed()) {
      return RunStory(*args);
    }
    return RunLog(*args);
  };
}

}  // namespace rampart::cli
