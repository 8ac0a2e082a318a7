// rampart hunt (--rules PATH)... [--ioc PATH]... [--logsources FILE] [--placeholders FILE]
//              [--format F] [--mapping FILE] [--tenant T] [--threads N] [--max-memory MB]
//              [--max-detections N] [--min-level L] [--json|--csv] [--quiet]
//              [--respond POLICIES [--allow CIDR|type:value]... [--no-loopback-allowlist]]
//              PATH...
//
// With --respond, the detections go on to incidents and the response policies, and the
// decisions those would have taken are printed instead (a dry run on event time: the same
// logs always give the same decisions).
// Runs Sigma rules (with correlations) and IOC lists over log files without a server and
// prints the detections as a timeline (table, JSON Lines or CSV) on stdout, with a summary
// by rule and level on stderr. Exit codes: 0 done; 3 done but some inputs were skipped;
// 2 bad arguments, rules or lists; 1 a read error.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/detection_output.h"
#include "core/detection.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "detect/behavior/config.h"
#include "detect/web/config.h"
#include "hunt/hunt.h"
#include "incident/incident.h"
#include "parse/parse.h"
#include "respond/engine.h"
#include "respond/policy.h"

namespace rampart::cli {
namespace {

struct HuntArgs {
  std::vector<std::string> rules;
  std::vector<std::string> iocs;
  std::string logsources;
  std::string placeholders;
  std::string format = "auto";
  std::string mapping;
  std::string tenant = "default";
  int threads = 0;
  size_t max_memory_mb = 1024;
  size_t max_detections = 0;  // 0: from --max-memory
  std::string min_level;
  bool json = false;
  bool csv = false;
  bool quiet = false;
  bool mask = false;
  std::string masking;
  std::string key_dir;
  std::vector<std::string> paths;
  std::vector<std::string> respond;
  std::vector<std::string> allow;
  bool no_loopback_allowlist = false;
  std::vector<std::string> web_rules;
  int paranoia = 0;   // 0: the default
  int threshold = 0;  // 0: the default
  std::string web_model;
  std::vector<std::string> behavior;
  std::string geo_db;
  bool no_geo = false;
  std::string config;  // the web: and behavior: sections of a server configuration
};

// The decisions `policies` take on the hunted detections, in event time.
int PrintDecisions(const HuntArgs& args, const std::vector<Detection>& detections) {
  auto policies = respond::LoadPolicies(args.respond);
  if (!policies.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(policies.status().message()).c_str());
    return kExitUsage;
  }
  auto allowlist = respond::Allowlist::Parse(args.allow, !args.no_loopback_allowlist);
  if (!allowlist.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(allowlist.status().message()).c_str());
    return kExitUsage;
  }
  respond::ResponseEngine engine(std::make_shared<respond::PolicySet>(std::move(policies).value()),
                                 std::move(allowlist).value(), respond::EngineOptions{});
  incident::Grouper grouper(incident::GroupingOptions{});
  respond::ResponseEngine::Outcome outcome;
  std::vector<respond::Decision> decided;
  for (const Detection& d : detections) {
    incident::Grouper::Change change = grouper.Add(d);
    outcome.created.clear();
    outcome.superseded.clear();
    engine.OnDetection(d, *change.incident, d.event_time_ns, &outcome);
    for (respond::Decision& dec : outcome.created) {
      decided.push_back(std::move(dec));
    }
  }
  for (const respond::Decision& d : decided) {
    if (args.json) {
      std::cout << respond::DecisionToJson(d) << '\n';
      continue;
    }
    std::string what(respond::ActionName(d.action));
    if (d.action == respond::Action::kRateLimit) {
      what += " " + std::to_string(d.rate_per_minute) + "/min";
    }
    std::printf(
        "%s  %s  %-16s %-5s %-24s until %s  %s\n  %s\n", FormatIso8601(d.created_ns).c_str(),
        d.id.c_str(), what.c_str(), std::string(respond::ScopeName(d.scope)).c_str(),
        d.value.c_str(), d.expires_ns != 0 ? FormatIso8601(d.expires_ns).c_str() : "-",
        d.state == respond::DecisionState::kPending ? "(pending approval)" : "", d.reason.c_str());
  }
  std::fflush(stdout);
  if (!args.quiet) {
    std::fprintf(stderr, "decisions: %zu (%llu target(s) allowlisted)\n", decided.size(),
                 static_cast<unsigned long long>(outcome.allowlisted));
  }
  return kExitOk;
}

