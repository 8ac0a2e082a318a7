// rampart rules check PATH... [--json] [--warnings] [--logsources F] [--placeholders F]
// rampart rules check --web PATH... [--json]
// rampart rules check --behavior PATH... [--json]
//                              [--include-deprecated] [--include-unsupported]
//
// Loads Sigma rule files and directories the way the engine will and reports every rule
// that would not be loaded, with its file:line:column, reason code and message, then the
// counts by reason. The loaded rules are then compiled as `hunt` and `serve` compile them:
// a rule the compiler refuses (an invalid regex, a missing placeholder) is reported under
// the reason `not-compiled`; rules whose log source has no mapping entry, and `re` values
// that PCRE2 runs because Vectorscan cannot, are counted (listed with --warnings).
// Exit codes: 0 all rules load and compile; 3 (kExitPartial) some were refused or not
// compiled; 2 a path does not exist; 1 a directory cannot be listed.

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/clock.h"
#include "core/strings.h"
#include "detect/behavior/engine.h"
#include "detect/behavior/scenario.h"
#include "detect/sigma/engine.h"
#include "detect/sigma/sigma.h"
#include "detect/web/web.h"

namespace rampart::cli {
namespace {

struct RulesCheckArgs {
  std::vector<std::string> paths;
  std::string logsources;
  std::string placeholders;
  bool json = false;
  bool warnings = false;
  bool include_deprecated = false;
  bool include_unsupported = false;
  bool web = false;       // the paths hold web rules
  bool behavior = false;  // the paths hold behaviour scenarios
};

std::string Location(const sigma::SourceLocation& l) {
  std::string s = l.file;
  if (l.line != 0) {
    s += ":" + std::to_string(l.line);
    if (l.column != 0) {
      s += ":" + std::to_string(l.column);
    }
  }
  return s;
}

// {"file":..,"line":..,"column":..,"id":..,"title":..,"<code_key>":..,"message":..}
template <typename Item>
void AppendJsonItem(std::string& out,
                    const Item& item,
                    std::string_view code_key,
                    std::string_view code) {
  out += "{\"file\":";
  AppendJsonString(out, item.location.file);
  out += ",\"line\":" + std::to_string(item.location.line);
  out += ",\"column\":" + std::to_string(item.location.column);
  out += ",\"id\":";
  AppendJsonString(out, item.rule_id);
  out += ",\"title\":";
  AppendJsonString(out, item.rule_title);
  out += ",\"";
  out += code_key;
  out += "\":";
  AppendJsonString(out, code);
  out += ",\"message\":";
  AppendJsonString(out, item.message);
  out += "}";
}

void AppendJsonCounts(std::string& out, const std::map<std::string, size_t>& counts) {
  out += "{";
  bool first = true;
  for (const auto& [name, n] : counts) {
    if (!first) {
      out += ",";
    }
    first = false;
    AppendJsonString(out, name);
    out += ":" + std::to_string(n);
  }
  out += "}";
}

constexpr std::string_view kNotCompiled = "not-compiled";

void AppendJsonIssues(std::string& out,
                      const std::vector<sigma::CompileIssue>& issues,
                      std::string_view code) {
  out += "[";
  for (size_t i = 0; i < issues.size(); ++i) {
    if (i > 0) {
      out += ",";
    }
    AppendJsonItem(out, issues[i], "code", code);
  }
  out += "]";
}

void PrintJson(const sigma::LoadResult& r, const sigma::CompileReport& c) {
  std::map<std::string, size_t> by_reason;
  for (const sigma::Refusal& f : r.refusals) {
    ++by_reason[std::string(sigma::RefusalReasonName(f.reason))];
  }
  if (!c.skipped.empty()) {
    by_reason[std::string(kNotCompiled)] = c.skipped.size();
  }
  std::map<std::string, size_t> by_code;
  for (const sigma::LoadWarning& w : r.warnings) {
    ++by_code[std::string(sigma::WarningCodeName(w.code))];
  }
  std::string out = "{\"files\":" + std::to_string(r.files);
  out += ",\"loaded\":" + std::to_string(r.rules->rules.size());
  out += ",\"correlations\":" + std::to_string(r.rules->correlations.size());
  out += ",\"refused\":" + std::to_string(r.refusals.size());
  out += ",\"filters\":" + std::to_string(r.filters);
  out += ",\"filtered_rules\":" + std::to_string(r.filtered_rules);
  out += ",\"not_compiled\":" + std::to_string(c.skipped.size());
  out += ",\"mapped_by_convention\":" + std::to_string(c.convention.size());
  out += ",\"pcre_regexes\":" + std::to_string(c.pcre.size());
  out += ",\"warnings\":" + std::to_string(r.warnings.size());
  out += ",\"by_reason\":";
  AppendJsonCounts(out, by_reason);
  out += ",\"warnings_by_code\":";
  AppendJsonCounts(out, by_code);
  out += ",\"refusals\":[";
  for (size_t i = 0; i < r.refusals.size(); ++i) {
    if (i > 0) {
      out += ",";
    }
    AppendJsonItem(out, r.refusals[i], "reason", sigma::RefusalReasonName(r.refusals[i].reason));
  }
  out += "],\"not_compiled_list\":";
  AppendJsonIssues(out, c.skipped, kNotCompiled);
  out += ",\"mapped_by_convention_list\":";
  AppendJsonIssues(out, c.convention, "mapped-by-convention");
  out += ",\"pcre_list\":";
  AppendJsonIssues(out, c.pcre, "pcre-regex");
  out += ",\"warning_list\":[";
  for (size_t i = 0; i < r.warnings.size(); ++i) {
    if (i > 0) {
      out += ",";
    }
    AppendJsonItem(out, r.warnings[i], "code", sigma::WarningCodeName(r.warnings[i].code));
  }
  out += "]}\n";
  std::fputs(out.c_str(), stdout);
}

void PrintCounts(const char* heading, const std::map<std::string, size_t>& counts) {
  if (counts.empty()) {
    return;
  }
  std::printf("%s\n", heading);
  for (const auto& [name, n] : counts) {
    std::printf("  %-24s %6zu\n", name.c_str(), n);
  }
}

void PrintText(const sigma::LoadResult& r,
               const sigma::CompileReport& c,
               bool show_warnings,
               double secs) {
  std::map<std::string, size_t> by_reason;
  for (const sigma::Refusal& f : r.refusals) {
    std::string name(sigma::RefusalReasonName(f.reason));
    ++by_reason[name];
    std::string rule;
    if (!f.rule_title.empty()) {
      rule = " [rule \"" + f.rule_title + "\"]";
    }
    std::printf("%s: %s: %s%s\n", Location(f.location).c_str(), name.c_str(), f.message.c_str(),
                rule.c_str());
  }
  for (const sigma::CompileIssue& i : c.skipped) {
    ++by_reason[std::string(kNotCompiled)];
    std::printf("%s: %s: %s [rule \"%s\"]\n", Location(i.location).c_str(),
                std::string(kNotCompiled).c_str(), i.message.c_str(), i.rule_title.c_str());
  }
  std::map<std::string, size_t> by_code;
  for (const sigma::LoadWarning& w : r.warnings) {
    std::string name(sigma::WarningCodeName(w.code));
    ++by_code[name];
    if (show_warnings) {
      std::printf("%s: warning: %s: %s\n", Location(w.location).c_str(), name.c_str(),
                  w.message.c_str());
    }
  }
  auto notes = [](const std::vector<sigma::CompileIssue>& issues, const char* code) {
    for (const sigma::CompileIssue& i : issues) {
      std::printf("%s: note: %s: %s\n", Location(i.location).c_str(), code, i.message.c_str());
    }
  };
  if (show_warnings) {
    notes(c.convention, "mapped-by-convention");
    notes(c.pcre, "pcre-regex");
  }
  std::printf(
      "%zu rule(s) and %zu correlation(s) loaded from %zu file(s) and compiled in %.2f s; "
      "%zu refused; %zu not compiled; %zu warning(s)\n",
      r.rules->rules.size(), r.rules->correlations.size(), r.files, secs, r.refusals.size(),
      c.skipped.size(), r.warnings.size());
  if (r.filters != 0) {
    std::printf("%zu filter(s) narrow %zu rule(s)\n", r.filters, r.filtered_rules);
  }
  if (!c.convention.empty() || !c.pcre.empty()) {
    std::printf(
        "notes%s: %zu rule(s) with no log-source mapping entry (dataset by naming "
        "convention); %zu regex value(s) that PCRE2 runs (Vectorscan cannot compile them)\n",
        show_warnings ? "" : " (--warnings lists them)", c.convention.size(), c.pcre.size());
  }
  PrintCounts(c.skipped.empty() ? "refused by reason:" : "refused or not compiled, by reason:",
              by_reason);
  PrintCounts(show_warnings ? "warnings by code:" : "warnings by code (--warnings lists them):",
              by_code);
}

// The report of `rules check --web|--behavior`: the problems, a summary line and counts (or
// one JSON object); exit 0 when nothing was refused, else kExitPartial.
int PrintPackCheck(const RulesCheckArgs& args,
                   size_t loaded,
                   size_t files,
                   const std::vector<std::string>& problems,
                   const char* counts_key,
                   const char* counts_title,
                   const std::map<std::string, size_t>& counts,
                   const std::string& summary) {
  if (args.json) {
    std::string out =
        "{\"loaded\":" + std::to_string(loaded) + ",\"files\":" + std::to_string(files) +
        ",\"refused\":" + std::to_string(problems.size()) + ",\"" + counts_key + "\":{";
    bool first = true;
    for (const auto& [name, n] : counts) {
      out += first ? "" : ",";
      first = false;
      AppendJsonString(out, name);
      out += ":" + std::to_string(n);
    }
    out += "},\"problems\":";
    AppendJsonStringArray(out, problems);
    out += "}";
    std::printf("%s\n", out.c_str());
  } else {
    for (const std::string& p : problems) {
      std::printf("%s\n", p.c_str());
    }
    std::printf("%s\n", summary.c_str());
    PrintCounts(counts_title, counts);
  }
  std::fflush(stdout);
  return problems.empty() ? kExitOk : kExitPartial;
}

std::string FormatSeconds(double secs) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", secs);
  return buf;
}

// `rules check --web`: the web rule pack (docs/web_rules.md), loaded and compiled at every
// paranoia level so a pattern only a high level uses is checked too.
int RunWebRulesCheck(const RulesCheckArgs& args) {
  const int64_t start = MonotonicNowNs();
  std::vector<std::string> problems;
  auto set = detect::web::LoadWebRules(args.paths, &problems);
  if (!set.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(set.status().message()).c_str());
    return set.status().code() == StatusCode::kNotFound ? kExitUsage : kExitError;
  }
  detect::web::WebSettings settings;
  settings.paranoia = 4;
  auto compiled = detect::web::CompiledWebRules::Compile(*set, settings, &problems);
  if (!compiled.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(compiled.status().message()).c_str());
    return kExitError;
  }
  const double secs = static_cast<double>(MonotonicNowNs() - start) / 1e9;
  std::map<std::string, size_t> by_class;
  for (const detect::web::WebRule& r : (*set)->rules) {
    ++by_class[r.class_name];
  }
  return PrintPackCheck(args, (*set)->rules.size(), (*set)->files.size(), problems, "by_class",
                        "rules by class:", by_class,
                        std::to_string((*set)->rules.size()) + " web rule(s) loaded from " +
                            std::to_string((*set)->files.size()) + " file(s) and compiled in " +
                            FormatSeconds(secs) + "; " + std::to_string(problems.size()) +
                            " refused");
}

