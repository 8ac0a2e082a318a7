// rampart ioc check PATH...        validate IOC list files or a list directory
// rampart ioc reload [--data DIR]   make a running `rampart serve` re-read its IOC lists
//
// `reload` sends SIGHUP to the server holding <data>/rampart.lock; the server
// reports the reload on its stderr and keeps the previous lists if the new ones fail.

#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "cli/commands.h"
#include "detect/ioc/ioc.h"
#include "store/store.h"

namespace rampart::cli {
namespace {

struct IocArgs {
  std::vector<std::string> paths;
  std::string data_dir = "data";
};

int RunCheck(const IocArgs& args) {
  ioc::LoadReport report;
  bool failed = false;
  for (const std::string& path : args.paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      ioc::IocStore store(ioc::IocStore::Options{path, {}});
      ioc::LoadReport dir_report;
      Status s = store.Reload(&dir_report);
      failed = failed || !s.ok();
      for (ioc::FileReport& f : dir_report.files) {
        report.files.push_back(std::move(f));
      }
      for (std::string& f : dir_report.ignored_files) {
        report.ignored_files.push_back(std::move(f));
      }
      continue;
    }
    ioc::IocSetBuilder builder;
    Status s = ioc::LoadIocFile(path, {}, builder, report);
    failed = failed || !s.ok();
  }
  std::fputs(report.Summary().c_str(), stdout);
  std::printf("%zu indicator(s), %zu rejected\n", report.indicators(), report.rejected());
  if (failed || !report.ok()) {
    return kExitUsage;
  }
  return report.rejected() > 0 ? kExitPartial : kExitOk;
}

int RunReload(const IocArgs& args) {
  // The kernel names the process holding the data directory's lock: a running server of
  // this directory, never a stale pid that now belongs to something else.
  std::optional<int> pid = store::DataDirOwner(args.data_dir);
  if (!pid) {
    std::fprintf(stderr, "error: no rampart serve is running on data directory %s\n",
                 args.data_dir.c_str());
    return kExitError;
  }
  if (kill(static_cast<pid_t>(*pid), SIGHUP) != 0) {
    const std::string reason = std::error_code(errno, std::generic_category()).message();
    std::fprintf(stderr, "error: cannot signal rampart serve (pid %d): %s\n", *pid, reason.c_str());
    return kExitError;
  }
  std::printf("sent SIGHUP to rampart serve (pid %d): IOC lists are being reloaded\n", *pid);
  return kExitOk;
}

}  // namespace

Runner AddIocCommand(CLI::App& app) {
  auto args = std::make_shared<IocArgs>();
  CLI::App* cmd = app.add_subcommand("ioc", "Check IOC lists, reload them in a running server");
  cmd->require_subcommand(1);
  CLI::App* check = cmd->add_subcommand("check", "Validate IOC list files or a list directory");
  check->add_option("paths", args->paths, "List files (.txt .csv .json) or directories")
      ->required();
  CLI::App* reload = cmd->add_subcommand("reload", "Make `rampart serve` re-read its IOC lists");
  reload->add_option("--data,-d", args->data_dir, "Data directory of the server (default: data)");
  return [args, check] {
    return check->parsed() ? RunCheck(*args) : RunReload(*args);
  };
}

}  // namespace rampart::cli