void PrintSummary(const hunt::HuntSummary& s) {
  std::fprintf(
      stderr,
      "hunted %s events (%s records) from %zu file(s) in %.2f s (%s events/s, %d thread(s))\n",
      Grouped(s.events).c_str(), Grouped(s.records).c_str(), s.files, s.seconds,
      Grouped(static_cast<uint64_t>(s.seconds > 0 ? static_cast<double>(s.events) / s.seconds : 0))
          .c_str(),
      s.threads);
  std::fprintf(stderr,
               "rules: %zu loaded, %zu refused, %zu not compiled, %zu mapped by convention; %zu "
               "correlation(s); %zu indicator(s)\n",
               s.rules_loaded, s.rules_refused, s.rules_not_compiled, s.rules_by_convention,
               s.correlations, s.indicators);
  if (s.web_rules > 0) {
    std::fprintf(stderr, "web: %zu rules; %s requests, %s not seen whole (reported)\n", s.web_rules,
                 Grouped(s.web_requests).c_str(), Grouped(s.web_over_limits).c_str());
    if (s.web_model_endpoints > 0) {
      std::fprintf(stderr, "web model: %zu endpoints, %s bytes in memory; %s findings\n",
                   s.web_model_endpoints, Grouped(s.web_model_bytes).c_str(),
                   Grouped(s.web_model_findings).c_str());
    }
  }
  if (s.behavior_scenarios > 0) {
    std::fprintf(stderr,
                 "behavior: %zu scenarios; %s observations; %s entity states in %s bytes (%s "
                 "evicted)\n",
                 s.behavior_scenarios, Grouped(s.behavior_observations).c_str(),
                 Grouped(s.behavior_entities).c_str(), Grouped(s.behavior_bytes).c_str(),
                 Grouped(s.behavior_evicted).c_str());
  }
  if (s.unparsed > 0) {
    std::fprintf(stderr, "unparsed records: %s\n", Grouped(s.unparsed).c_str());
    for (const auto& [reason, n] : s.unparsed_reasons) {
      std::fprintf(stderr, "  %8s  %s\n", Grouped(n).c_str(), reason.c_str());
    }
    for (const std::string& sample : s.unparsed_samples) {
      std::fprintf(stderr, "  e.g. %s\n", sample.c_str());
    }
  }
  for (const std::string& f : s.skipped_files) {
    std::fprintf(stderr, "skipped: %s\n", f.c_str());
  }
  std::string levels;
  for (auto it = s.by_level.rbegin(); it != s.by_level.rend(); ++it) {
    levels += "  " + std::string(SeverityName(it->first)) + " " + Grouped(it->second);
  }
  std::fprintf(stderr, "detections: %s%s\n", Grouped(s.detections).c_str(), levels.c_str());
  if (s.dropped_detections > 0) {
    std::fprintf(stderr,
                 "warning: %s detections beyond --max-detections were counted, not printed\n",
                 Grouped(s.dropped_detections).c_str());
  }
  if (!s.by_rule.empty()) {
    std::fprintf(stderr, "%8s  %-13s  %-11s  %s\n", "count", "level", "kind", "rule");
    for (const hunt::RuleCount& c : s.by_rule) {
      std::fprintf(stderr, "%8s  %-13s  %-11s  %s (%s)\n", Grouped(c.count).c_str(),
                   std::string(SeverityName(c.level)).c_str(),
                   std::string(DetectionKindName(c.kind)).c_str(), c.title.c_str(),
                   c.rule_id.c_str());
    }
  }
}

