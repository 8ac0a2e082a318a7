// rampart detections [--data DIR] [--since T] [--until T] [--rule ID_OR_TITLE]
//                    [--level L | --min-level L | '--level>=L'] [--kind K] [--tenant T]
//                    [--limit N] [--json|--csv]
//
// Lists stored detections (store::ListDetections), oldest first, the newest --limit of
// them. Times: a duration ago (24h, 7d, 30m, 2w), now, -1h, now-2w or ISO-8601. Exit codes:
// 0 (also when there are none: "no detections" on stderr), 2 bad arguments, 1 storage
// errors.

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cwchar>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/detection_output.h"
#include "core/clock.h"
#include "core/detection.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "query/query.h"
#include "store/store.h"

namespace rampart::cli {
namespace {

struct DetectionsArgs {
  std::string data_dir = "data";
  std::string since;
  std::string until;
  std::string rule;
  std::string level;
  std::string min_level;
  std::string kind;
  std::string tenant;
  uint64_t limit = 1000;
  bool json = false;
  bool csv = false;
};

constexpr char kLevelHelp[] = "informational (info), low, medium, high or critical";

Result<store::DetectionFilter> BuildFilter(const DetectionsArgs& args, int64_t now_ns) {
  query::DetectionFilterText text{args.since,     args.until, args.rule,  args.level,
                                  args.min_level, args.kind,  args.tenant};
  RAMPART_ASSIGN_OR_RETURN(store::DetectionFilter f,
                           query::ParseDetectionFilter(text, "--", now_ns));
  // One more than asked, to know whether older ones were left out.
  f.limit = args.limit == 0 ? 0 : static_cast<size_t>(args.limit) + 1;
  return f;
}

}  // namespace

namespace {

int RunDetections(const DetectionsArgs& args) {
  auto filter = BuildFilter(args, WallNowNs());
  if (!filter.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(filter.status().message()).c_str());
    return kExitUsage;
  }
  auto listed = store::ListDetections(args.data_dir, *filter);
  if (!listed.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(listed.status().message()).c_str());
    return listed.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitError;
  }
  std::vector<Detection>& detections = *listed;
  bool truncated = false;
  if (args.limit != 0 && detections.size() > args.limit) {
    detections.erase(detections.begin());  // the oldest; ListDetections sorts oldest first
    truncated = true;
  }
  std::ios::sync_with_stdio(false);
  DetectionWriter writer(args.json  ? DetectionFormat::kJson
                         : args.csv ? DetectionFormat::kCsv
                                    : DetectionFormat::kTable,
                         std::cout);
  for (const Detection& d : detections) {
    writer.Add(d);
  }
  writer.Finish();
  std::cout.flush();
  if (detections.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(args.data_dir, ec)) {
      std::fprintf(stderr, "no detections (data directory '%s' does not exist)\n",
                   args.data_dir.c_str());
    } else {
      std::fprintf(stderr, "no detections\n");
    }
  } else if (truncated) {
    std::fprintf(stderr, "(the newest %llu shown; older ones left out: raise --limit, 0 = all)\n",
                 static_cast<unsigned long long>(args.limit));
  }
  return kExitOk;
}

}  // namespace

void RewriteLevelComparisons(std::vector<std::string>& args) {
  constexpr std::string_view kCommands[] = {"detections", "hunt"};  // both take --min-level
  constexpr std::string_view kPrefix = "--level>=";
  size_t sub = 1;
  while (sub < args.size() && StartsWith(args[sub], "-")) {
    ++sub;
  }
  if (sub >= args.size() ||
      std::find(std::begin(kCommands), std::end(kCommands), args[sub]) == std::end(kCommands)) {
    return;
  }
  for (size_t i = sub + 1; i < args.size(); ++i) {
    if (args[i] == "--") {
      break;
    }
    if (StartsWith(args[i], kPrefix)) {
      std::string value = args[i].substr(kPrefix.size());
      args[i] = "--min-level";
      if (!value.empty()) {
        args.insert(args.begin() + static_cast<ptrdiff_t>(i) + 1, std::move(value));
        ++i;
      }
    }
  }
}

Runner AddDetectionsCommand(CLI::App& app) {
  auto args = std::make_shared<DetectionsArgs>();
  CLI::App* cmd = app.add_subcommand("detections", "List stored detections, oldest first");
  cmd->add_option("--data,-d", args->data_dir, "Data directory (default: ./data)");
  cmd->add_option("--since", args->since,
                  "Only detections at or after: 24h, 7d (ago), now-1h or ISO-8601");
  cmd->add_option("--until", args->until, "Only detections before (same forms as --since)");
  cmd->add_option("--rule", args->rule, "Rule id (exact) or part of the rule title (any case)");
  cmd->add_option(
      "--level", args->level,
      std::string("Only this level: ") + kLevelHelp + ". '--level>=high' means --min-level high");
  cmd->add_option("--min-level", args->min_level, "This level or higher");
  cmd->add_option("--kind", args->kind, "sigma, correlation, ioc, web or behavior");
  cmd->add_option("--tenant,-t", args->tenant, "Only this tenant (default: all)");
  cmd->add_option("--limit", args->limit, "Show the newest N (default 1000; 0 = all)");
  auto* json = cmd->add_flag("--json", args->json, "One JSON object per line");
  cmd->add_flag("--csv", args->csv, "CSV (RFC 4180)")->excludes(json);
  return [args] {
    return RunDetections(*args);
  };
}

}  // namespace rampart::cli
