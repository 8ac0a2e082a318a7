// rampart ingest FILE|DIR|- [--format F] [--tenant T] [--data DIR]

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/clock.h"
#include "detect/behavior/config.h"
#include "enrich/geo.h"
#include "ingest/ingest.h"
#include "store/store.h"

namespace rampart::cli {
namespace {

struct IngestArgs {
  std::vector<std::string> paths;
  std::string format = "auto";
  std::string tenant = "default";
  std::string data_dir = "data";
  std::string mapping;
  std::string masking;
  std::string geo_db;
  bool no_geo = false;
  std::string config;  // its behavior: section names the tenant's web login endpoints
  bool quiet = false;
};

int RunIngest(const IngestArgs& args) {
  ingest::ImportOptions options;
  if (!parse::ParseFormatName(args.format, &options.format)) {
    std::fprintf(stderr,
                 "error: unknown format '%s' (use auto, access, bodylog, syslog, json, windows)\n",
                 args.format.c_str());
    return kExitUsage;
  }
  if (!store::IsValidTenant(args.tenant)) {
    std::fprintf(stderr, "error: invalid tenant name '%s' (letters, digits, _ . -)\n",
                 args.tenant.c_str());
    return kExitUsage;
  }
  options.tenant = args.tenant;
  if (!args.mapping.empty()) {
    auto mapping = parse::LoadJsonMapping(args.mapping);
    if (!mapping.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(mapping.status().message()).c_str());
      return kExitUsage;
    }
    options.json_mapping = std::move(mapping).value();
  }
  options.progress = !args.quiet && isatty(STDERR_FILENO);
  ingest::PipelineOptions po;
  po.data_dir = args.data_dir;
  po.masking_policy_path = args.masking;
  // Bulk import: large transactions cut the index pages rewritten per commit; memory
  // stays bounded by one batch (about 40 MB for 65,536 access-log events).
  po.batch_size = 65536;
  // source.geo.* as `serve` adds them: a given MaxMind DB, else Debian's geoip-database.
  enrich::GeoOptions geo_options;
  geo_options.database = args.geo_db;
  geo_options.enabled = !args.no_geo;
  auto geo = enrich::GeoLookup::Open(geo_options);
  if (!geo.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(geo.status().message()).c_str());
    return kExitUsage;
  }
  po.geo = *geo;
  // Web logins become authentication events, as `serve` stores them (docs/behavior.md).
  auto behavior = detect::behavior::LoadBehaviorConfig(args.config);
  if (!behavior.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(behavior.status().message()).c_str());
    return kExitUsage;
  }
  auto logins = detect::behavior::LoginClassifier::Make(behavior->LoginsFor(args.tenant));
  if (!logins.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(logins.status().message()).c_str());
    return kExitUsage;
  }
  po.after_parse = [classifier = *logins](EventBatch& batch) {
    classifier->Classify(batch);
  };
  auto pipeline = ingest::Pipeline::Open(po);
  if (!pipeline.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(pipeline.status().message()).c_str());
    return kExitError;
  }
  int64_t start = MonotonicNowNs();
  auto results = ingest::Import(**pipeline, args.paths, options);
  double secs = static_cast<double>(MonotonicNowNs() - start) / 1e9;
  if (!results.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(results.status().message()).c_str());
    return kExitError;
  }
  int skipped = 0;
  for (const auto& r : *results) {
    if (!r.error.empty()) {
      std::fprintf(stderr, "skipped %s: %s\n", r.path.c_str(), r.error.c_str());
      ++skipped;
    }
  }
  const ingest::IngestStats& st = (*pipeline)->stats();
  if (!args.quiet) {
    std::fprintf(
        stderr, "ingested %s events from %zu file(s) in %.2f s (%s events/s)\n",
        Grouped(st.events).c_str(), results->size() - skipped, secs,
        Grouped(static_cast<uint64_t>(secs > 0 ? static_cast<double>(st.records) / secs : 0))
            .c_str());
    int width = 24;
    for (const auto& entry : st.per_dataset) {
      width = std::max(width, static_cast<int>(entry.first.size()));
    }
    for (const auto& [dataset, n] : st.per_dataset) {
      std::fprintf(stderr, "  %-*s %10s\n", width, dataset.c_str(), Grouped(n).c_str());
    }
    std::fprintf(stderr, "dead-lettered: %s\n", Grouped(st.dead_letters).c_str());
    if (st.time_invalid > 0 || st.time_future > 0) {
      std::fprintf(stderr, "flagged times: %s invalid (stored with the file's time), %s future\n",
                   Grouped(st.time_invalid).c_str(), Grouped(st.time_future).c_str());
    }
  }
  // Storage failures never stop an import, but they are never quiet either.
  if (st.storage_errors > 0) {
    std::fprintf(stderr,
                 "storage errors: %s batch(es) isolated; %s record(s) dead-lettered, %s spooled to "
                 "%s/spool/unstored.ndjson, %s lost; last: %s\n",
                 Grouped(st.storage_errors).c_str(), Grouped(st.storage_dead_letters).c_str(),
                 Grouped(st.spooled).c_str(), args.data_dir.c_str(), Grouped(st.lost).c_str(),
                 st.last_error.c_str());
    return kExitError;
  }
  return skipped > 0 ? kExitPartial : kExitOk;
}

}  // namespace

Runner AddIngestCommand(CLI::App& app) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd =
      app.add_subcommand("ingest", "Import log files (plain or .gz), directories or stdin");
  cmd->add_option("paths", args->paths, "Files, directories or - for stdin")->required();
  cmd->add_option("--format,-f", args->format,
                  "auto (default: sniffed per file), access, bodylog, syslog, json, windows");
  cmd->add_option("--tenant,-t", args->tenant, "Tenant the events belong to (default: default)");
  cmd->add_option("--data,-d", args->data_dir, "Data directory (default: ./data)");
  cmd->add_option("--mapping", args->mapping, "JSON-lines mapping file (YAML) for --format json");
  cmd->add_option("--masking", args->masking, "Masking policy (YAML); default: built-in policy");
  cmd->add_option("--geo-db", args->geo_db,
                  "MaxMind DB (.mmdb) for source.geo.* (default: Debian's geoip-database)");
  cmd->add_flag("--no-geo", args->no_geo, "Add no source.geo.* fields");
  cmd->add_option("--config", args->config,
                  "Server configuration whose behavior: section names the tenant's web login "
                  "endpoints (default: POSTs to *login*, *signin*...)");
  cmd->add_flag("--quiet,-q", args->quiet, "No progress bar or summary");
  return [args] {
    return RunIngest(*args);
  };
}

}  // namespace rampart::cli
