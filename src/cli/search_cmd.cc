// rampart search [--data DIR] [--tenant T] [--from] [--to] [--json|--csv] 'QUERY'

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "core/clock.h"
#include "query/query.h"
#include "store/store.h"

namespace rampart::cli {
namespace {

struct SearchArgs {
  std::string query;
  std::string data_dir = "data";
  std::string tenant;
  std::string from;
  std::string to;
  bool json = false;
  bool csv = false;
  uint64_t limit = 100;
};

int RunSearch(const SearchArgs& args) {
  query::QueryError qerr;
  auto q = query::ParseQuery(args.query, &qerr);
  if (!q.ok()) {
    std::fputs(query::FormatQueryError(args.query, qerr).c_str(), stderr);
    return kExitUsage;
  }
  auto range = query::ParseTimeRange(args.from, args.to, WallNowNs());
  if (!range.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(range.status().message()).c_str());
    return kExitUsage;
  }
  std::optional<std::string> tenant;
  if (!args.tenant.empty()) {
    if (!store::IsValidTenant(args.tenant)) {
      std::fprintf(stderr, "error: invalid tenant name '%s'\n", args.tenant.c_str());
      return kExitUsage;
    }
    tenant = args.tenant;
  }
  auto files = store::ListDayFiles(args.data_dir, tenant, range->from_ns, range->to_ns);
  if (!files.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(files.status().message()).c_str());
    return kExitError;
  }
  query::ExecuteOptions options;
  options.default_limit = args.limit;
  auto result = query::Execute(*q, *files, *range, options);
  if (!result.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(result.status().message()).c_str());
    return result.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitError;
  }
  std::ios::sync_with_stdio(false);
  if (args.json) {
    query::WriteJson(*result, std::cout);
  } else if (args.csv) {
    query::WriteCsv(*result, std::cout);
  } else {
    query::WriteTable(*result, std::cout);
    if (result->truncated && isatty(STDERR_FILENO)) {
      std::fprintf(stderr, "(more results: add | head N to see more)\n");
    }
  }
  std::cout.flush();
  return kExitOk;
}

}  // namespace

Runner AddSearchCommand(CLI::App& app) {
  auto args = std::make_shared<SearchArgs>();
  CLI::App* cmd = app.add_subcommand("search", "Search stored events (grammar: docs/query.md)");
  cmd->add_option("query", args->query, "Query, e.g. 'source.ip:10.0.0.0/8 | count by user.name'")
      ->required();
  cmd->add_option("--data,-d", args->data_dir, "Data directory (default: ./data)");
  cmd->add_option("--tenant,-t", args->tenant, "Only this tenant (default: all)");
  cmd->add_option("--from", args->from, "Start time: ISO-8601 or relative (-1h, -7d, now)");
  cmd->add_option("--to", args->to, "End time (exclusive): ISO-8601 or relative");
  cmd->add_option("--limit", args->limit, "Events shown without | head (default 100; 0 = all)");
  auto* json = cmd->add_flag("--json", args->json, "One JSON object per line");
  cmd->add_flag("--csv", args->csv, "CSV (RFC 4180)")->excludes(json);
  return [args] {
    return RunSearch(*args);
  };
}

}  // namespace rampart::cli
