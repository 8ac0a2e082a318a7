// rampart entities top [--data DIR] [--tenant T] [--type TYPE] [--since T] [--limit N] [--json]
// rampart entities show TYPE VALUE [--data DIR] [--tenant T] [--since T] [--behavior PATH]
//                       [--config FILE] [--json]
//
// What Rampart knows about an entity (an address, account, API key, token, host): `top` ranks
// the entities the stored detections name; `show` prints the behaviour engine's numbers for
// one entity (rates, distinct counts, baseline, from the snapshot `serve` writes to
// <data>/behavior/state.bin) and its recent detections. A raw API key or token is
// pseudonymised with the data directory's key first, as stored. Exit codes: 0; 2 bad
// arguments; 1 storage errors.

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/detection_output.h"
#include "core/clock.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "detect/behavior/config.h"
#include "detect/behavior/engine.h"
#include "enrich/enrich.h"
#include "incident/entities.h"
#include "query/query.h"
#include "store/store.h"

namespace rampart::cli {
namespace {

struct EntitiesArgs {
  std::string data_dir = "data";
  std::string tenant;
  std::string type;
  std::string value;
  std::string since = "7d";
  size_t limit = 20;
  bool json = false;
  std::vector<std::string> behavior;
  std::string config;
};

constexpr char kTypes[] = "ip, user, host, api_key or token";

Result<std::vector<Detection>> Detections(const EntitiesArgs& args) {
  query::DetectionFilterText text{args.since, "", "", "", "", "", args.tenant};
  RAMPART_ASSIGN_OR_RETURN(store::DetectionFilter filter,
                           query::ParseDetectionFilter(text, "--", WallNowNs()));
  filter.limit = 1'000'000;  // the newest million: bounded memory whatever --since asks
  return store::ListDetections(args.data_dir, filter);
}

int RunTop(const EntitiesArgs& args) {
  if (!args.type.empty() && FieldOfEntityType(args.type).empty() && args.type != "session") {
    std::fprintf(stderr, "error: --type must be %s or session\n", kTypes);
    return kExitUsage;
  }
  auto detections = Detections(args);
  if (!detections.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(detections.status().message()).c_str());
    return detections.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitError;
  }
  const std::vector<incident::EntitySummary> top =
      incident::SummarizeEntities(*detections, args.type, args.limit);
  if (args.json) {
    for (const incident::EntitySummary& s : top) {
      std::string line;
      incident::AppendEntitySummaryJson(line, s);
      std::printf("%s\n", line.c_str());
    }
    return kExitOk;
  }
  if (top.empty()) {
    std::fprintf(stderr, "no entities in the detections since %s\n", args.since.c_str());
    return kExitOk;
  }
  std::printf("%-8s %-40s %-10s %6s %-8s %-20s %s\n", "type", "value", "tenant", "dets", "max",
              "last", "rules");
  for (const incident::EntitySummary& s : top) {
    std::string rules;
    for (const auto& [title, n] : s.rules) {
      rules += (rules.empty() ? "" : "; ") + title + " x" + std::to_string(n);
    }
    std::printf("%-8s %-40s %-10s %6llu %-8s %-20s %s\n", s.entity.type.c_str(),
                s.entity.value.c_str(), s.tenant.c_str(),
                static_cast<unsigned long long>(s.detections),
                std::string(SeverityName(s.max_level)).c_str(),
                FormatIso8601(s.last_ns).substr(0, 19).c_str(), rules.c_str());
  }
  return kExitOk;
}

int RunShow(const EntitiesArgs& args) {
  const std::string field(FieldOfEntityType(args.type));
  if (field.empty()) {
    std::fprintf(stderr, "error: TYPE must be %s\n", kTypes);
    return kExitUsage;
  }
  const std::string tenant = args.tenant.empty() ? std::string(kDefaultTenant) : args.tenant;
  std::string value = args.value;
  if ((args.type == "api_key" || args.type == "token") &&
      value.find("hmac:") == std::string::npos) {
    // Stored credentials are pseudonyms: look the raw value up as the store knows it.
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::path(args.data_dir) / "secret.key", ec)) {
      std::fprintf(stderr, "error: %s has no pseudonymisation key (secret.key)\n",
                   args.data_dir.c_str());
      return kExitUsage;
    }
    auto key = enrich::LoadOrCreateKey(args.data_dir);
    if (!key.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(key.status().message()).c_str());
      return kExitError;
    }
    value = enrich::PseudonymizeCredential(*key, value);
  }

  // The engine's state, from the last snapshot of `serve`.
  std::vector<std::string> paths = args.behavior;
  if (paths.empty()) {
    auto config = detect::behavior::LoadBehaviorConfig(args.config);
    if (!config.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(config.status().message()).c_str());
      return kExitUsage;
    }
    paths = config->scenario_paths;
  }
  std::vector<detect::behavior::EntityView> views;
  std::string state_note;
  const std::string snapshot =
      (std::filesystem::path(args.data_dir) / "behavior" / "state.bin").string();
  std::error_code ec;
  if (!std::filesystem::exists(snapshot, ec)) {
    state_note = "no behaviour snapshot in " + args.data_dir + " (serve writes one)";
  } else {
    std::vector<std::string> problems;
    auto set = detect::behavior::LoadScenarios(paths, &problems);
    if (!set.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(set.status().message()).c_str());
      return kExitUsage;
    }
    auto compiled = detect::behavior::CompiledScenarios::Compile(*set);
    if (!compiled.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(compiled.status().message()).c_str());
      return kExitUsage;
    }
    detect::behavior::Engine engine(*compiled);
    if (Status st = engine.Load(snapshot); !st.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(st.message()).c_str());
      return kExitError;
    }
    views = engine.Describe(tenant, {field}, value);
    const auto written = std::filesystem::last_write_time(snapshot, ec);
    const auto age = std::filesystem::file_time_type::clock::now() - written;
    state_note = "snapshot of " +
                 std::to_string(std::chrono::duration_cast<std::chrono::seconds>(age).count()) +
                 " s ago";
  }

  auto detections = Detections(args);
  if (!detections.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(detections.status().message()).c_str());
    return detections.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitError;
  }
  std::vector<Detection> mine;
  for (Detection& d : *detections) {
    for (const Entity& e : d.entities) {
      if (e.type == args.type && e.value == value && (d.tenant == tenant)) {
        mine.push_back(std::move(d));
        break;
      }
    }
  }
  if (mine.size() > args.limit) {
    mine.erase(mine.begin(), mine.end() - static_cast<std::ptrdiff_t>(args.limit));
  }

  if (args.json) {
    std::string out = "{\"type\":";
    AppendJsonString(out, args.type);
    out += ",\"value\":";
    AppendJsonString(out, value);
    out += ",\"tenant\":";
    AppendJsonString(out, tenant);
    out += ",\"state_note\":";
    AppendJsonString(out, state_note);
    out += ",\"behavior\":";
    detect::behavior::AppendEntityViewsJson(out, views);
    out += ",\"detections\":[";
    for (size_t i = 0; i < mine.size(); ++i) {
      out += i > 0 ? "," : "";
      AppendDetectionJson(out, mine[i]);
    }
    out += "]}";
    std::printf("%s\n", out.c_str());
    return kExitOk;
  }
  std::printf("%s %s (tenant %s)\n", args.type.c_str(), value.c_str(), tenant.c_str());
  std::printf("\nbehaviour (%s):\n", state_note.c_str());
  if (views.empty()) {
    std::printf("  not tracked by any scenario keyed by %s\n", field.c_str());
  }
  for (const detect::behavior::EntityView& v : views) {
    std::printf("  %-30s seen %s .. %s; %llu events in its window", v.scenario.c_str(),
                FormatIso8601(v.first_seen_ns).substr(0, 19).c_str(),
                FormatIso8601(v.last_seen_ns).substr(0, 19).c_str(),
                static_cast<unsigned long long>(v.window_events));
    for (const auto& [f, n] : v.distinct) {
      std::printf("; %.0f distinct %s", n, f.c_str());
    }
    if (v.ratio >= 0) {
      std::printf("; ratio %.1f%%", 100 * v.ratio);
    }
    if (v.baseline_mean >= 0) {
      std::printf("; rate %llu per bucket, baseline %.1f ± %.1f",
                  static_cast<unsigned long long>(v.bucket_events), v.baseline_mean,
                  v.baseline_stddev);
    }
    if (v.last_detection_ns > 0) {
      std::printf("; last detection %s", FormatIso8601(v.last_detection_ns).substr(0, 19).c_str());
    }
    std::printf("\n");
  }
  std::printf("\ndetections since %s: %zu\n", args.since.c_str(), mine.size());
  for (const Detection& d : mine) {
    std::printf("  %s  %-8s %-10s %s\n", FormatIso8601(d.event_time_ns).substr(0, 19).c_str(),
                std::string(SeverityName(d.level)).c_str(),
                std::string(DetectionKindName(d.kind)).c_str(), d.rule_title.c_str());
    if (!d.explanation.empty()) {
      std::printf("      %s\n", d.explanation.c_str());
    }
  }
  return kExitOk;
}

}  // namespace