// `rules check --behavior`: behaviour scenarios (docs/behavior.md), read and compiled.
int RunBehaviorCheck(const RulesCheckArgs& args) {
  std::vector<std::string> problems;
  auto set = detect::behavior::LoadScenarios(args.paths, &problems);
  if (!set.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(set.status().message()).c_str());
    return set.status().code() == StatusCode::kNotFound ? kExitUsage : kExitError;
  }
  auto compiled = detect::behavior::CompiledScenarios::Compile(*set);
  if (!compiled.ok()) {
    problems.push_back(std::string(compiled.status().message()));
  }
  std::map<std::string, size_t> by_trigger;
  for (const detect::behavior::Scenario& s : (*set)->scenarios) {
    const char* trigger = s.leaky_bucket ? "leaky_bucket"
                          : s.baseline   ? "baseline"
                          : s.first_seen ? "first_seen"
                          : s.sequence   ? "sequence"
                                         : "window";
    ++by_trigger[trigger];
  }
  return PrintPackCheck(args, (*set)->scenarios.size(), (*set)->files.size(), problems,
                        "by_trigger", "scenarios by trigger:", by_trigger,
                        std::to_string((*set)->scenarios.size()) +
                            " behaviour scenario(s) loaded from " +
                            std::to_string((*set)->files.size()) + " file(s); " +
                            std::to_string(problems.size()) + " refused");
}

