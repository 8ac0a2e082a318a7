// rampart deadletters list [--tenant T] [--since 24h] [--reason TEXT] [--limit N] [--json]
// rampart deadletters show ID
// rampart deadletters replay [--tenant T] [--since 24h] [--reason TEXT] [--masking FILE]
//
// Dead letters are the records a parser refused (or storage could not take), kept with the
// reason in their tenant's day file. `replay` re-parses them after a parser fix or a
// mapping change and moves those that now parse into the event store, once each.

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "core/clock.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "ingest/ingest.h"
#include "query/query.h"
#include "store/store.h"

namespace rampart::cli {
namespace {

struct DeadLettersArgs {
  std::string data_dir = "data";
  std::string tenant;
  std::string since;
  std::string reason;
  std::string id;
  std::string masking;
  uint64_t limit = 100;
  bool json = false;
};

Result<store::DeadLetterFilter> BuildFilter(const DeadLettersArgs& args) {
  store::DeadLetterFilter f;
  if (!args.tenant.empty() && !store::IsValidTenant(args.tenant)) {
    return InvalidArgument("invalid tenant name '" + args.tenant + "'");
  }
  f.tenant = args.tenant;
  if (!args.since.empty()) {
    query::DetectionFilterText text;
    text.since = args.since;
    RAMPART_ASSIGN_OR_RETURN(store::DetectionFilter parsed,
                             query::ParseDetectionFilter(text, "--", WallNowNs()));
    f.since_ns = parsed.since_ns;
  }
  f.reason = args.reason;
  return f;
}

// Control characters escaped so a record prints on one line.
std::string Printable(std::string_view s, size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (s.size() > max) {
    out += "…";
  }
  return out;
}

std::string Json(const store::StoredDeadLetter& d) {
  std::string out = "{\"id\":\"";
  AppendJsonEscaped(out, d.id);
  out += "\",\"received\":\"" + FormatIso8601(d.letter.received_ns) + "\",\"tenant\":\"";
  AppendJsonEscaped(out, d.letter.tenant);
  out += "\",\"source\":\"";
  AppendJsonEscaped(out, d.letter.source);
  out += "\",\"format\":\"";
  AppendJsonEscaped(out, d.letter.format);
  out += "\",\"reason\":\"";
  AppendJsonEscaped(out, d.letter.reason);
  out += "\",\"raw\":\"";
  AppendJsonEscaped(out, d.letter.raw);
  out += "\"}";
  return out;
}

int RunList(const DeadLettersArgs& args) {
  auto filter = BuildFilter(args);
  if (!filter.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(filter.status().message()).c_str());
    return kExitUsage;
  }
  filter->limit = static_cast<size_t>(args.limit);
  auto letters = store::ListDeadLetters(args.data_dir, *filter);
  if (!letters.ok()) {
    std::fprintf(stderr, "error: %s\n", letters.status().ToString().c_str());
    return kExitError;
  }
  if (!args.json && !letters->empty()) {
    std::printf("%-32s  %-24s  %-22s  %-8s  %-40s  %s\n", "id", "received", "source", "format",
                "reason", "raw");
  }
  for (const store::StoredDeadLetter& d : *letters) {
    if (args.json) {
      std::printf("%s\n", Json(d).c_str());
    } else {
      std::printf("%-32s  %-24s  %-22s  %-8s  %-40s  %s\n", d.id.c_str(),
                  FormatIso8601(d.letter.received_ns).c_str(),
                  Printable(d.letter.source, 22).c_str(), d.letter.format.c_str(),
                  Printable(d.letter.reason, 40).c_str(), Printable(d.letter.raw, 60).c_str());
    }
  }
  if (letters->empty()) {
    std::fprintf(stderr, "no dead letters\n");
  } else if (args.limit != 0 && letters->size() >= args.limit) {
    std::fprintf(stderr, "(the oldest %llu shown: raise --limit, 0 = all)\n",
                 static_cast<unsigned long long>(args.limit));
  }
  return kExitOk;
}

int RunShow(const DeadLettersArgs& args) {
  auto d = store::GetDeadLetter(args.data_dir, args.id);
  if (!d.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(d.status().message()).c_str());
    return d.status().code() == StatusCode::kIoError ? kExitError : kExitUsage;
  }
  if (args.json) {
    std::printf("%s\n", Json(*d).c_str());
    return kExitOk;
  }
  std::printf(
      "id:       %s\nreceived: %s\ntenant:   %s\nsource:   %s\nformat:   %s\n"
      "reason:   %s\nraw (%zu bytes, masked):\n%s\n",
      d->id.c_str(), FormatIso8601(d->letter.received_ns).c_str(), d->letter.tenant.c_str(),
      d->letter.source.c_str(), d->letter.format.c_str(), d->letter.reason.c_str(),
      d->letter.raw.size(), Printable(d->letter.raw, d->letter.raw.size()).c_str());
  return kExitOk;
}

int RunReplay(const DeadLettersArgs& args) {
  auto filter = BuildFilter(args);
  if (!filter.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(filter.status().message()).c_str());
    return kExitUsage;
  }
  auto report = ingest::ReplayDeadLetters(args.data_dir, args.masking, *filter);
  if (!report.ok()) {
    std::fprintf(stderr, "error: %s\n", report.status().ToString().c_str());
    return kExitError;
  }
  std::printf(
      "replayed %zu of %zu dead letter(s) into the event store; %zu still do not parse, "
      "%zu have no parser (kept); %zu were stored by an interrupted replay (removed)\n",
      report->replayed, report->considered, report->still_failing, report->no_parser,
      report->already_stored);
  return kExitOk;
}

}  // namespace

Runner AddDeadLettersCommand(CLI::App& app) {
  auto args = std::make_shared<DeadLettersArgs>();
  CLI::App* cmd = app.add_subcommand("deadletters", "List, show and replay dead letters");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "Dead letters, oldest first");
  CLI::App* show = cmd->add_subcommand("show", "One dead letter, whole");
  show->add_option("id", args->id, "TENANT/YYYY-MM-DD/ROW, as list shows")->required();
  CLI::App* replay =
      cmd->add_subcommand("replay", "Re-parse dead letters; store those that now parse");
  replay->add_option("--masking", args->masking, "Masking policy (default: built-in)");
  for (CLI::App* sub : {list, replay}) {
    sub->add_option("--tenant,-t", args->tenant, "Only this tenant");
    sub->add_option("--since", args->since, "Received at or after: 24h, 7d, ISO-8601");
    sub->add_option("--reason", args->reason, "Reason contains this text");
  }
  list->add_option("--limit", args->limit, "At most N (default 100; 0 = all)");
  for (CLI::App* sub : {list, show}) {
    sub->add_flag("--json", args->json, "JSON");
  }
  for (CLI::App* sub : {list, show, replay}) {
    sub->add_option("--data,-d", args->data_dir, "Data directory (default: data)");
  }
  return [args, list, show] {
    if (list->parsed()) {
      return RunList(*args);
    }
    if (show->parsed()) {
      return RunShow(*args);
    }
    return RunReplay(*args);
  };
}

}  // namespace rampart::cli