Runner AddEntitiesCommand(CLI::App& app) {
  auto args = std::make_shared<EntitiesArgs>();
  CLI::App* cmd =
      app.add_subcommand("entities", "What Rampart knows about addresses, accounts, keys, hosts");
  cmd->require_subcommand(1);
  CLI::App* top =
      cmd->add_subcommand("top", "Entities the detections name most, most severe first");
  CLI::App* show = cmd->add_subcommand(
      "show", "One entity: the behaviour engine's numbers and its recent detections");
  for (CLI::App* c : {top, show}) {
    c->add_option("--data,-d", args->data_dir, "Data directory (default: ./data)");
    c->add_option("--tenant,-t", args->tenant, "Tenant (top: default all; show: default)");
    c->add_option("--since", args->since, "Detections since: 24h, 7d (default), ISO-8601");
    c->add_option("--limit", args->limit, "At most N entities / detections (default 20)");
    c->add_flag("--json", args->json, "JSON");
  }
  top->add_option("--type", args->type, std::string("Only entities of this type: ") + kTypes);
  show->add_option("type", args->type, kTypes)->required();
  show->add_option("value", args->value, "The address, account, key (raw or hmac:...), ...")
      ->required();
  show->add_option("--behavior", args->behavior,
                   "Scenario files the snapshot was made with (default: --config's, or "
                   "rules/behavior)");
  show->add_option("--config", args->config, "Server configuration (its behavior: section)");
  return [args, top, show] {
    if (top->parsed()) {
      return RunTop(*args);
    }
    return RunShow(*args);
  };
}

}  // namespace rampart::cli