int RunHunt(const HuntArgs& args) {
  hunt::HuntOptions options;
  options.rule_paths = args.rules;
  options.logsources_path = args.logsources;
  options.placeholders_path = args.placeholders;
  for (const std::string& p : args.iocs) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      if (!options.ioc_dir.empty()) {
        std::fprintf(stderr, "error: give one IOC directory\n");
        return kExitUsage;
      }
      options.ioc_dir = p;
    } else {
      options.ioc_files.push_back(p);
    }
  }
  if (!parse::ParseFormatName(args.format, &options.format)) {
    std::fprintf(stderr, "error: unknown --format '%s'\n", args.format.c_str());
    return kExitUsage;
  }
  if (!args.mapping.empty()) {
    auto mapping = parse::LoadJsonMapping(args.mapping);
    if (!mapping.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(mapping.status().message()).c_str());
      return kExitUsage;
    }
    options.json_mapping = std::move(mapping).value();
  }
  std::optional<Severity> min_level;
  if (!args.min_level.empty()) {
    min_level = ParseSeverity(Trim(args.min_level));
    if (!min_level) {
      std::fprintf(
          stderr, "error: invalid --min-level '%s': informational, low, medium, high or critical\n",
          args.min_level.c_str());
      return kExitUsage;
    }
  }
  if (args.json && args.csv) {
    std::fprintf(stderr, "error: --json and --csv exclude each other\n");
    return kExitUsage;
  }
  if (!args.config.empty()) {
    // The same web settings `serve` uses: the tenant's exclusions, paranoia, threshold, limits.
    auto web = detect::web::LoadWebConfig(args.config);
    if (!web.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(web.status().message()).c_str());
      return kExitUsage;
    }
    const detect::web::WebTenantConfig& t = web->For(args.tenant);
    options.web = t.settings;
    options.web_model = t.model;
    if (args.web_rules.empty() && web->enabled) {
      options.web_rule_paths = web->rule_paths;
    }
    // The tenant's web login endpoints (and the scenarios, unless --behavior names others).
    auto behavior = detect::behavior::LoadBehaviorConfig(args.config);
    if (!behavior.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(behavior.status().message()).c_str());
      return kExitUsage;
    }
    options.logins = behavior->LoginsFor(args.tenant);
    if (args.behavior.empty() && behavior->enabled && behavior->scenarios_configured) {
      options.behavior_paths = behavior->scenario_paths;
    }
  }
  if (!args.behavior.empty()) {
    options.behavior_paths = args.behavior;
  }
  options.geo.database = args.geo_db;
  options.geo.enabled = !args.no_geo;
  if (!args.web_rules.empty()) {
    options.web_rule_paths = args.web_rules;
  }
  if (args.paranoia != 0) {
    if (args.paranoia < 1 || args.paranoia > 4) {
      std::fprintf(stderr, "error: --paranoia must be 1 to 4\n");
      return kExitUsage;
    }
    options.web.paranoia = args.paranoia;
  }
  if (args.threshold != 0) {
    if (args.threshold < 1) {
      std::fprintf(stderr, "error: --threshold must be a positive number of points\n");
      return kExitUsage;
    }
    options.web.threshold = args.threshold;
  }
  options.web_model_path = args.web_model;
  // Compiled web rule databases are kept in the user's cache directory between hunts.
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/') {
    options.web.cache_dir = std::string(xdg) + "/rampart/web";
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
    options.web.cache_dir = std::string(home) + "/.cache/rampart/web";
  }
  options.mask = args.mask || !args.masking.empty();
  options.masking_policy = args.masking;
  options.key_dir = args.key_dir;
  options.tenant = args.tenant;
  options.threads = args.threads;
  options.max_memory_mb = args.max_memory_mb;
  // A kept detection costs about 1 KiB (strings, evidence, event reference); by default
  // half of --max-memory goes to the timeline.
  options.max_detections =
      args.max_detections > 0 ? args.max_detections : std::max<size_t>(args.max_memory_mb, 1) * 512;
  options.progress = !args.quiet && isatty(STDERR_FILENO) != 0;

  const DetectionFormat format = args.json  ? DetectionFormat::kJson
                                 : args.csv ? DetectionFormat::kCsv
                                            : DetectionFormat::kTable;
  if (!args.respond.empty() && args.csv) {
    std::fprintf(stderr, "error: --respond prints decisions as a table or --json\n");
    return kExitUsage;
  }
  std::vector<Detection> detections;
  DetectionWriter writer(format, std::cout);
  auto summary = hunt::Hunt(options, args.paths, [&](const Detection& d) {
    if (min_level && d.level < *min_level) {
      return;
    }
    if (args.respond.empty()) {
      writer.Add(d);
    } else {
      detections.push_back(d);
    }
  });
  if (!summary.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(summary.status().message()).c_str());
    return summary.status().code() == StatusCode::kIoError ? kExitError : kExitUsage;
  }
  if (!args.respond.empty()) {
    if (int rc = PrintDecisions(args, detections); rc != kExitOk) {
      return rc;
    }
  } else {
    writer.Finish();
  }
  std::cout.flush();
  if (!args.quiet) {
    for (const std::string& p : summary->problems) {
      std::fprintf(stderr, "%s\n", p.c_str());
    }
    PrintSummary(summary.value());
  }
  return summary->skipped_files.empty() ? kExitOk : kExitPartial;
}

}  // namespace

