// rampart serve [--config FILE] [--data DIR] [--rules PATH]... [--ioc DIR] [--check-config]
//
// Holds <data>/rampart.lock while it runs (one server per data directory). On first start
// (no active token) it creates an admin token in <data>/admin.token (mode 0600).
//
// Signals: SIGINT/SIGTERM stop (queued records are stored first); SIGHUP re-reads the IOC
// lists (`rampart ioc reload` sends it, finding the process by the data directory's lock).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/serve_control.h"
#include "core/clock.h"
#include "detect/behavior/config.h"
#include "detect/detector/live.h"
#include "detect/web/config.h"
#include "enrich/enrich.h"
#include "ingest/server.h"
#include "server/api.h"
#include "server/auth.h"
#include "server/http.h"
#include "store/store.h"

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
Result<std::unique_ptr<detect::LiveDetector>> MakeDetector(const ingest::ServerConfig& config,
                                                           detect::LiveLoadReport& report) {
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
  options.max_future_skew_ns = config.max_future_skew_ns;
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

// Adds web detection from the `web:` section. The default rule path missing is a note (web
// detection off); a configured one missing is an error.
Status AddWebDetection(const std::string& config_path,
                       const std::string& data_dir,
                       detect::LiveDetector* live) {
  RAMPART_ASSIGN_OR_RETURN(detect::web::WebConfig web, detect::web::LoadWebConfig(config_path));
  if (!web.enabled) {
    std::fprintf(stderr, "rampart serve: web detection off (web.enabled: false)\n");
    return Status::Ok();
  }
  std::error_code ec;
  if (!web.rules_configured && !std::filesystem::exists(web.rule_paths.front(), ec)) {
    std::fprintf(stderr, "rampart serve: no web rules at %s (default path); web detection off\n",
                 web.rule_paths.front().c_str());
    return Status::Ok();
  }
  detect::LiveWebReport report;
  RAMPART_ASSIGN_OR_RETURN(std::unique_ptr<detect::LiveWeb> lw,
                           detect::LiveWeb::Create(web, data_dir, &report));
  for (const std::string& problem : report.problems) {
    std::fprintf(stderr, "rampart serve: %s\n", problem.c_str());
  }
  std::fprintf(stderr,
               "rampart serve: web detection: %zu rule(s) at paranoia %d, threshold %d, %zu "
               "refused; endpoint model %s\n",
               report.rules, web.defaults.settings.paranoia, web.defaults.settings.threshold,
               report.problems.size(), web.defaults.model_enabled ? "on" : "off");
  live->SetWeb(std::move(lw));
  return Status::Ok();
}

// Adds behaviour detection from the `behavior:` section and restores its state (snapshot, then
// the stored events since). The default scenario path missing is a note; a configured one
// missing is an error.
Status AddBehaviorDetection(const std::string& config_path,
                            const std::string& data_dir,
                            detect::LiveDetector* live) {
  RAMPART_ASSIGN_OR_RETURN(detect::behavior::BehaviorConfig config,
                           detect::behavior::LoadBehaviorConfig(config_path));
  if (!config.enabled) {
    std::fprintf(stderr, "rampart serve: behaviour detection off (behavior.enabled: false)\n");
    return Status::Ok();
  }
  std::error_code ec;
  if (!config.scenarios_configured && !std::filesystem::exists(config.scenario_paths.front(), ec)) {
    std::fprintf(stderr,
                 "rampart serve: no behaviour scenarios at %s (default path); behaviour "
                 "detection off\n",
                 config.scenario_paths.front().c_str());
    return Status::Ok();
  }
  detect::LiveBehaviorReport report;
  RAMPART_ASSIGN_OR_RETURN(std::unique_ptr<detect::LiveBehavior> behavior,
                           detect::LiveBehavior::Create(config, data_dir, &report));
  RAMPART_RETURN_IF_ERROR(behavior->Restore(&report));
  for (const std::string& problem : report.problems) {
    std::fprintf(stderr, "rampart serve: %s\n", problem.c_str());
  }
  if (!report.restore_note.empty()) {
    std::fprintf(stderr, "rampart serve: behaviour state: %s\n", report.restore_note.c_str());
  }
  std::fprintf(stderr,
               "rampart serve: behaviour detection: %zu scenario(s), %zu refused; state %s "
               "(%llu stored event(s) replayed, %llu detection(s) recovered)\n",
               report.scenarios, report.problems.size(), report.restored ? "restored" : "new",
               static_cast<unsigned long long>(report.replayed),
               static_cast<unsigned long long>(report.recovered));
  live->SetBehavior(std::move(behavior));
  return Status::Ok();
}

// What `serve` refuses to start with, beyond what LoadServerConfig checks: listeners that
// cannot be bound, and plain HTTP on an address other machines can reach.
Status CheckServeConfig(const ingest::ServerConfig& config) {
  RAMPART_RETURN_IF_ERROR(ingest::ValidateListenAddresses(config));
  if (!config.http.empty() && config.http_tls_cert.empty() &&
      !server::IsLoopbackListen(config.http) && !config.http_insecure_plaintext) {
    return InvalidArgument("refusing to serve plain HTTP on non-loopback address " + config.http +
                           ": set inputs.http.tls_cert and tls_key, or write "
                           "inputs.http.insecure_plaintext: true");
  }
  return Status::Ok();
}

// On first start (no active token) makes an admin token and writes it to
// <data>/admin.token, mode 0600, so the operator can create the others.
Status EnsureAdminToken(server::TokenStore& tokens,
                        const std::string& data_dir,
                        bool https,
                        const std::string& http_address) {
  if (tokens.ActiveCount(WallNowNs()) > 0) {
    return Status::Ok();
  }
  server::NewToken spec;
  spec.name = "admin";
  spec.role = server::Role::kAdmin;
  spec.all_tenants = true;
  spec.created_by = server::LocalAdministrator().name + " (first start)";
  RAMPART_ASSIGN_OR_RETURN(std::string token, tokens.Create(spec, WallNowNs(), nullptr));
  const std::string path = data_dir + "/admin.token";
  // Created 0600 from the start, never through a symlink, never over an existing file.
  std::remove(path.c_str());
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  const std::string line = token + "\n";
  const bool written =
      fd >= 0 && write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  if (fd >= 0) {
    close(fd);
  }
  if (!written) {
    return IoError("cannot write " + path);
  }
  std::fprintf(stderr,
               "rampart serve: first start: created an admin token in %s (mode 0600). Use it:\n"
               "  curl -H \"Authorization: Bearer $(cat %s)\" %s://%s/v1/whoami\n"
               "  rampart tokens create NAME --role ingest|analyst|operator|auditor|admin|enforcer "
               "--tenant T --data %s\n",
               path.c_str(), path.c_str(), https ? "https" : "http",
               http_address.empty() ? "127.0.0.1:8514" : http_address.c_str(), data_dir.c_str());
  return Status::Ok();
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
  if (Status st = CheckServeConfig(config); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(st.message()).c_str());
    return kExitUsage;
  }
  std::string control_summary;
  if (Status st = ServeControl::Check(args.config_path, &control_summary); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(st.message()).c_str());
    return kExitUsage;
  }
  auto web_config = detect::web::LoadWebConfig(args.config_path);
  if (!web_config.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(web_config.status().message()).c_str());
    return kExitUsage;
  }
  auto behavior_config = detect::behavior::LoadBehaviorConfig(args.config_path);
  if (!behavior_config.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(behavior_config.status().message()).c_str());
    return kExitUsage;
  }
  if (args.check_config) {
    std::printf("behavior: %s, %zu login endpoint(s), %zu tenant override(s)\n",
                behavior_config->enabled ? "on" : "off", behavior_config->logins.size(),
                behavior_config->tenant_logins.size());
    std::printf("response: %s\n", control_summary.c_str());
    std::printf("web: %s, paranoia %d, threshold %d, %zu exclusion(s), %zu tenant override(s)\n",
                web_config->enabled ? "on" : "off", web_config->defaults.settings.paranoia,
                web_config->defaults.settings.threshold,
                web_config->defaults.settings.exclusions.size(), web_config->tenants.size());
    std::printf(
        "config ok: data_dir=%s tenant=%s retention.days=%d files=%zu syslog.udp=%s "
        "syslog.tcp=%s http=%s%s\n",
        config.data_dir.c_str(), config.tenant.c_str(), config.retention_days, config.files.size(),
        config.syslog_udp.empty() ? "off" : config.syslog_udp.c_str(),
        config.syslog_tcp.empty() ? "off" : config.syslog_tcp.c_str(),
        config.http.empty() ? "off" : config.http.c_str(),
        config.http_tls_cert.empty() || config.http.empty() ? "" : " (tls)");
    return kExitOk;
  }
  // One server per data directory: a second one would tail and store every input twice.
  auto lock = store::DataDirLock::Acquire(config.data_dir);
  if (!lock.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(lock.status().message()).c_str());
    return kExitError;
  }
  // Signals are taken synchronously by this thread; the workers never see them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto tokens = server::TokenStore::Open(config.data_dir);
  if (!tokens.ok()) {
    std::fprintf(stderr, "error: %s\n", tokens.status().ToString().c_str());
    return kExitError;
  }
  detect::LiveLoadReport detector_report;
  auto detector = MakeDetector(config, detector_report);
  if (!detector.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(detector.status().message()).c_str());
    return kExitUsage;
  }
  detect::LiveDetector* live = detector.value().get();
  if (Status st = AddWebDetection(args.config_path, config.data_dir, live); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(st.message()).c_str());
    return kExitUsage;
  }
  if (Status st = AddBehaviorDetection(args.config_path, config.data_dir, live); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(st.message()).c_str());
    return kExitUsage;
  }
  if (live->behavior() != nullptr) {
    detect::LiveBehavior* behavior = live->behavior();
    config.after_parse = [behavior](EventBatch& batch) {
      behavior->Classify(batch);
    };
  }
  auto control = ServeControl::Start(args.config_path, config.data_dir);
  if (!control.ok()) {
    std::fprintf(stderr, "error: %s\n", control.status().ToString().c_str());
    return kExitUsage;
  }
  ServeControl* ctl = control->get();
  live->SetDetectionSink([ctl](const std::vector<Detection>& found) { ctl->OnDetections(found); });
  config.on_stored = [live](const EventBatch& batch, const std::vector<EventRef>& refs,
                            store::EventWriter& writer) {
    return live->OnBatch(batch, refs, writer);
  };
  config.before_mask = [live](const EventBatch& batch, enrich::Masker& masker) {
    live->BeforeMask(batch, masker);
  };

  auto server = ingest::Server::Start(config);
  if (!server.ok()) {
    std::fprintf(stderr, "error: %s\n", server.status().ToString().c_str());
    return kExitError;
  }
  server::ApiContext api;
  api.data_dir = config.data_dir;
  api.default_tenant = config.tenant;
  api.ingest = server->get();
  api.tokens = tokens->get();
  api.max_body_bytes = config.http_max_body_bytes;
  api.sigma_rules = detector_report.rules;
  api.correlation_rules = detector_report.correlations;
  api.indicators = detector_report.indicators;
  ctl->ConfigureApi(api);
  if (live->behavior() != nullptr) {
    detect::LiveBehavior* behavior = live->behavior();
    api.entity_state = [behavior](const std::string& tenant, const std::string& field,
                                  const std::string& value) {
      std::string out;
      detect::behavior::AppendEntityViewsJson(out, behavior->Describe(tenant, field, value));
      return out;
    };
  }
  api.detection_counts = [live] {
    std::vector<server::DetectionCounter> out;
    for (const auto& c : live->Counts()) {
      out.push_back(server::DetectionCounter{c.tenant, std::string(DetectionKindName(c.kind)),
                                             std::string(SeverityName(c.level)), c.count});
    }
    return out;
  };
  std::unique_ptr<server::HttpServer> http;
  if (!config.http.empty()) {
    server::HttpOptions ho;
    ho.listen = config.http;
    ho.tls_cert = config.http_tls_cert;
    ho.tls_key = config.http_tls_key;
    ho.limits.max_body_bytes = config.http_max_body_bytes;
    ho.limits.header_timeout_ms = config.http_header_timeout_ms;
    ho.limits.request_timeout_ms = config.http_request_timeout_ms;
    ho.limits.max_connections = config.http_max_connections;
    ho.limits.max_connections_per_ip = config.http_max_connections_per_ip;
    auto started = server::HttpServer::Start(ho, server::ApiRoutes(api));
    if (!started.ok()) {
      std::fprintf(stderr, "error: %s\n", started.status().ToString().c_str());
      (void)(*server)->Stop();
      return kExitError;
    }
    http = std::move(started).value();
    api.http.store(http.get());
  }
  const bool https = !config.http_tls_cert.empty();
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
  if (http) {
    std::fprintf(stderr, "  api         %s://%s/v1/ (token required; docs/api.md)\n",
                 https ? "https" : "http", http->address().c_str());
  }
  if (Status st = EnsureAdminToken(**tokens, config.data_dir, https,
                                   http ? http->address() : std::string());
      !st.ok()) {
    std::fprintf(stderr, "rampart serve: %s\n", st.ToString().c_str());
  }
  std::fprintf(stderr, "  response    %zu polic%s (rules/response, docs/response.md)\n",
               ctl->policies(), ctl->policies() == 1 ? "y" : "ies");
  std::fflush(stderr);
  while (true) {
    // The audit log is made durable a few times a second between signals.
    const timespec flush_every{0, 200'000'000};
    const int sig = sigtimedwait(&set, nullptr, &flush_every);
    ctl->FlushAudit();
    if (sig < 0) {
      continue;
    }
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
  if (http) {
    http->Stop();
  }
  Status st = (*server)->Stop();
  ctl->Stop();  // after the last stored batch's detections reached it
  if (Status saved = live->Shutdown(); !saved.ok()) {
    std::fprintf(stderr, "rampart serve: saving web models failed: %s\n",
                 std::string(saved.message()).c_str());
  }
  const ingest::ServerStats& stats = (*server)->stats();
  std::fprintf(stderr, "rampart serve: stored %llu events, %llu dead letters, %llu UDP drops\n",
               static_cast<unsigned long long>(stats.events_stored.load()),
               static_cast<unsigned long long>(stats.dead_letters.load()),
               static_cast<unsigned long long>(stats.udp_dropped.load()));
  std::fprintf(stderr, "rampart serve: %llu detection(s) stored\n",
               static_cast<unsigned long long>(live->detections()));
  if (live->behavior() != nullptr) {
    const detect::behavior::EngineStats b = live->behavior()->stats();
    std::fprintf(stderr,
                 "rampart serve: behavior: %llu observation(s), %zu entity state(s) in %zu "
                 "bytes, snapshot saved\n",
                 static_cast<unsigned long long>(b.observations), b.entities, b.memory_bytes);
  }
  if (live->web() != nullptr) {
    std::fprintf(stderr, "rampart serve: web: %llu request(s) inspected, %llu not seen whole\n",
                 static_cast<unsigned long long>(live->web()->requests()),
                 static_cast<unsigned long long>(live->web()->over_limits()));
  }
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
