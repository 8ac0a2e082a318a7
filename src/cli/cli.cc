#include "cli/cli.h"

#include <clocale>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"

namespace rampart::cli {

int Main(int argc, char** argv) {
  // Once, before any thread starts: UTF-8 for CLI11 and terminal output.
  std::setlocale(LC_ALL, "C.UTF-8");  // NOLINT(concurrency-mt-unsafe)
  CLI::App app{"Rampart: a self-hosted XDR engine (evidence, reasoning, control)", "rampart"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rampart 0.1.0");
  std::vector<std::pair<CLI::App*, Runner>> commands;
  auto add = [&](Runner (*adder)(CLI::App&)) {
    size_t before = app.get_subcommands({}).size();
    Runner r = adder(app);
    commands.emplace_back(app.get_subcommands({})[before], std::move(r));
  };
  add(AddIngestCommand);
  add(AddSearchCommand);
  add(AddServeCommand);
  add(AddRulesCommand);
  add(AddDetectionsCommand);
  add(AddEntitiesCommand);
  add(AddHuntCommand);
  add(AddIocCommand);
  add(AddTokensCommand);
  add(AddDeadLettersCommand);
  add(AddIncidentsCommand);
  add(AddDecisionsCommand);
  add(AddAuditCommand);
  std::vector<std::string> args(argv, argv + argc);
  RewriteLevelComparisons(args);
  std::vector<char*> arg_ptrs;
  arg_ptrs.reserve(args.size());
  for (std::string& a : args) {
    arg_ptrs.push_back(a.data());
  }
  try {
    app.parse(static_cast<int>(arg_ptrs.size()), arg_ptrs.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) {
      return run();
    }
  }
  return kExitUsage;
}

}  // namespace rampart::cli