int RunRulesCheck(const RulesCheckArgs& args) {
  if (args.web && args.behavior) {
    std::fprintf(stderr, "error: --web and --behavior exclude each other\n");
    return kExitUsage;
  }
  if (args.web) {
    return RunWebRulesCheck(args);
  }
  if (args.behavior) {
    return RunBehaviorCheck(args);
  }
  sigma::LoadOptions options;
  options.include_deprecated = args.include_deprecated;
  options.include_unsupported = args.include_unsupported;
  sigma::CompileOptions compile;
  compile.check_regexes = true;
  if (Status read =
          sigma::ReadRuleOptionFiles(args.logsources, args.placeholders, &options, &compile);
      !read.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(read.message()).c_str());
    return kExitUsage;
  }
  int64_t start = MonotonicNowNs();
  auto result = sigma::LoadRules(args.paths, options);
  if (!result.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(result.status().message()).c_str());
    return result.status().code() == StatusCode::kNotFound ? kExitUsage : kExitError;
  }
  sigma::CompileReport report;
  auto compiled = sigma::CompiledRules::Compile(result->rules, compile, &report);
  if (!compiled.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(compiled.status().message()).c_str());
    return kExitError;
  }
  double secs = static_cast<double>(MonotonicNowNs() - start) / 1e9;
  if (args.json) {
    PrintJson(*result, report);
  } else {
    PrintText(*result, report, args.warnings, secs);
  }
  std::fflush(stdout);
  return result->refusals.empty() && report.skipped.empty() ? kExitOk : kExitPartial;
}

}  // namespace

