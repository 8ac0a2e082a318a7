// rampart serve [--config FILE] [--data DIR] [--rules PATH]... [--ioc DIR] [--check-config]
//
// Signals: SIGINT/SIGTERM stop (queued records are stored first); SIGHUP re-reads the IOC
// lists (`rampart ioc reload` sends it, finding the process through <data>/rampart.pid).

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "detect/detector/live.h"
#include "ingest/server.h"

namespace rampart::cli {
namespace {

struct ServeArgs {
  std::string config_path;
  std::string data_dir;
  std::vector<std::string> rules;
  std::string ioc_dir;
  bool check_config = false;
  bool print_default = false;
};

// Builds the live detector from the configuration. Default paths that do not exist are
// skipped with a note (a fresh checkout run elsewhere); configured ones are errors.
Result<std::unique_ptr<detect::LiveDetector>> MakeDetector(const ingest::ServerConfig& config) {
  namespace fs = std::filesystem;
  detect::LiveOptions options;
  for (const std::string& p : config.rules) {
    std::error_code ec;
    if (!config.rules_configured && !fs::exists(p, ec)) {
      std::fprintf(stderr, "rampart serve: no rules at %s (default path); Sigma detection off\n",
                   p.c_str());
      continue;
    }
    options.rule_paths.push_back(p);
  }
  options.logsources_path = config.logsources;
  options.placeholders_path = config.placeholders;
  std::error_code ec;
  if (!config.ioc_dir.empty() && (config.ioc_configured || fs::is_directory(config.ioc_dir, ec))) {
    options.ioc_dir = config.ioc_dir;
  }
  detect::LiveLoadReport report;
  auto detector = detect::LiveDetector::Create(options, &report);
  if (!detector.ok()) {
    return detector.status();
  }
  for (const std::string& problem : report.problems) {
    std::fprintf(stderr, "rampart serve: %s\n", problem.c_str());
  }
  std::fprintf(stderr,
               "rampart serve: detection: %zu rule(s), %zu correlation(s), %zu refused, %zu not "
               "compiled, %zu indicator(s)%s\n",
               report.rules, report.correlations, report.refused, report.not_compiled,
               report.indicators, options.ioc_dir.empty() ? " (no IOC directory)" : "");
  return detector;
}

std::string PidFile(const std::string& data_dir) {
  return data_dir + "/rampart.pid";
}

int RunServe(const ServeArgs& args) {
  if (args.print_default) {
    std::fputs(ingest::DefaultServerConfigYaml().c_str(), stdout);
    return kExitOk;
  }
  ingest::ServerConfig config;
  if (!args.config_path.empty()) {
    auto loaded = ingest::LoadServerConfig(args.config_path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(loaded.status().message()).c_str());
      return kExitUsage;
    }
    config = std::move(loaded).value();
  }
  if (!args.data_dir.empty()) {
    config.data_dir = args.data_dir;
  }
  if (!args.rules.empty()) {
    config.rules = args.rules;
    config.rules_configured = true;
  }
  if (!args.ioc_dir.empty()) {
    config.ioc_dir = args.ioc_dir;
    config.ioc_configured = true;
  }
  if (args.check_config) {
    std::printf(
        "config ok: data_dir=%s tenant=%s retention.days=%d files=%zu syslog.udp=%s "
        "syslog.tcp=%s http=%s\n",
        config.data_dir.c_str(), config.tenant.c_str(), config.retention_days, config.files.size(),
        config.syslog_udp.empty() ? "off" : config.syslog_udp.c_str(),
        config.syslog_tcp.empty() ? "off" : config.syslog_tcp.c_str(),
        config.http.empty() ? "off" : config.http.c_str());
    return kExitOk;
  }
  // Signals are taken synchronously by this thread; the workers never see them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto detector = MakeDetector(config);
  if (!detector.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(detector.status().message()).c_str());
    return kExitUsage;
  }
  detect::LiveDetector* live = detector.value().get();
  config.on_stored = [live](const EventBatch& batch, const std::vector<EventRef>& refs,
                            store::EventWriter& writer) {
    return live->OnBatch(batch, refs, writer);
  };

  auto server = ingest::Server::Start(config);
  if (!server.ok()) {
    std::fprintf(stderr, "error: %s\n", server.status().ToString().c_str());
    return kExitError;
  }
  std::fprintf(stderr, "rampart serve: data in %s\n", config.data_dir.c_str());
  for (const auto& f : config.files) {
    std::fprintf(stderr, "  tailing %s\n", f.path.c_str());
  }
  if (!(*server)->udp_address().empty()) {
    std::fprintf(stderr, "  syslog udp  %s\n", (*server)->udp_address().c_str());
  }
  if (!(*server)->tcp_address().empty()) {
    std::fprintf(stderr, "  syslog tcp  %s\n", (*server)->tcp_address().c_str());
  }
  if (!(*server)->http_address().empty()) {
    std::fprintf(stderr, "  http        http://%s/v1/ingest\n", (*server)->http_address().c_str());
  }
  {
    std::ofstream pid(PidFile(config.data_dir), std::ios::trunc);
    pid << getpid() << '\n';
  }
  std::fflush(stderr);
  while (true) {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig == SIGHUP) {
      ioc::LoadReport report;
      Status reloaded = live->ReloadIocs(&report);
      if (reloaded.ok()) {
        std::fprintf(stderr, "rampart serve: IOC lists reloaded: %zu indicator(s), %zu rejected\n",
                     report.indicators(), report.rejected());
      } else {
        std::fprintf(stderr, "rampart serve: IOC reload failed, previous lists kept: %s\n",
                     std::string(reloaded.message()).c_str());
      }
      std::fflush(stderr);
      continue;
    }
    break;
  }
  std::fprintf(stderr, "rampart serve: stopping, flushing queued records\n");
  Status st = (*server)->Stop();
  const ingest::ServerStats& stats = (*server)->stats();
  std::fprintf(stderr, "rampart serve: stored %llu events, %llu dead letters, %llu UDP drops\n",
               static_cast<unsigned long long>(stats.events_stored.load()),
               static_cast<unsigned long long>(stats.dead_letters.load()),
               static_cast<unsigned long long>(stats.udp_dropped.load()));
  std::fprintf(stderr, "rampart serve: %llu detection(s) stored\n",
               static_cast<unsigned long long>(live->detections()));
  std::error_code ec;
  std::filesystem::remove(PidFile(config.data_dir), ec);
  if (!st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

Runner AddServeCommand(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the server: tail files, syslog, HTTP ingest");
  cmd->add_option("--config,-c", args->config_path, "Configuration file (YAML)");
  cmd->add_option("--data,-d", args->data_dir, "Data directory (overrides the config file)");
  cmd->add_option("--rules,-r", args->rules,
                  "Sigma rule file or directory (repeat for more; overrides detection.rules)")
      ->allow_extra_args(false);
  cmd->add_option("--ioc", args->ioc_dir, "IOC directory (overrides detection.ioc)");
  cmd->add_flag("--check-config", args->check_config, "Validate the configuration and exit");
  cmd->add_flag("--print-default-config", args->print_default,
                "Print the default configuration with comments");
  return [args] {
    return RunServe(*args);
  };
}

}  // namespace rampart::cli