Runner AddHuntCommand(CLI::App& app) {
  auto args = std::make_shared<HuntArgs>();
  CLI::App* cmd = app.add_subcommand(
      "hunt", "Run Sigma rules and IOC lists over log files offline and print a timeline");
  cmd->add_option("paths", args->paths, "Log files, directories or - for stdin")->required();
  // One path per use (--rules A --rules B): taking every following word would swallow
  // the inputs (`--rules R a.log b.log` hunted b.log alone, with a.log "refused" as a rule).
  cmd->add_option("--rules,-r", args->rules,
                  "Sigma rule file or directory (repeat for more: -r A -r B)")
      ->allow_extra_args(false);
  cmd->add_option("--web-rules", args->web_rules,
                  "Web rule pack (file or directory, e.g. rules/web); repeat for more")
      ->allow_extra_args(false);
  cmd->add_option("--paranoia", args->paranoia, "Web rules' paranoia level 1-4 (default 2)");
  cmd->add_option("--threshold", args->threshold,
                  "Anomaly points that make a web detection (default 5)");
  cmd->add_option("--behavior", args->behavior,
                  "Behaviour scenarios (file or directory, e.g. rules/behavior); repeat for more")
      ->allow_extra_args(false);
  cmd->add_option("--geo-db", args->geo_db,
                  "MaxMind DB (.mmdb) for source.geo.* (default: Debian's geoip-database)");
  cmd->add_flag("--no-geo", args->no_geo, "Add no source.geo.* fields");
  cmd->add_option("--config", args->config,
                  "Server configuration whose web: section (rules, exclusions, paranoia, "
                  "threshold, limits) and behavior: section (login endpoints) apply, for "
                  "--tenant");
  cmd->add_option("--web-model", args->web_model,
                  "Endpoint model file: loaded if present, learnt on, saved (one worker)");
  cmd->add_option("--ioc", args->iocs,
                  "IOC list file, or one IOC directory (repeat for more lists)")
      ->allow_extra_args(false);
  cmd->add_option("--logsources", args->logsources,
                  "Log-source mapping (YAML); default: the built-in mapping");
  cmd->add_option("--placeholders", args->placeholders,
                  "Values of |expand placeholders (YAML map: name: [values]); default: none");
  cmd->add_option("--format,-f", args->format,
                  "Input format: auto, access, bodylog, syslog, json, windows (default: auto)");
  cmd->add_option("--mapping", args->mapping, "JSON-lines mapping file (YAML) for --format json");
  cmd->add_option("--tenant,-t", args->tenant, "Tenant name for the events (default: default)");
  cmd->add_option("--threads,-j", args->threads, "Worker threads (default: all cores)");
  cmd->add_option("--max-memory", args->max_memory_mb,
                  "Memory budget, MiB: input in flight and the timeline (default: 1024)");
  cmd->add_option("--max-detections", args->max_detections,
                  "Detections kept for the timeline; more are only counted (default: "
                  "512 per MiB of --max-memory)");
  cmd->add_option("--min-level", args->min_level, "Print only detections of this level or above");
  cmd->add_flag("--mask", args->mask,
                "Mask secrets before matching, as ingest does (output carries no secrets)");
  cmd->add_option("--masking", args->masking, "Masking policy (YAML) for --mask; implies --mask");
  cmd->add_option("--key-dir", args->key_dir,
                  "Data directory whose secret.key --mask uses for pseudonyms (default: a "
                  "key for this run)");
  cmd->add_flag("--json", args->json, "One JSON object per detection");
  cmd->add_flag("--csv", args->csv, "CSV (RFC 4180)");
  cmd->add_flag("--quiet,-q", args->quiet, "No progress bar, problems or summary");
  cmd->add_option("--respond", args->respond,
                  "Response policy file or directory: print the decisions they would take "
                  "(dry run, event time)")
      ->allow_extra_args(false);
  cmd->add_option("--allow", args->allow,
                  "With --respond: allowlist entry (CIDR or type:value), repeatable")
      ->allow_extra_args(false);
  cmd->add_flag("--no-loopback-allowlist", args->no_loopback_allowlist,
                "With --respond: let policies act on loopback addresses too");
  return [args] {
    return RunHunt(*args);
  };
}

}  // namespace rampart::cli