Runner AddRulesCommand(CLI::App& app) {
  auto args = std::make_shared<RulesCheckArgs>();
  CLI::App* rules = app.add_subcommand(
      "rules", "Sigma rules, web rules and behaviour scenarios: check that they load");
  rules->require_subcommand(1);
  CLI::App* check = rules->add_subcommand(
      "check",
      "Load and compile Sigma rules (or web rules with --web) and report every rule that would "
      "not be loaded or compiled, with its reason (exit 3 when any is)");
  check->add_option("paths", args->paths, "Rule files or directories (searched recursively)")
      ->required();
  check->add_option("--logsources", args->logsources,
                    "Log-source mapping (YAML) to compile with; default: the built-in mapping");
  check->add_option("--placeholders", args->placeholders,
                    "Values of |expand placeholders (YAML map: name: [values]); default: none");
  check->add_flag("--json", args->json,
                  "One JSON object: loaded, refused, by_reason, refusals, warnings");
  check->add_flag("--warnings,-W", args->warnings, "Also list the warnings");
  check->add_flag("--web", args->web,
                  "The paths hold web rules (rules/web, docs/web_rules.md), not Sigma rules");
  check->add_flag("--behavior", args->behavior,
                  "The paths hold behaviour scenarios (rules/behavior, docs/behavior.md)");
  check->add_flag("--include-deprecated", args->include_deprecated,
                  "Load rules with status: deprecated instead of refusing them");
  check->add_flag("--include-unsupported", args->include_unsupported,
                  "Load rules with status: unsupported instead of refusing them");
  return [args, check] {
    if (check->parsed()) {
      return RunRulesCheck(*args);
    }
    return kExitUsage;
  };
}

}  // namespace rampart::cli
